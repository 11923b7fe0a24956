//! init and rotate end with the next commands to run; each command line of them is run by sh exactly as printed,
//! from another directory, in a set whose path the shell would split: the bundles it makes are the nodes' and
//! `verify --bundle` passes on them; after a CA rotation, keytool drops the old CA as printed and the new bundles
//! no longer trust it.

use std::fs;
use std::path::Path;

use crate::util::{self, iospki, keytool_list, scratch};

const PASSWORD: &str = "next-steps-pw";

/// A fresh directory whose name needs quoting, holding a password file; init's output goes to `output` in it.
fn set_dir(name: &str) -> std::path::PathBuf {
    let dir = scratch(&format!("{name} it's here"));
    fs::write(dir.join("pw.txt"), format!("{PASSWORD}\n")).unwrap();
    dir
}

/// The lines of the next: block of `stdout`, as printed (the paths the command was given, not shortened).
fn next_block(stdout: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(stdout);
    let (_, block) = text
        .split_once("\nnext:\n")
        .unwrap_or_else(|| panic!("no next: block in\n{text}"));
    block.lines().map(str::to_owned).collect()
}

/// The command lines of a next: block: what it says to run, indented four spaces.
fn commands(block: &[String]) -> Vec<String> {
    block
        .iter()
        .filter_map(|line| line.strip_prefix("    "))
        .filter(|line| line.starts_with("iospki ") || line.starts_with("keytool "))
        .map(str::to_owned)
        .collect()
}

/// Runs `line` with sh from a directory of its own, iospki on the PATH and `stdin` on its input; asserts success.
fn sh(line: &str, stdin: &str) -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_iospki")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let env = [("PATH", path.as_str())];
    util::run_with_stdin(util::elsewhere(), "sh", ["-c", line], &env, Some(stdin.as_bytes())).success()
}

#[test]
fn init_ends_with_the_bundle_the_check_the_settings_of_each_role_and_the_restart_order() {
    let dir = set_dir("next-init");
    let run = util::demo_init(&dir, &["--password-file", "pw.txt"]);
    run.success();
    let block = next_block(&run.output.stdout);
    let stdout = run.stdout();
    assert!(
        stdout.find("\nnext:\n") > stdout.find("\nissued:\n"),
        "the next steps end stdout: {stdout}"
    );
    let commands = commands(&block);
    assert_eq!(commands.len(), 2, "{block:#?}");
    assert!(commands[0].starts_with("iospki bundle '"), "{}", commands[0]);
    assert!(commands[1].contains(" --password-file '"), "{}", commands[1]);
    let listed = sh(&commands[0], "");
    assert!(listed.contains("mgt.iots310.wso2.com.tar.gz  manager"), "{listed}");
    let verified = sh(&commands[1], "");
    assert!(verified.contains("4 bundles: 0 problem(s)"), "{verified}");

    let settings: Vec<&String> = block.iter().filter(|line| line.contains("/SETTINGS.txt")).collect();
    assert_eq!(settings.len(), 3, "{block:#?}");
    for (line, (role, node)) in settings.iter().zip([
        ("manager", "mgt.iots310.wso2.com"),
        ("worker", "iots310.wso2.com"),
        ("key manager", "keymgt.iots310.wso2.com"),
    ]) {
        assert!(line.trim_start().starts_with(role), "{line}");
        // The path as printed, read by the shell: the file of the role's first node.
        let path = line.trim_start().strip_prefix(role).unwrap().trim_start();
        let text = sh(&format!("cat {path}"), "");
        assert_eq!(
            text,
            fs::read_to_string(dir.join(format!("bundles/{node}/SETTINGS.txt"))).unwrap()
        );
        assert!(text.contains(&format!("<HostName>{node}</HostName>")), "{text}");
    }
    let order = block.last().unwrap();
    assert!(
        order.contains("in this order (site.yml's): mgt.iots310.wso2.com, iots310.wso2.com, keymgt.iots310.wso2.com; then nginx: nginx -t && systemctl reload nginx"),
        "{order}"
    );
}

#[test]
fn a_ca_rotation_ends_with_its_three_rounds_whose_commands_run_as_printed() {
    let dir = set_dir("next-rotate");
    util::demo_init(&dir, &["--password-file", "pw.txt"]).success();
    let old_serial = fs::read_to_string(dir.join("output/iospki-ledger.json")).unwrap();
    let run = iospki(&dir, ["rotate", "output", "--ca", "--password-file", "pw.txt"]);
    run.success();
    let block = next_block(&run.output.stdout);
    for round in [
        "1. trust: install only client-truststore.jks",
        "2. swap: install the rest",
        "3. drop the old CA",
    ] {
        assert!(block.iter().any(|line| line.contains(round)), "{round}: {block:#?}");
    }
    let commands = commands(&block);
    let [bundle, verify, keytool, bundle_again] = &commands[..] else {
        panic!("{commands:#?}")
    };
    assert_eq!(bundle, bundle_again);
    assert!(keytool.contains(" -alias cacert-"), "{keytool}");
    let earlier = keytool.rsplit(' ').next().unwrap();
    assert!(
        old_serial
            .to_lowercase()
            .contains(earlier.trim_start_matches("cacert-")),
        "{earlier}"
    );

    sh(bundle, "");
    let verified = sh(verify, "");
    assert!(verified.contains("4 bundles: 0 problem(s)"), "{verified}");
    let truststore = "repository/resources/security/client-truststore.jks";
    let manager = dir.join("bundles/mgt.iots310.wso2.com");
    assert!(keytool_list(&manager, truststore, PASSWORD).contains(&format!("Alias name: {earlier}\n")));

    // The last round: keytool asks for the store password on its input, as it does on a terminal.
    sh(keytool, &format!("{PASSWORD}\n"));
    sh(bundle_again, "");
    let verified = sh(verify, "");
    assert!(verified.contains("4 bundles: 0 problem(s)"), "{verified}");
    let listed = keytool_list(&manager, truststore, PASSWORD);
    assert!(!listed.contains(&format!("Alias name: {earlier}\n")), "{listed}");
    assert!(listed.contains("Alias name: cacert\n"), "{listed}");
}

#[test]
fn a_renewal_without_the_ca_installs_and_restarts_and_json_and_nothing_due_print_no_steps() {
    let dir = set_dir("next-renew");
    util::demo_init(&dir, &[]).success();
    let run = iospki(&dir, ["rotate", "output", "--ssl"]);
    run.success();
    let block = next_block(&run.output.stdout);
    assert!(
        !block
            .iter()
            .any(|line| line.contains("round") || line.contains("keytool")),
        "{block:#?}"
    );
    let commands = commands(&block);
    assert_eq!(commands.len(), 2, "{block:#?}");
    assert!(
        !commands[1].contains("--password-file"),
        "the default password needs no flag: {}",
        commands[1]
    );
    sh(&commands[0], "");
    assert!(sh(&commands[1], "").contains("4 bundles: 0 problem(s)"));

    let json = iospki(&dir, ["rotate", "output", "--ssl", "--json"]).success();
    serde_json::from_str::<serde_json::Value>(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let nothing = iospki(&dir, ["rotate", "output"]).success();
    assert!(!nothing.contains("next:"), "{nothing}");
}
