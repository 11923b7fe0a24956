//! `iospki bundle`: for a cluster of one manager, two workers and two key managers, each node gets exactly its
//! files with their modes; sha256sum accepts the checksums; the same set gives byte-identical tarballs; tar
//! unpacks them over a server home and keytool and openssl read what comes out; each bundle's
//! iospki-bundle.json says what it is, and verify judges a bundle by it, never by a guess.

use crate::util;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::util::{five_node_set, iospki, run_in, scratch, tool};

/// A set for the cluster, made once, and its bundles in `bundles/`.
fn made() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = five_node_set("bundle-set");
        iospki(&dir, ["bundle"]).success();
        dir
    })
}

/// Every file below `dir`, with its mode, sorted.
fn files(dir: &Path) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                out.push((path.strip_prefix(dir).unwrap().display().to_string(), mode));
            }
        }
    }
    out.sort();
    out
}

fn expected(paths: &[(&str, u32)]) -> Vec<(String, u32)> {
    let mut all: Vec<(String, u32)> = paths.iter().map(|(p, m)| (p.to_string(), *m)).collect();
    all.extend(["INSTALL.txt", "iospki-bundle.json", "SHA256SUMS"].map(|name| (name.to_owned(), 0o644)));
    all.sort();
    all
}

#[test]
fn each_node_gets_exactly_its_files_with_their_modes() {
    let bundles = made().join("bundles");
    let stores = [
        ("repository/resources/security/wso2carbon.jks", 0o600),
        ("repository/resources/security/client-truststore.jks", 0o600),
        ("conf/identity/identity-providers/iot_default.xml", 0o644),
    ];
    let scep = [
        ("repository/resources/security/wso2certs.jks", 0o600),
        ("repository/conf/certificate-config.xml", 0o600),
    ];
    // Every core role pastes its SETTINGS.txt, which holds the store password.
    let settings = [("SETTINGS.txt", 0o600)];
    let manager: Vec<_> = stores
        .iter()
        .chain(&scep)
        .chain(&[("conf/iot-api-config.xml", 0o600)])
        .chain(&settings)
        .copied()
        .collect();
    let worker: Vec<_> = stores.iter().chain(&scep).chain(&settings).copied().collect();
    let key_manager: Vec<_> = stores.iter().chain(&settings).copied().collect();
    assert_eq!(files(&bundles.join("mgt.iot.example.org")), expected(&manager));
    for node in ["w1.iot.example.org", "w2.iot.example.org"] {
        assert_eq!(files(&bundles.join(node)), expected(&worker), "{node}");
    }
    for node in ["km1.iot.example.org", "km2.iot.example.org"] {
        assert_eq!(files(&bundles.join(node)), expected(&key_manager), "{node}");
    }
    assert_eq!(
        files(&bundles.join("nginx")),
        expected(&[("ssl/iots-chain.pem", 0o644), ("ssl/iots.key", 0o600)])
    );
    let archives: Vec<String> = util::listing(&bundles)
        .into_iter()
        .filter(|n| n.ends_with(".tar.gz"))
        .collect();
    assert_eq!(archives.len(), 6, "{archives:?}");
    assert!(
        !bundles.join("iot.example.org").exists(),
        "the domain is not a node unless it is a worker"
    );
}

#[test]
fn sha256sum_accepts_every_nodes_checksums() {
    let bundles = made().join("bundles");
    for node in [
        "mgt.iot.example.org",
        "w1.iot.example.org",
        "km2.iot.example.org",
        "nginx",
    ] {
        let out = tool(&bundles.join(node), "sha256sum", ["-c", "SHA256SUMS"]);
        assert!(
            out.lines().all(|l| l.ends_with(": OK")) && out.lines().count() >= 3,
            "{node}: {out}"
        );
    }
}

#[test]
fn the_same_set_gives_byte_identical_tarballs() {
    let dir = made();
    iospki(dir, ["bundle", "--out", "again"]).success();
    for node in [
        "mgt.iot.example.org",
        "w2.iot.example.org",
        "km1.iot.example.org",
        "nginx",
    ] {
        let archive = format!("{node}.tar.gz");
        assert_eq!(
            fs::read(dir.join("bundles").join(&archive)).unwrap(),
            fs::read(dir.join("again").join(&archive)).unwrap(),
            "{archive}"
        );
    }
}

