//! The tar bundles of Secure Vault sets (`init --secure-vault`): no file of any of them holds the stores'
//! password, in plain text or as JSON, XML or a .properties file would escape it, but those the server reads
//! without a SecretResolver (the Jaggery apps' JSON in SETTINGS.txt, the IoT Server's certificate-config.xml);
//! and each server's INSTALL.txt says how it gets the keystore password at start, for which no bundle has a file.
//! The Kubernetes output likewise holds it nowhere, and the command it gives makes the Secret of its own for it
//! (kubectl --dry-run=client).

use std::fs;
use std::path::{Path, PathBuf};

use base64ct::{Base64, Encoding};

use crate::util::{demo_key, iospki, run_with_stdin, scratch, tool};

/// A store password with every character the escapes of JSON, XML and .properties files change.
pub const PASSWORD: &str = "p@ss=w:rd#!\"<&'\\";

/// The forms `password` takes in the files iospki writes: as it is, in a JSON string, in XML text and
/// attributes, and as a .properties value.
fn forms(password: &str) -> Vec<String> {
    let json = serde_json::to_string(password).unwrap();
    let xml = password.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let mut properties = String::new();
    for c in password.chars() {
        if "\\=:#! ".contains(c) {
            properties.push('\\');
        }
        properties.push(c);
    }
    vec![
        password.to_owned(),
        json.trim_matches('"').to_owned(),
        xml.replace('"', "&quot;").replace('\'', "&apos;"),
        xml.replace('"', "&quot;").replace('\'', "&#39;"),
        xml,
        properties,
    ]
}

/// A Secure Vault set made in the scratch directory `name` with `args` and the store password [`PASSWORD`],
/// bundled into its `bundles/`, each archive unpacked into `unpacked/NODE/` by tar.
pub fn vault_bundles(name: &str, args: &[&str]) -> PathBuf {
    let dir = scratch(name);
    fs::write(dir.join("password"), PASSWORD).unwrap();
    let mut init = vec![
        "init",
        "--key-bits",
        "2048",
        "--password-file",
        "password",
        "--secure-vault",
    ];
    init.extend_from_slice(args);
    iospki(&dir, init).success();
    iospki(&dir, ["bundle"]).success();
    for entry in fs::read_dir(dir.join("bundles")).unwrap() {
        let path = entry.unwrap().path();
        let Some(node) = path.to_str().unwrap().strip_suffix(".tar.gz") else {
            continue;
        };
        let node = Path::new(node).file_name().unwrap().to_str().unwrap();
        let into = dir.join("unpacked").join(node);
        fs::create_dir_all(&into).unwrap();
        tool(
            &dir,
            "tar",
            ["-xzf", path.to_str().unwrap(), "-C", into.to_str().unwrap()],
        );
    }
    dir
}

/// The lines of the files below `dir` that hold `password` in one of its forms, as `NODE/PATH: LINE`.
pub fn lines_with(dir: &Path, password: &str) -> Vec<String> {
    let forms = forms(password);
    let mut found = Vec::new();
    for (name, _, bytes) in crate::ansible::tree(dir) {
        let Some(bytes) = bytes else { continue };
        let text = String::from_utf8_lossy(&bytes);
        let lines: Vec<String> = (text.lines())
            .filter(|line| forms.iter().any(|form| line.contains(form.as_str())))
            .map(|line| format!("{name}: {line}"))
            .collect();
        // A binary file: the password's bytes anywhere in it, across line ends too.
        if lines.is_empty() && bytes.windows(password.len()).any(|w| w == password.as_bytes()) {
            found.push(format!("{name}: (its bytes)"));
        }
        found.extend(lines);
    }
    found
}

/// Whether a line found by [`lines_with`] is in a file whose loader reads no Secure Vault alias: the Jaggery
/// apps' JSON of SETTINGS.txt, the IoT Server's certificate-config.xml.
fn allowed(line: &str) -> bool {
    let (path, text) = line.split_once(": ").unwrap();
    (path.ends_with("/SETTINGS.txt") && text.contains("\"keyStorePassword\""))
        || path.ends_with("/repository/conf/certificate-config.xml")
}

