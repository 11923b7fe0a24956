//! The shipped scheduled jobs, run as they are written (examples/systemd/iospki-rotate.service and
//! examples/ci/rotate.gitlab-ci.yml, with the test's paths): on a set made 710 days ago (faketime), whose RA and
//! SSL certificates end within the 30 days the jobs look ahead, the rotation renews them and the check that
//! follows exits 0 and, being `-q`, prints nothing, the backups the rotation kept in the set notwithstanding.
//! Before the rotation, the same check line prints the due certificates and nothing else.

use std::fs;
use std::path::{Path, PathBuf};

use yaml_rust2::YamlLoader;

use crate::util::{Run, demo_key, iospki, run_in, scratch};

const PASSWORD: &str = "scheduled-jobs-password";

/// A set in `out` whose certificates were issued 710 days ago: the RA and SSL certificates have 20 days left.
fn aged_set(dir: &Path, out: &Path, password_file: &Path) {
    let binary = env!("CARGO_BIN_EXE_iospki");
    let (key, out, password) = (demo_key(), out.to_str().unwrap(), password_file.to_str().unwrap());
    let init = [
        "-f",
        "-710d",
        binary,
        "init",
        "--key",
        key.to_str().unwrap(),
        "--key-bits",
        "2048",
        "--password-file",
        password,
        "--out",
        out,
    ];
    fs::create_dir_all(Path::new(out).parent().unwrap()).unwrap();
    run_in(dir, "faketime", init, &[]).success();
    let due = iospki(dir, ["check", out, "--within", "30d", "--password-file", password]);
    assert!(due.fails_with(1).is_empty(), "{}", due.stderr());
    assert!(due.stdout().contains("EXPIRING "), "{}", due.stdout());
}

fn example(path: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(path)).unwrap()
}

/// `line` run by the shell in `dir`, with the iospki of this build for `./iospki` and `/usr/local/bin/iospki`.
fn shell(dir: &Path, line: &str, env: &[(&str, &str)]) -> Run {
    let binary = env!("CARGO_BIN_EXE_iospki");
    let line = line
        .replace("/usr/local/bin/iospki", binary)
        .replace("./iospki", binary);
    run_in(dir, "sh", ["-ec", line.as_str()], env)
}

#[test]
fn the_systemd_unit_renews_what_is_due_and_its_check_then_exits_0() {
    let dir = scratch("scheduled-systemd");
    let root = |path: &str| format!("{}{path}", dir.display());
    fs::create_dir_all(root("/etc/iospki")).unwrap();
    fs::create_dir_all(root("/var/lib/node_exporter/textfile")).unwrap();
    fs::write(root("/etc/iospki/store.pass"), format!("{PASSWORD}\n")).unwrap();
    let out = PathBuf::from(root("/var/lib/iospki/output"));
    aged_set(&dir, &out, Path::new(&root("/etc/iospki/store.pass")));
    let unit = example("systemd/iospki-rotate.service");
    let rooted = unit
        .replace("/etc/iospki/", &root("/etc/iospki/"))
        .replace("/var/lib/", &root("/var/lib/"));
    let environment: Vec<(String, String)> = rooted
        .lines()
        .filter_map(|l| l.strip_prefix("Environment=")?.split_once('='))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    let commands: Vec<&str> = rooted
        .lines()
        .filter_map(|l| {
            l.strip_prefix("ExecStart=")
                .or_else(|| l.strip_prefix("ExecStartPost="))
        })
        .collect();
    assert_eq!(commands.len(), 2, "{unit}");
    let env: Vec<(&str, &str)> = environment.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    // systemd's "-" lets the unit pass on a failure; here every command must succeed.
    let (rotate, check) = (commands[0], commands[1].trim_start_matches('-'));
    let due = shell(&dir, check, &env);
    due.fails_with(1);
    assert_only_due_lines(&due.stdout());
    shell(&dir, rotate, &env).success();
    let quiet = shell(&dir, check, &env).success();
    assert_eq!(quiet, "", "check -q of the renewed set prints nothing");
    // The old certificates are still due in the backup the rotation kept: asked for, check finds them.
    let password = root("/etc/iospki/store.pass");
    let with_backups = [
        "check",
        out.to_str().unwrap(),
        "--within",
        "30d",
        "--backups",
        "--password-file",
        &password,
    ];
    let backups = iospki(&dir, with_backups);
    backups.fails_with(1);
    assert!(backups.stdout().contains("/backup/"), "{}", backups.stdout());
    let prom = fs::read_to_string(root("/var/lib/node_exporter/textfile/iospki.prom")).unwrap();
    assert!(prom.contains("iospki_certificate_not_after"), "{prom}");
    // --no-public-roots: the cluster's own certificates only.
    assert!(prom.contains("alias=\"wso2carbon\""), "{prom}");
    assert!(
        !prom.contains("alias=\"usertrust-rsa-certification-authority\""),
        "{prom}"
    );
}

/// `stdout` holds lines, each one of a certificate that is due, and nothing else (no ok lines, no summary).
fn assert_only_due_lines(stdout: &str) {
    assert!(!stdout.is_empty());
    for line in stdout.lines() {
        let due =
            line.starts_with("EXPIRING ") || line.starts_with("EXPIRED ") || line.ends_with("OUTLIVES ITS ISSUER");
        assert!(due, "{stdout}");
    }
}

#[test]
fn the_ci_job_renews_what_is_due_and_its_check_then_exits_0() {
    let checkout = scratch("scheduled-ci");
    let out = checkout.join("pki/output");
    fs::write(checkout.join("store.pass"), PASSWORD).unwrap();
    aged_set(&checkout, &out, &checkout.join("store.pass"));
    fs::remove_file(checkout.join("store.pass")).unwrap();
    let jobs = YamlLoader::load_from_str(&example("ci/rotate.gitlab-ci.yml")).unwrap();
    let job = &jobs[0]["rotate-certificates"];
    let script = job["script"].as_vec().expect("a script");
    let mut checked = false;
    for line in script.iter().chain(job["after_script"].as_vec().unwrap()) {
        // The job lets the check exit 1 (something still due); here it must exit 0.
        let line = line.as_str().unwrap().replace(" || test $? -eq 1", "");
        let printed = shell(&checkout, &line, &[("IOSPKI_STORE_PASSWORD", PASSWORD)]).success();
        if line.contains("iospki check") {
            assert_eq!(printed, "", "check -q of the renewed set prints nothing");
            checked = true;
        }
    }
    assert!(checked, "the job checks the set");
    assert!(out.join("backup").is_dir(), "the rotation kept the old set");
    let rotated: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(checkout.join("rotate.json")).unwrap()).unwrap();
    assert_eq!(rotated["changed"], true, "{rotated}");
    assert!(
        !checkout.join("store.pass").exists(),
        "after_script removes the password file"
    );
}