#[test]
fn tar_unpacks_over_a_server_home_and_keytool_and_openssl_read_it() {
    let dir = made();
    let listed = tool(dir, "tar", ["-tvzf", "bundles/mgt.iot.example.org.tar.gz"]);
    assert!(
        listed.contains("-rw------- 0/0") && listed.contains("repository/resources/security/wso2certs.jks"),
        "{listed}"
    );
    let home = scratch("bundle-home");
    fs::create_dir_all(home.join("repository/conf")).unwrap();
    let archive = dir.join("bundles/mgt.iot.example.org.tar.gz");
    tool(&home, "tar", ["-xzpf", archive.to_str().unwrap(), "-C", "."]);
    let mode = fs::metadata(home.join("repository/resources/security/wso2certs.jks"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let listed = util::keytool_list(
        &home.join("repository/resources/security"),
        "wso2certs.jks",
        "wso2carbon",
    );
    assert!(
        listed.contains("Alias name: cacert") && listed.contains("Alias name: racert"),
        "{listed}"
    );
    let nginx = dir.join("bundles/nginx/ssl");
    let chain = fs::read_to_string(nginx.join("iots-chain.pem")).unwrap();
    assert_eq!(chain.matches("BEGIN CERTIFICATE").count(), 2);
    let ssl = fs::read_to_string(dir.join("output/ia.crt")).unwrap();
    assert!(chain.starts_with(&ssl), "the chain starts with the SSL certificate");
    let key = tool(&nginx, "openssl", ["pkey", "-in", "iots.key", "-pubout"]);
    let cert = tool(
        &nginx,
        "openssl",
        ["x509", "-in", "iots-chain.pem", "-noout", "-pubkey"],
    );
    assert_eq!(key, cert);
    // The chain's first certificate verifies strictly under the set's CA.
    let ca = dir.join("output/ca.crt");
    let args = [
        "verify",
        "-x509_strict",
        "-CAfile",
        ca.to_str().unwrap(),
        "iots-chain.pem",
    ];
    let verified = run_in(&nginx, "openssl", args, &[]).success();
    assert_eq!(verified.trim(), "iots-chain.pem: OK");
}

#[test]
fn verify_bundle_accepts_every_node_as_made() {
    let dir = made();
    for node in [
        "mgt.iot.example.org",
        "w1.iot.example.org",
        "km2.iot.example.org",
        "nginx",
    ] {
        let archive = format!("bundles/{node}.tar.gz");
        let stdout = iospki(dir, ["verify", "--bundle", &archive]).success();
        assert!(stdout.contains(": 0 problem(s)"), "{node}: {stdout}");
    }
}

#[test]
fn verify_bundle_catches_a_changed_and_an_unlisted_file() {
    let dir = made();
    let work = scratch("bundle-tamper");
    let archive = dir.join("bundles/w1.iot.example.org.tar.gz");
    tool(&work, "tar", ["-xzpf", archive.to_str().unwrap()]);
    let xml = work.join("repository/conf/certificate-config.xml");
    let mut text = fs::read_to_string(&xml).unwrap();
    text.push_str("<!-- changed -->\n");
    fs::write(&xml, text).unwrap();
    fs::write(work.join("extra.txt"), "not from iospki\n").unwrap();
    tool(&work, "tar", ["-czf", "../tampered.tar.gz", "."]);
    let run = iospki(&work, ["verify", "--bundle", "../tampered.tar.gz"]);
    run.fails_with(1);
    let stdout = run.stdout();
    assert!(
        stdout.contains("problem: repository/conf/certificate-config.xml: does not match its SHA256SUMS line"),
        "{stdout}"
    );
    assert!(stdout.contains("problem: extra.txt: is not in SHA256SUMS"), "{stdout}");
}

#[test]
fn an_archive_entry_leaving_the_directory_is_refused() {
    let work = scratch("bundle-escape");
    let script = "import io, tarfile\nwith tarfile.open('evil.tar.gz', 'w:gz') as t:\n    data = b'x'\n    info = tarfile.TarInfo('../escaped.txt')\n    info.size = len(data)\n    t.addfile(info, io.BytesIO(data))\n";
    tool(&work, "python3", ["-c", script]);
    let stderr = iospki(&work, ["verify", "--bundle", "evil.tar.gz"]).fails_with(2);
    assert!(
        stderr.contains("evil.tar.gz: entry ../escaped.txt leaves the bundle's directory"),
        "{stderr}"
    );
    assert!(!work.parent().unwrap().join("escaped.txt").exists());
}

#[test]
fn bundling_again_after_a_rotation_replaces_the_bundles() {
    let work = scratch("bundle-rotated");
    let made = made();
    tool(&work, "cp", ["-a", made.join("output").to_str().unwrap(), "."]);
    tool(&work, "cp", ["-a", made.join("bundles").to_str().unwrap(), "."]);
    iospki(&work, ["rotate", "--ssl"]).success();
    let before = manifest(&work.join("bundles"), "nginx");
    iospki(&work, ["bundle"]).success();
    let after = manifest(&work.join("bundles"), "nginx");
    assert_ne!(
        before["set_sha256"], after["set_sha256"],
        "a rotated set is another set"
    );
    assert_eq!(after["set_sha256"], set_fingerprint(&work.join("output")));
    let chain = fs::read_to_string(work.join("bundles/nginx/ssl/iots-chain.pem")).unwrap();
    let ssl = fs::read_to_string(work.join("output/ia.crt")).unwrap();
    assert!(chain.starts_with(&ssl), "the bundle holds the rotated SSL certificate");
    let stdout = iospki(&work, ["verify", "--bundle", "bundles/nginx.tar.gz"]).success();
    assert!(stdout.contains(": 0 problem(s)"), "{stdout}");
}

#[test]
fn broker_and_analytics_nodes_get_the_stores_where_their_profiles_read_them() {
    let dir = scratch("bundle-profiles");
    fs::write(
        dir.join("iospki.toml"),
        "key_bits = 2048\n[hosts]\nbroker = [\"mb.iots310.wso2.com\"]\nanalytics = [\"das.iots310.wso2.com\"]\n",
    )
    .unwrap();
    iospki(
        &dir,
        [
            "init",
            "--config",
            "iospki.toml",
            "--key",
            util::demo_key().to_str().unwrap(),
        ],
    )
    .success();
    iospki(&dir, ["bundle"]).success();
    for (node, profile) in [("mb.iots310.wso2.com", "broker"), ("das.iots310.wso2.com", "analytics")] {
        let security = format!("wso2/{profile}/repository/resources/security");
        let expected_files = expected(&[
            (&format!("{security}/wso2carbon.jks"), 0o600),
            (&format!("{security}/client-truststore.jks"), 0o600),
            ("conf/identity/identity-providers/iot_default.xml", 0o644),
        ]);
        assert_eq!(files(&dir.join("bundles").join(node)), expected_files, "{node}");
        let archive = format!("bundles/{node}.tar.gz");
        let verified = iospki(&dir, ["verify", "--bundle", &archive]).success();
        assert!(verified.contains(": 0 problem(s)"), "{node}: {verified}");
    }
    let ssl = tool(
        &dir.join("output"),
        "openssl",
        ["x509", "-in", "ia.crt", "-noout", "-ext", "subjectAltName"],
    );
    assert!(
        ssl.contains("DNS:mb.iots310.wso2.com") && ssl.contains("DNS:das.iots310.wso2.com"),
        "{ssl}"
    );
}

/// The manifest of `node`'s bundle in `bundles`.
fn manifest(bundles: &Path, node: &str) -> serde_json::Value {
    let text = fs::read_to_string(bundles.join(node).join("iospki-bundle.json")).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{node}: {e}\n{text}"))
}

/// The set's fingerprint as a shell computes it: sha256sum of the set's files (all the files of `output`, backup/
/// left out), in the order of their names.
fn set_fingerprint(output: &Path) -> String {
    let script = "LC_ALL=C sha256sum $(LC_ALL=C ls -p | grep -v /) | sha256sum | cut -d' ' -f1";
    tool(output, "sh", ["-c", script]).trim().to_owned()
}

#[test]
fn every_bundle_says_in_its_manifest_which_product_role_node_and_set_it_is() {
    let dir = made();
    let fingerprint = set_fingerprint(&dir.join("output"));
    for (node, role) in [
        ("mgt.iot.example.org", "manager"),
        ("w2.iot.example.org", "worker"),
        ("km1.iot.example.org", "key-manager"),
        ("nginx", "nginx"),
    ] {
        let expected = serde_json::json!({
            "schema": "iospki.bundle-manifest/1",
            "product": "iot",
            "role": role,
            "node": node,
            "set_sha256": fingerprint,
        });
        assert_eq!(manifest(&dir.join("bundles"), node), expected, "{node}");
    }
}

/// The manager's bundle unpacked into a directory of its own, `edit`ed, and packed again as `NAME.tar.gz`;
/// what verify --bundle says of it, which must be problems.
fn verify_edited(name: &str, edit: impl FnOnce(&Path)) -> String {
    let work = scratch(&format!("bundle-{name}"));
    let archive = made().join("bundles/mgt.iot.example.org.tar.gz");
    fs::create_dir(work.join("node")).unwrap();
    tool(&work.join("node"), "tar", ["-xzpf", archive.to_str().unwrap()]);
    edit(&work.join("node"));
    let packed = format!("{name}.tar.gz");
    let args = ["--owner=0", "--group=0", "-czf", &format!("../{packed}"), "."];
    tool(&work.join("node"), "tar", args);
    let run = iospki(&work, ["verify", "--bundle", &packed]);
    run.fails_with(1);
    run.stdout()
}

#[test]
fn a_bundle_without_a_manifest_is_a_problem_not_a_manager() {
    let found = verify_edited("no-manifest", |node| {
        fs::remove_file(node.join("iospki-bundle.json")).unwrap()
    });
    assert!(
        found.contains(
            "problem: iospki-bundle.json: is missing: the bundle does not say which product and node it is for"
        ),
        "{found}"
    );
    assert!(
        !found.contains("is not a file iospki bundles"),
        "no role was guessed:\n{found}"
    );
}

#[test]
fn a_malformed_manifest_is_a_problem_naming_it() {
    let found = verify_edited("bad-manifest", |node| {
        fs::write(
            node.join("iospki-bundle.json"),
            "{\"schema\": \"iospki.bundle-manifest/1\",",
        )
        .unwrap()
    });
    assert!(
        found.contains("problem: iospki-bundle.json: not a bundle manifest: "),
        "{found}"
    );
    let found = verify_edited("other-schema", |node| {
        let path = node.join("iospki-bundle.json");
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text.replace("bundle-manifest/1", "bundle-manifest/2")).unwrap()
    });
    assert!(
        found
            .contains("problem: iospki-bundle.json: schema 'iospki.bundle-manifest/2' is not iospki.bundle-manifest/1"),
        "{found}"
    );
}

#[test]
fn a_manager_bundle_whose_manifest_says_worker_is_judged_as_a_worker() {
    let found = verify_edited("role-mismatch", |node| {
        let path = node.join("iospki-bundle.json");
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text.replace("\"manager\"", "\"worker\"")).unwrap();
        tool(
            node,
            "sh",
            [
                "-c",
                "sha256sum $(grep -o '[^ ]*$' SHA256SUMS) > SHA256SUMS.new && mv SHA256SUMS.new SHA256SUMS",
            ],
        );
    });
    assert!(
        found.contains("problem: conf/iot-api-config.xml: is not a file iospki bundles for a worker node"),
        "{found}"
    );
    assert!(!found.contains("SHA256SUMS"), "the checksums were made again:\n{found}");
    let found = verify_edited("product-mismatch", |node| {
        let path = node.join("iospki-bundle.json");
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text.replace("\"iot\"", "\"es\"")).unwrap()
    });
    assert!(
        found.contains("problem: iospki-bundle.json: role 'manager' is not a role of "),
        "{found}"
    );
}