#[test]
fn no_file_of_a_vault_sets_tar_bundles_holds_the_password_but_those_read_without_secure_vault() {
    let key = demo_key();
    let cases: [(&str, Vec<&str>, bool); 3] = [
        ("vault-bundles-es", vec!["--product", "es"], true),
        ("vault-bundles-iot", vec!["--key", key.to_str().unwrap()], true),
        ("vault-bundles-is7", vec!["--product", "is", "--version", "7.1"], false),
    ];
    for (name, args, keeps_some) in cases {
        let dir = vault_bundles(name, &args);
        let found = lines_with(&dir.join("unpacked"), PASSWORD);
        let plain: Vec<&String> = found.iter().filter(|line| !allowed(line)).collect();
        assert!(plain.is_empty(), "{name}: the password in plain text:\n{plain:#?}");
        assert_eq!(!found.is_empty(), keeps_some, "{name}: {found:#?}");
        assert!(
            !dir.join("unpacked").join("nginx").join("password-tmp").exists(),
            "{name}: no bundle carries password-tmp"
        );
    }
}

#[test]
fn the_install_txt_of_a_vault_sets_servers_says_how_they_get_the_keystore_password_at_start() {
    let dir = vault_bundles("vault-bundles-install", &["--product", "es"]);
    for node in ["publisher-1", "store-2"] {
        let install = fs::read_to_string(dir.join("unpacked").join(node).join("INSTALL.txt")).unwrap();
        for says in [
            "<PRODUCT_HOME>/password-tmp, mode 0600, owned by the\n    server's user",
            "The server reads it and deletes it",
            "type it at the prompt",
        ] {
            assert!(install.contains(says), "{node}: no {says:?}:\n{install}");
        }
        assert!(!install.contains(PASSWORD), "{node}");
    }
    let nginx = fs::read_to_string(dir.join("unpacked/nginx/INSTALL.txt")).unwrap();
    assert!(!nginx.contains("password-tmp"), "{nginx}");
    let plain = scratch("vault-bundles-install-plain");
    iospki(&plain, ["init", "--product", "es", "--key-bits", "2048"]).success();
    iospki(&plain, ["bundle"]).success();
    let install = fs::read_to_string(plain.join("bundles/store-1/INSTALL.txt")).unwrap();
    assert!(
        !install.contains("password-tmp"),
        "a set without Secure Vault:\n{install}"
    );
}

/// The command a k8s output's `text` gives to make the password-tmp Secret, from its `(IFS= read` line on, with
/// a YAML comment's `# ` taken off each line.
fn secret_command(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(|l| l.strip_prefix("# ").unwrap_or(l).trim()).collect();
    let at = lines.iter().position(|l| l.starts_with("(IFS= read")).expect(text);
    format!("{} {}", lines[at], lines[at + 1])
}

#[test]
fn the_k8s_output_of_a_vault_set_holds_no_password_and_its_command_makes_the_password_tmp_secret() {
    let cases: [(&str, &[&str], &str, &str); 3] = [
        ("vault-k8s-es", &["--product", "es"], "k8s/kubectl/store.yaml", "es"),
        (
            "vault-k8s-is7",
            &["--product", "is", "--version", "7.1"],
            "k8s/INSTALL.txt",
            "is",
        ),
        (
            "vault-k8s-apim",
            &["--product", "apim", "--version", "4.4"],
            "k8s/INSTALL.txt",
            "apim",
        ),
    ];
    for (name, args, guide, prefix) in cases {
        let dir = vault_bundles(name, args);
        iospki(&dir, ["bundle", "--format", "k8s", "--out", "k8s"]).success();
        let found = lines_with(&dir.join("k8s"), PASSWORD);
        assert!(found.is_empty(), "{name}: the password in plain text:\n{found:#?}");
        let text = fs::read_to_string(dir.join(guide)).unwrap();
        let command = secret_command(&text) + " --dry-run=client -o json";
        let typed = format!("{PASSWORD}\n");
        let run = run_with_stdin(&dir, "bash", ["-c", command.as_str()], &[], Some(typed.as_bytes()));
        let secret: serde_json::Value = serde_json::from_str(&run.success()).unwrap();
        assert_eq!(secret["metadata"]["name"], format!("{prefix}-password-tmp"), "{name}");
        let data = secret["data"]["password-tmp"].as_str().unwrap();
        assert_eq!(Base64::decode_vec(data).unwrap(), typed.as_bytes(), "{name}");
        assert!(text.contains("cp /mnt/password-tmp/password-tmp"), "{name}: {text}");
        let chart = guide.ends_with("INSTALL.txt");
        if !chart {
            let k8s = dir.join("k8s");
            tool(&k8s, "helm", ["lint", "helm"]);
            let rendered = tool(&k8s, "helm", ["template", "es-pki", "helm"]);
            assert!(
                !rendered.contains("password-tmp"),
                "{name}: the chart holds no such Secret"
            );
        }
        assert_eq!(
            text.contains("The chart cannot take that Secret"),
            chart,
            "{name}: {text}"
        );
    }
}
