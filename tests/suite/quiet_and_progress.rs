//! What every command says, and where (docs/output.md): key generation shows its elapsed time and bundle its
//! count of nodes only on a terminal (a pty from util-linux `script`), never in a pipe or with `-q`; with `-q`,
//! init, rotate, bundle, verify and genkey print nothing at all when they succeed.

use std::fs;
use std::path::Path;

use crate::util::{Run, demo_key, iospki, run_in, scratch};

const FIVE_NODES: &str = "domain = \"iot.example.org\"\nkey_bits = 2048\n[hosts]\n\
    workers = [\"w1.iot.example.org\", \"w2.iot.example.org\"]\n\
    key_managers = [\"km1.iot.example.org\", \"km2.iot.example.org\"]\n";

/// `iospki ARGS` in `dir` on a pseudo-terminal: what the terminal showed, stdout and stderr together.
fn on_a_terminal(dir: &Path, args: &str) -> Run {
    let line = format!("{} {args}", env!("CARGO_BIN_EXE_iospki"));
    run_in(dir, "script", ["-qfec", line.as_str(), "/dev/null"], &[])
}

/// Whether `shown` has `what... ` followed by a time like `0.4 s`.
fn shows_elapsed_time(shown: &str, what: &str) -> bool {
    shown.split(&format!("iospki: {what}... ")).skip(1).any(|after| {
        let time = after.split(" s").next().unwrap_or_default();
        time.split_once('.')
            .is_some_and(|(s, tenth)| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && tenth.len() == 1)
    })
}

#[test]
fn key_generation_and_bundle_show_progress_on_a_terminal_and_the_total_stays() {
    let dir = scratch("progress-terminal");
    fs::write(dir.join("iospki.toml"), FIVE_NODES).unwrap();
    let key = demo_key();
    let init = format!(
        "init --config {0}/iospki.toml --key {1} --out {0}/output",
        dir.display(),
        key.display()
    );
    let shown = on_a_terminal(&dir, &init).success();
    assert!(shows_elapsed_time(&shown, "generating the keys (RSA-2048)"), "{shown}");
    // The last one stays, on a line of its own, before the list of what was written.
    let total = shown.lines().find(|l| l.contains("generating the keys")).unwrap();
    let total = total.rsplit('\r').find(|part| !part.is_empty()).unwrap();
    assert!(total.ends_with(" s"), "{total:?}");
    let bundle = format!("bundle {0}/output --out {0}/bundles", dir.display());
    let shown = on_a_terminal(&dir, &bundle).success();
    assert!(shown.contains("iospki: bundling node 6 of 6: nginx"), "{shown}");
    assert!(shown.contains("bundled 6 nodes into"), "{shown}");
    let genkey = format!("genkey --bits 2048 --out {}/new.key", dir.display());
    assert!(shows_elapsed_time(
        &on_a_terminal(&dir, &genkey).success(),
        "generating the key (RSA-2048)"
    ));
}

#[test]
fn without_a_terminal_or_with_q_there_is_no_progress() {
    let dir = scratch("progress-pipe");
    fs::write(dir.join("iospki.toml"), FIVE_NODES).unwrap();
    let key = demo_key();
    let init = iospki(
        &dir,
        ["init", "--config", "iospki.toml", "--key", key.to_str().unwrap()],
    );
    init.success();
    assert!(!init.stderr().contains("generating"), "{}", init.stderr());
    let bundle = iospki(&dir, ["bundle", "output"]);
    assert!(!bundle.success().contains("bundling node"));
    assert_eq!(bundle.stderr(), "");
    let quiet = format!(
        "-q init --force --key {} --key-bits 2048 --out {}/output",
        key.display(),
        dir.display()
    );
    assert_eq!(on_a_terminal(&dir, &quiet).success(), "", "-q on a terminal");
    let quiet = format!("bundle -q {0}/output --out {0}/bundles", dir.display());
    assert_eq!(on_a_terminal(&dir, &quiet).success(), "", "-q on a terminal");
}

/// Asserts that `run` succeeded with nothing on stdout nor stderr.
fn silent(run: &Run) {
    assert_eq!(run.success(), "");
    assert_eq!(run.stderr(), "", "{}", run.shown);
}

#[test]
fn q_makes_init_rotate_bundle_verify_and_genkey_silent_on_success_and_they_still_do_their_work() {
    let dir = scratch("quiet-commands");
    let key = demo_key();
    // The published default password's warning is left out too.
    silent(&iospki(
        &dir,
        ["init", "-q", "--key", key.to_str().unwrap(), "--key-bits", "2048"],
    ));
    assert!(dir.join("output/wso2carbon.jks").is_file());
    let serial = |dir: &Path| {
        let ssl = dir.join("output/ia.crt");
        crate::util::tool(
            dir,
            "openssl",
            ["x509", "-in", ssl.to_str().unwrap(), "-noout", "-serial"],
        )
    };
    let before = serial(&dir);
    silent(&iospki(&dir, ["rotate", "-q", "--ssl", "output"]));
    assert_ne!(serial(&dir), before, "the rotation renewed the SSL certificate");
    silent(&iospki(&dir, ["--quiet", "rotate", "output"]));
    silent(&iospki(&dir, ["bundle", "-q", "output"]));
    assert!(dir.join("bundles/nginx.tar.gz").is_file());
    silent(&iospki(&dir, ["verify", "-q", "output"]));
    silent(&iospki(&dir, ["genkey", "-q", "--bits", "2048", "--out", "new.key"]));
    assert!(dir.join("new.key").is_file());
    // The data asked for is not chatter: -q leaves --json as it is.
    let json = iospki(&dir, ["rotate", "-q", "--json", "output"]).success();
    assert!(json.contains("\"changed\": false"), "{json}");
    // Normal output has the summary lines.
    let bundled = iospki(&dir, ["bundle", "output"]).success();
    let tarballs = fs::read_dir(dir.join("bundles"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".tar.gz"))
        .count();
    assert_eq!(
        bundled.lines().last().unwrap(),
        format!("bundled {tarballs} nodes into bundles/ (tar)")
    );
}

#[test]
fn q_still_prints_the_problems_and_the_exit_code_and_q_with_v_is_refused() {
    let dir = scratch("quiet-problems");
    let key = demo_key();
    iospki(&dir, ["init", "--key", key.to_str().unwrap(), "--key-bits", "2048"]).success();
    fs::copy(dir.join("output/ca.crt"), dir.join("output/ia.crt")).unwrap();
    let normal = iospki(&dir, ["verify", "output"]);
    normal.fails_with(1);
    let quiet = iospki(&dir, ["verify", "-q", "output"]);
    quiet.fails_with(1);
    let stdout = normal.stdout();
    let problems: Vec<&str> = stdout.lines().filter(|l| l.starts_with("problem: ")).collect();
    assert!(!problems.is_empty());
    assert_eq!(quiet.stdout(), format!("{}\n", problems.join("\n")));
    for args in [["-q", "-v", "check", "output"], ["check", "output", "-v", "-q"]] {
        let refused = iospki(&dir, args).fails_with(2);
        assert!(
            refused.contains("'--quiet' cannot be used with '--verbose'"),
            "{refused}"
        );
    }
}
