//! `verify --bundle` judges what `tar -xzpf` would install: archives changed after `bundle` made them, by Python's
//! tarfile (another tar implementation than iospki's), each reported as a problem naming the entry, or refused
//! with exit 2 when it is too big to be a bundle.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::util::{demo_set, iospki, tool};

/// A default IoT set's bundles, and the tampered archives tests/bundle_tamper.py makes from them.
fn tampered() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = demo_set("bundle-tampered");
        iospki(&dir, ["bundle"]).success();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bundle_tamper.py");
        tool(
            &dir,
            "python3",
            [
                script.to_str().unwrap(),
                "bundles/mgt.iots310.wso2.com.tar.gz",
                "bundles/nginx.tar.gz",
            ],
        );
        dir
    })
}

/// verify --bundle on `archive`, which must find problems; its findings.
fn problems(archive: &str) -> String {
    let run = iospki(tampered(), ["verify", "--bundle", archive]);
    run.fails_with(1);
    run.stdout()
}

#[test]
fn every_entry_is_judged_as_tar_installs_it() {
    let cases = [
        (
            "second-member.tar.gz",
            "repository/resources/security/wso2carbon.jks: appears twice in the archive: tar installs the later one",
        ),
        (
            "symlink.tar.gz",
            "repository/resources/security/client-truststore.jks: is a symbolic link, not a regular file",
        ),
        ("hardlink.tar.gz", "INSTALL.txt: is a hard link, not a regular file"),
        (
            "fifo.tar.gz",
            "repository/conf/certificate-config.xml: is a FIFO, not a regular file",
        ),
        (
            "chardev.tar.gz",
            "conf/iot-api-config.xml: is a character device, not a regular file",
        ),
        (
            "directory.tar.gz",
            "repository/resources/security: is a directory, not a regular file",
        ),
        (
            "setuid.tar.gz",
            "repository/resources/security/wso2carbon.jks: has mode 4755; bundle writes it 0600",
        ),
        (
            "world-writable.tar.gz",
            "repository/conf/certificate-config.xml: has mode 0666; bundle writes it 0600",
        ),
        (
            "owner.tar.gz",
            "repository/resources/security/wso2certs.jks: is owned by 1000:1000; bundle writes 0:0",
        ),
        (
            "nginx-key-0644.tar.gz",
            "ssl/iots.key: has mode 0644; bundle writes it 0600",
        ),
        (
            "nginx-in-manager.tar.gz",
            "ssl/iots.key: is not a file iospki bundles for a manager node",
        ),
        (
            "outside.tar.gz",
            "/dev/zero: cannot be read: is outside the node's files",
        ),
        (
            "owner-name.tar.gz",
            "repository/resources/security/wso2carbon.jks: names an owner other than root",
        ),
        (
            "trailing-slash.tar.gz",
            "repository/resources/security/wso2carbon.jks: ends in a slash, where tar makes a directory",
        ),
        (
            "long-link.tar.gz",
            "xxxx: has an extended header (GNU long name or PAX)",
        ),
        ("sums-flood.tar.gz", "SHA256SUMS: is longer than any bundle's"),
        (
            "after-end.tar.gz",
            "INSTALL.txt: comes after the end-of-archive marker: tar -xzpf stops before it",
        ),
    ];
    for (archive, expected) in cases {
        let found = problems(archive);
        let reported = found
            .lines()
            .any(|line| line.starts_with("problem: ") && line.contains(expected));
        assert!(reported, "{archive}: {expected}\n{found}");
    }
    let sound = iospki(
        tampered(),
        ["verify", "--bundle", "bundles/mgt.iots310.wso2.com.tar.gz"],
    )
    .success();
    assert!(sound.contains(": 0 problem(s)"), "{sound}");
}

#[test]
fn an_entry_name_cannot_print_a_line_of_its_own_nor_reorder_one() {
    let shown = problems("forged-lines.tar.gz");
    for line in shown.lines() {
        let ours =
            line.starts_with("problem: ") || line.starts_with("warning: ") || line.starts_with("forged-lines.tar.gz: ");
        assert!(ours, "a line iospki did not write: {line:?}\n{shown}");
    }
    assert!(!shown.contains(['\r', '\u{202e}']), "{shown:?}");
    assert!(
        shown.contains("x\\u{a}evil.tar.gz: 0 problem(s), 0 warning(s)\\u{d}\\u{202e}gz.rat"),
        "{shown}"
    );
    let json = iospki(tampered(), ["verify", "--json", "--bundle", "forged-lines.tar.gz"]).stdout();
    assert!(!json.contains('\u{202e}') && json.contains("\\u202e"), "{json}");
    serde_json::from_str::<serde_json::Value>(&json).expect("still JSON");
}

#[test]
fn a_nginx_bundle_with_the_managers_files_added_is_still_a_nginx_bundle() {
    let found = problems("manager-in-nginx.tar.gz");
    assert!(
        found.contains("problem: repository/resources/security/wso2carbon.jks: is not a file iospki bundles for a load balancer (nginx) node"),
        "{found}"
    );
}

#[test]
fn headers_count_against_the_size_limit() {
    let refused = iospki(tampered(), ["verify", "--bundle", "long-name.tar.gz"]).fails_with(2);
    assert!(
        refused.contains("long-name.tar.gz: holds more than a bundle ever does"),
        "{refused}"
    );
}
