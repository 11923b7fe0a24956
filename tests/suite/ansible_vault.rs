//! The Ansible project of a Secure Vault set (Enterprise Store, `init --secure-vault`), run by ansible-playbook
//! as root on homes that the server's account (uid 65534) owns: the keystore password, given encrypted with
//! `ansible-vault encrypt_string` as `iospki_keystore_password`, is in `HOME/password-tmp`, one line, 0600 and the
//! account's, when each server's restart command runs, and only then; a run without it stops before any node is
//! touched; a link the account planted at password-tmp is refused and its target untouched; and the password is
//! never in ansible-playbook's output, even with -v -v.

use std::fs;
use std::path::{Path, PathBuf};

use crate::ansible::{NODES, fleet_of, node_vars, playbook};
use crate::util::{Run, run_with_stdin, tool};
use crate::vault_bundles::{PASSWORD, lines_with};

/// The servers, which restart with the password; nginx has no Secure Vault.
const SERVERS: [&str; 4] = ["publisher-1", "publisher-2", "store-1", "store-2"];

/// A vault set's fleet `name`, its homes the account's, each server's restart command recording what it finds
/// at `HOME/password-tmp` (mode, owner and content, in `DIR/seen/NODE`) and deleting it, as the server does.
fn vault_fleet(name: &str) -> PathBuf {
    let dir = fleet_of(name, PASSWORD, None, &["--secure-vault"]);
    let homes = NODES.map(|node| format!("homes/{node}"));
    tool(
        &dir,
        "chown",
        [&["-R", "65534:65534"], homes.each_ref().map(String::as_str).as_slice()].concat(),
    );
    fs::create_dir(dir.join("seen")).unwrap();
    for node in SERVERS {
        node_vars(&dir, node, false);
        let (home, seen) = (dir.join("homes").join(node), dir.join("seen").join(node));
        let (home, seen) = (home.display(), seen.display());
        let restart = format!(
            "iospki_restart: \"test -f {home}/password-tmp && stat -c '%a %u:%g' {home}/password-tmp > {seen} \
             && cat {home}/password-tmp >> {seen} && rm {home}/password-tmp\"\n"
        );
        let vars = dir.join(format!("ansible/host_vars/{node}.yml"));
        let kept: String = (fs::read_to_string(&vars).unwrap().lines())
            .filter(|line| !line.starts_with("iospki_restart:"))
            .map(|line| format!("{line}\n"))
            .collect();
        fs::write(vars, kept + &restart).unwrap();
    }
    dir
}

/// `iospki_keystore_password` encrypted with ansible-vault under `DIR/vault-pass`, added to group_vars/all.yml.
fn give_password(dir: &Path) {
    fs::write(dir.join("vault-pass"), "vault-secret\n").unwrap();
    let home = dir.join("ansible-home");
    let args = [
        "encrypt_string",
        "--vault-password-file",
        "../vault-pass",
        "--stdin-name",
        "iospki_keystore_password",
    ];
    let config = home.join("ansible.cfg");
    let env = [
        ("HOME", home.to_str().unwrap()),
        ("ANSIBLE_CONFIG", config.to_str().unwrap()),
    ];
    let run = run_with_stdin(
        &dir.join("ansible"),
        "ansible-vault",
        args,
        &env,
        Some(PASSWORD.as_bytes()),
    );
    let encrypted = run.success();
    let all = dir.join("ansible/group_vars/all.yml");
    let vars = fs::read_to_string(&all).unwrap() + &encrypted + "\n";
    fs::write(all, vars).unwrap();
}

/// site.yml with the vault password and -v -v, and `extra`; asserts that no form of the password is in its
/// output.
fn site(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["site.yml", "-v", "-v", "--vault-password-file", "../vault-pass"];
    args.extend_from_slice(extra);
    let run = playbook(dir, &args);
    let output = dir.join("playbook-output");
    fs::create_dir_all(&output).unwrap();
    fs::write(output.join("stdout"), run.stdout()).unwrap();
    fs::write(output.join("stderr"), run.stderr()).unwrap();
    let found = lines_with(&output, PASSWORD);
    assert!(
        found.is_empty(),
        "the password in ansible-playbook's output: {found:#?}"
    );
    run
}

/// What each server's restart found at password-tmp, `None` where it did not run.
fn seen(dir: &Path) -> Vec<Option<String>> {
    SERVERS
        .iter()
        .map(|node| fs::read_to_string(dir.join("seen").join(node)).ok())
        .collect()
}

#[test]
fn each_server_finds_its_keystore_password_in_password_tmp_at_restart_and_only_when_it_restarts() {
    let dir = vault_fleet("ansible-vault-site");
    give_password(&dir);
    let out = site(&dir, &[]).success();
    let want = Some(format!("600 65534:65534\n{PASSWORD}\n"));
    assert_eq!(seen(&dir), vec![want; 4], "{out}");
    let inventory = fs::read_to_string(dir.join("ansible/inventory.yml")).unwrap();
    assert!(inventory.contains("ansible-vault encrypt_string"), "{inventory}");

    fs::remove_dir_all(dir.join("seen")).unwrap();
    fs::create_dir(dir.join("seen")).unwrap();
    let out = site(&dir, &[]).success();
    assert_eq!(seen(&dir), vec![None; 4], "nothing changed, no restart:\n{out}");
    for node in NODES {
        assert!(!dir.join("homes").join(node).join("password-tmp").exists(), "{node}");
    }
}

#[test]
fn a_vault_set_without_the_keystore_password_stops_before_any_node_is_touched() {
    let dir = vault_fleet("ansible-vault-missing");
    fs::write(dir.join("vault-pass"), "vault-secret\n").unwrap();
    let run = site(&dir, &[]);
    let out = run.stdout();
    assert_ne!(run.code(), Some(0), "{out}");
    assert!(
        out.contains("its set uses Secure Vault") && out.contains("iospki_keystore_password"),
        "{out}"
    );
    for node in NODES {
        let home = dir.join("homes").join(node);
        assert_eq!(
            tool(&dir, "find", [home.to_str().unwrap(), "-mindepth", "1"]),
            "",
            "{node}"
        );
    }
    assert_eq!(seen(&dir), vec![None; 4]);
}

#[test]
fn a_link_planted_at_password_tmp_is_refused_and_its_target_untouched() {
    let dir = vault_fleet("ansible-vault-link");
    give_password(&dir);
    fs::create_dir(dir.join("outside")).unwrap();
    fs::write(dir.join("outside/shadow"), "root-only secret\n").unwrap();
    let link = dir.join("homes/publisher-1/password-tmp");
    std::os::unix::fs::symlink(dir.join("outside/shadow"), &link).unwrap();
    tool(&dir, "chown", ["-h", "65534:65534", link.to_str().unwrap()]);
    let run = site(&dir, &["--limit", "publisher-1"]);
    let out = run.stdout();
    assert_ne!(run.code(), Some(0), "{out}");
    assert!(
        out.contains("password-tmp is a symbolic link, not a regular file"),
        "{out}"
    );
    assert_eq!(
        fs::read_to_string(dir.join("outside/shadow")).unwrap(),
        "root-only secret\n"
    );
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(seen(&dir), vec![None; 4], "no restart:\n{out}");
}
