//! No secret reaches stdout or stderr: every command runs with canary passwords and an encrypted key, and all
//! that was printed is searched for the passwords and for every line of every private key involved.

use crate::util;

use std::fs;

use crate::util::{iospki_env, run_in, scratch};

const STORE_PASSWORD: &str = "Canary-Store-Pw-7f3a";
const KEY_PASSWORD: &str = "Canary-Key-Pw-91bc";

#[test]
fn no_command_prints_a_password_or_key_material() {
    let dir = scratch("secrets");
    fs::write(dir.join("store.pass"), format!("{STORE_PASSWORD}\n")).unwrap();
    // The nginx key, encrypted, as an operator may keep it.
    let demo = util::demo_key();
    run_in(
        &dir,
        "openssl",
        [
            "rsa",
            "-in",
            demo.to_str().unwrap(),
            "-aes256",
            "-passout",
            "env:KP",
            "-out",
            "nginx.key",
        ],
        &[("KP", KEY_PASSWORD)],
    )
    .success();
    let env = [("IOSPKI_KEY_PASSWORD", KEY_PASSWORD)];
    let commands: Vec<Vec<&str>> = vec![
        vec![
            "init",
            "--key",
            "nginx.key",
            "--key-bits",
            "2048",
            "--password-file",
            "store.pass",
        ],
        vec![
            "inspect",
            "--password-file",
            "store.pass",
            "output/wso2certs.jks",
            "output/KEYSTORE.p12",
            "output/ia.key",
            "nginx.key",
        ],
        vec![
            "inspect",
            "--json",
            "--password-file",
            "store.pass",
            "output/wso2carbon.jks",
        ],
        vec!["verify", "--password-file", "store.pass", "output"],
        vec!["verify", "--json", "--password-file", "store.pass", "output"],
        vec!["check", "--password-file", "store.pass", "--within", "400d", "output"],
        vec!["rotate", "--ssl", "--rekey", "--password-file", "store.pass", "output"],
        vec!["rotate", "--json", "--ca", "--password-file", "store.pass", "output"],
        vec!["bundle", "output", "--out", "bundles"],
        vec![
            "verify",
            "--password-file",
            "store.pass",
            "--bundle",
            "bundles/mgt.iots310.wso2.com.tar.gz",
        ],
        vec!["bundle", "output", "--format", "k8s", "--out", "k8s"],
        vec!["genkey", "--out", "extra.key", "--bits", "2048"],
        vec!["init", "--key", "nginx.key", "--password-file", "wrong-file"],
        vec!["inspect", "output/wso2certs.jks"],
    ];
    let mut printed = String::new();
    for args in &commands {
        let run = iospki_env(&dir, args, &env);
        printed.push_str(&run.stdout());
        printed.push_str(&run.stderr());
    }
    assert!(
        printed.contains("renew wso2carbon (SSL)"),
        "the commands did not run:\n{printed}"
    );
    assert!(
        printed.contains("k8s/kubectl/manager-ca.yaml"),
        "no ConfigMap:\n{printed}"
    );
    // The ConfigMaps are the public part of the Kubernetes output: they are checked like the output.
    for role in ["manager", "worker", "key-manager", "nginx"] {
        printed.push_str(&fs::read_to_string(dir.join(format!("k8s/kubectl/{role}-ca.yaml"))).unwrap());
    }
    for password in [STORE_PASSWORD, KEY_PASSWORD] {
        assert!(!printed.contains(password), "a password was printed");
    }
    let mut keys = vec![
        fs::read_to_string(&demo).unwrap(),
        fs::read_to_string(dir.join("extra.key")).unwrap(),
    ];
    for backup in fs::read_dir(dir.join("output/backup")).unwrap() {
        let backup = backup.unwrap().path();
        for name in ["ca_private.pem", "ra_private.key", "ia.key"] {
            keys.push(fs::read_to_string(backup.join(name)).unwrap());
        }
    }
    for name in ["ca_private.pem", "ra_private.key", "ia.key"] {
        keys.push(fs::read_to_string(dir.join("output").join(name)).unwrap());
    }
    for key in &keys {
        for line in key.lines().filter(|l| l.len() >= 40 && !l.starts_with("-----")) {
            assert!(!printed.contains(line), "a line of a private key was printed");
        }
    }
}
