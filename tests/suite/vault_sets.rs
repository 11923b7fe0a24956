//! Sets made with `init --secure-vault`, as a WSO2 server decrypts them at start: a node's tar bundle unpacked
//! over a server home, the keystore password written to password-tmp as the operator does, then
//! tests/java/SecureVault.java reads secret-conf.properties, decrypts every alias of cipher-text.properties as
//! org.wso2.securevault's file repository does and opens each store with the plaintext of its alias. Also after
//! `rotate`: a kept key keeps the values, a new key gets new ones that decrypt.

use std::path::{Path, PathBuf};

use base64ct::Encoding;

use crate::util::{elsewhere, iospki, scratch, secure_vault, tool};

/// Every ASCII character a password may hold that a properties file, XML, JSON or TOML escapes.
const PASSWORD: &str = "p@ss=w:rd#!\"<&'\\ ${x}[y]é";

/// password-tmp is read with the JVM's default charset, so the one the servers are given here is ASCII.
const ASCII_PASSWORD: &str = "p@ss=w:rd#!\"<&'\\ ${x}[y]";

/// A vault set made in a fresh scratch directory `name` with `product` (flags), its server home `home/` named as
/// `--server-home`.
struct VaultSet {
    dir: PathBuf,
}

impl VaultSet {
    fn new(name: &str, product: &[&str], password: &str) -> VaultSet {
        let dir = scratch(name);
        std::fs::write(dir.join("password"), format!("{password}\n")).unwrap();
        let home = dir.join("home");
        let mut args = vec!["init", "--key-bits", "2048", "--secure-vault"];
        args.extend_from_slice(product);
        let (out, password_file) = (dir.join("output"), dir.join("password"));
        let paths = [
            "--out",
            out.to_str().unwrap(),
            "--password-file",
            password_file.to_str().unwrap(),
            "--server-home",
            home.to_str().unwrap(),
        ];
        args.extend_from_slice(&paths);
        iospki(elsewhere(), args).success();
        VaultSet { dir }
    }

    fn out(&self) -> PathBuf {
        self.dir.join("output")
    }

    /// The bundle of `node`, made anew and unpacked over a fresh home, with password-tmp holding `password`.
    fn home(&self, node: &str, password: &str) -> PathBuf {
        let bundles = self.dir.join("bundles");
        let _ = std::fs::remove_dir_all(&bundles);
        let out = self.out();
        iospki(
            elsewhere(),
            ["bundle", out.to_str().unwrap(), "--out", bundles.to_str().unwrap()],
        )
        .success();
        let home = self.dir.join("home");
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir(&home).unwrap();
        let archive = bundles.join(format!("{node}.tar.gz"));
        tool(
            elsewhere(),
            "tar",
            ["-xzpf", archive.to_str().unwrap(), "-C", home.to_str().unwrap()],
        );
        std::fs::write(home.join("password-tmp"), format!("{password}\n")).unwrap();
        home
    }

    /// `rotate` of the set with `flags`; its output.
    fn rotate(&self, flags: &[&str]) -> String {
        let (out, password) = (self.out(), self.dir.join("password"));
        let mut args = vec![
            "rotate",
            out.to_str().unwrap(),
            "--password-file",
            password.to_str().unwrap(),
        ];
        args.extend_from_slice(flags);
        iospki(elsewhere(), args).success()
    }

    fn cipher_text(&self) -> String {
        std::fs::read_to_string(self.out().join("cipher-text.properties")).unwrap()
    }
}

/// Carbon 4.4's aliases, each opening the store carbon.xml and catalina-server.xml use it for.
const CARBON_STORES: &[(&str, &str)] = &[
    (
        "repository/resources/security/wso2carbon.jks",
        "Carbon.Security.KeyStore.Password",
    ),
    (
        "repository/resources/security/wso2carbon.jks",
        "Server.Service.Connector.keystorePass",
    ),
    (
        "repository/resources/security/client-truststore.jks",
        "Carbon.Security.TrustStore.Password",
    ),
];

const CARBON_ALIASES: [&str; 4] = [
    "Server.Service.Connector.keystorePass",
    "Carbon.Security.KeyStore.Password",
    "Carbon.Security.KeyStore.KeyPassword",
    "Carbon.Security.TrustStore.Password",
];

/// The server decrypts every alias of `home` to `password`, and each store opens with it.
fn server_starts(home: &Path, conf: &str, stores: &[(&str, &str)], aliases: &[&str], password: &str) {
    let vault = secure_vault(home, conf, stores);
    let expected: Vec<(&str, &str)> = aliases.iter().map(|alias| (*alias, password)).collect();
    vault.assert_all_open(home, &expected);
    assert_eq!(vault.secrets.len(), aliases.len(), "{}", vault.run.stdout());
}

#[test]
fn an_enterprise_store_node_decrypts_every_password_from_its_bundle() {
    let set = VaultSet::new("vault-es", &["--product", "es"], ASCII_PASSWORD);
    let home = set.home("store-1", ASCII_PASSWORD);
    server_starts(&home, "repository/conf", CARBON_STORES, &CARBON_ALIASES, ASCII_PASSWORD);
    let conf = std::fs::read_to_string(home.join("repository/conf/security/secret-conf.properties")).unwrap();
    let location = format!(
        "\nkeystore.identity.location={}/repository/resources/security/wso2carbon.jks\n",
        home.display()
    );
    assert!(conf.contains(&location), "{conf}");
}

#[test]
fn an_iot_core_node_keeps_secure_vault_under_conf() {
    let key = crate::util::demo_key();
    let set = VaultSet::new("vault-iot", &["--key", key.to_str().unwrap()], ASCII_PASSWORD);
    let home = set.home("mgt.iots310.wso2.com", ASCII_PASSWORD);
    let settings = std::fs::read_to_string(home.join("SETTINGS.txt")).unwrap();
    let section = "\n== conf/security/cipher-tool.properties, beside the lines it ships (for the cipher tool on the node)\n\
        Server.Service.Connector.keystorePass=conf/tomcat/catalina-server.xml//Server/Service/Connector[@keystorePass],true\n";
    assert!(settings.contains(section), "{settings}");
    server_starts(&home, "conf", CARBON_STORES, &CARBON_ALIASES, ASCII_PASSWORD);
}

#[test]
fn an_identity_server_7_node_decrypts_its_secrets_and_opens_all_four_stores() {
    deployment_toml_node_starts("vault-is71", &["--product", "is", "--version", "7.1"], "is-1", "p12");
}

#[test]
fn an_identity_server_7_node_decrypts_aes_values_with_the_secret_key_of_its_internal_store() {
    let product = ["--product", "is", "--version", "7.2", "--vault-cipher", "symmetric"];
    let set = deployment_toml_node_starts("vault-is72-aes", &product, "is-1", "p12");
    let conf = std::fs::read_to_string(set.out().join("secret-conf.properties")).unwrap();
    for line in [
        "secretRepositories.file.encryptionMode=symmetric",
        "keystore.identity.alias=securevault",
    ] {
        assert!(conf.lines().any(|l| l == line), "{line}\n{conf}");
    }
    let listing = crate::util::keytool_list(&set.out(), "internal.p12", ASCII_PASSWORD);
    assert!(
        listing.contains("Alias name: securevault\nCreation date: ") && listing.contains("Entry type: SecretKeyEntry"),
        "{listing}"
    );
    // A CA rotation with new keys keeps the internal key and the AES key, and so every value.
    let first = set.cipher_text();
    set.rotate(&["--ca", "--rekey"]);
    assert_eq!(set.cipher_text(), first);
    let home = set.home("is-1", ASCII_PASSWORD);
    let vault = secure_vault(&home, "repository/conf", &[]);
    vault.assert_all_open(&home, &[("keystore_tls_password", ASCII_PASSWORD)]);
}

#[test]
fn verify_finds_an_aes_value_whose_tag_does_not_check() {
    let product = ["--product", "is", "--version", "7.1", "--vault-cipher", "symmetric"];
    let set = VaultSet::new("vault-aes-verify", &product, ASCII_PASSWORD);
    // The server renders cipher-text.properties from deployment.toml's [secrets].
    let file = set.out().join("deployment-security.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("keystore_tls_password = "))
        .unwrap();
    let (alias, value) = line.split_once(" = ").unwrap();
    let json = base64ct::Base64::decode_vec(value.trim_matches('"')).unwrap();
    let mut json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let mut sealed = base64ct::Base64::decode_vec(json["cipherText"].as_str().unwrap()).unwrap();
    sealed[0] ^= 1;
    json["cipherText"] = base64ct::Base64::encode_string(&sealed).into();
    let tampered = base64ct::Base64::encode_string(json.to_string().as_bytes());
    std::fs::write(&file, text.replace(line, &format!("{alias} = \"{tampered}\""))).unwrap();
    let (out, password) = (set.out(), set.dir.join("password"));
    let run = iospki(
        elsewhere(),
        [
            "verify",
            out.to_str().unwrap(),
            "--password-file",
            password.to_str().unwrap(),
        ],
    );
    run.fails_with(1);
    let stdout = run.stdout();
    assert!(stdout.contains("keystore_tls_password: does not decrypt"), "{stdout}");
}

#[test]
fn the_symmetric_cipher_is_refused_where_the_server_or_the_store_cannot_take_it() {
    for (product, reason) in [
        (
            &["--product", "is", "--version", "7.0"][..],
            "Identity Server 7.0's Secure Vault decrypts only",
        ),
        (
            &["--product", "apim", "--version", "4.6"][..],
            "API Manager 4.6's Secure Vault decrypts only",
        ),
        (
            &["--product", "es"][..],
            "Enterprise Store's Secure Vault decrypts only",
        ),
        (
            &["--product", "is", "--version", "7.1", "--store-type", "jks"][..],
            "only PKCS#12 stores hold",
        ),
    ] {
        let dir = scratch("vault-aes-refused");
        let out = dir.join("output");
        let mut args = vec![
            "init",
            "--secure-vault",
            "--vault-cipher",
            "symmetric",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(product);
        let stderr = iospki(elsewhere(), args).fails_with(2);
        assert!(
            stderr.starts_with("iospki: vault cipher: symmetric: ") && stderr.contains(reason),
            "{stderr}"
        );
        assert!(!out.exists());
    }
}

#[test]
fn an_api_manager_4_node_decrypts_its_secrets_and_opens_its_jks_stores() {
    deployment_toml_node_starts(
        "vault-apim44",
        &["--product", "apim", "--version", "4.4"],
        "apim-1",
        "jks",
    );
}

/// A node of a deployment.toml product's vault set, its stores of `extension`, starts as the server does; its
/// cipher-text.properties holds what deployment-security.toml's `[secrets]` does.
fn deployment_toml_node_starts(name: &str, product: &[&str], node: &str, extension: &str) -> VaultSet {
    let set = VaultSet::new(name, product, ASCII_PASSWORD);
    let home = set.home(node, ASCII_PASSWORD);
    let security = "repository/resources/security";
    let stores: Vec<(String, &str)> = [
        ("primary", "keystore_primary_password"),
        ("internal", "keystore_internal_key_password"),
        ("tls", "keystore_tls_password"),
        ("client-truststore", "truststore_password"),
    ]
    .iter()
    .map(|(file, alias)| (format!("{security}/{file}.{extension}"), *alias))
    .collect();
    let stores: Vec<(&str, &str)> = stores.iter().map(|(file, alias)| (file.as_str(), *alias)).collect();
    let aliases = [
        "keystore_primary_password",
        "keystore_primary_key_password",
        "keystore_internal_password",
        "keystore_internal_key_password",
        "keystore_tls_password",
        "keystore_tls_key_password",
        "truststore_password",
    ];
    server_starts(&home, "repository/conf", &stores, &aliases, ASCII_PASSWORD);
    // The server renders cipher-text.properties from deployment.toml's [secrets]: the same values.
    let toml = std::fs::read_to_string(set.out().join("deployment-security.toml")).unwrap();
    for line in set.cipher_text().lines().filter(|l| !l.starts_with('#')) {
        let (alias, value) = line.split_once('=').unwrap();
        let value = value.replace("\\=", "=");
        assert!(toml.contains(&format!("\n{alias} = \"{value}\"\n")), "{alias}\n{toml}");
        assert!(toml.contains(&format!("\"$secret{{{alias}}}\"")), "{alias}\n{toml}");
    }
    set
}

#[test]
fn every_character_of_a_password_survives_the_properties_file() {
    let set = VaultSet::new("vault-chars", &["--product", "is"], PASSWORD);
    let key = set.out().join("ssl.key");
    for line in set.cipher_text().lines().filter(|l| !l.starts_with('#')) {
        let value = line.split_once('=').unwrap().1.replace("\\=", "=");
        let ciphertext = set.dir.join("value.bin");
        std::fs::write(&ciphertext, base64ct::Base64::decode_vec(&value).unwrap()).unwrap();
        let plain = tool(
            elsewhere(),
            "openssl",
            [
                "pkeyutl",
                "-decrypt",
                "-inkey",
                key.to_str().unwrap(),
                "-pkeyopt",
                "rsa_padding_mode:pkcs1",
                "-in",
                ciphertext.to_str().unwrap(),
            ],
        );
        assert_eq!(plain, PASSWORD, "{line}");
    }
}

#[test]
fn a_renewal_keeps_the_values_its_key_decrypts_and_a_new_key_gets_new_ones() {
    let set = VaultSet::new("vault-rotate", &["--product", "appm"], ASCII_PASSWORD);
    let first = set.cipher_text();
    let kept = set.rotate(&["--ssl"]);
    assert_eq!(set.cipher_text(), first, "the key is kept: so are the values");
    assert!(!kept.contains("Secure Vault"), "{kept}");
    let renewed = set.rotate(&["--ssl", "--rekey"]);
    let said = format!(
        "Secure Vault: {} encrypted again under the new key",
        CARBON_ALIASES.join(", ")
    );
    assert!(renewed.contains(&said), "{renewed}");
    let rekeyed = set.cipher_text();
    for line in first.lines().filter(|l| !l.starts_with('#')) {
        assert!(!rekeyed.contains(line), "{line} was kept under a new key");
    }
    let home = set.home("gateway-1", ASCII_PASSWORD);
    server_starts(&home, "repository/conf", CARBON_STORES, &CARBON_ALIASES, ASCII_PASSWORD);
}

#[test]
fn a_password_longer_than_the_key_encrypts_is_one_line_and_nothing_written() {
    let dir = scratch("vault-long");
    std::fs::write(dir.join("password"), "a".repeat(246)).unwrap();
    let (out, password) = (dir.join("output"), dir.join("password"));
    let args = [
        "init",
        "--product",
        "es",
        "--key-bits",
        "2048",
        "--secure-vault",
        "--out",
    ];
    let run = iospki(
        elsewhere(),
        args.iter()
            .copied()
            .chain([out.to_str().unwrap(), "--password-file", password.to_str().unwrap()]),
    );
    let stderr = run.fails_with(2);
    assert_eq!(
        stderr,
        "iospki: the store password: Secure Vault: it is 246 bytes (UTF-8), longer than the 245 that RSA PKCS#1 \
         v1.5 encrypts with this key; choose a shorter one\n"
    );
    assert!(!out.exists());
}

#[test]
fn no_tar_bundle_holds_the_password_where_the_server_reads_it_through_secure_vault() {
    let set = VaultSet::new("vault-grep", &["--product", "es"], ASCII_PASSWORD);
    let home = set.home("publisher-1", ASCII_PASSWORD);
    std::fs::remove_file(home.join("password-tmp")).unwrap();
    // The password's start, which no file format escapes.
    let found = tool(elsewhere(), "grep", ["-rlF", "--", "p@ss=w:rd", home.to_str().unwrap()]);
    // Only the Jaggery apps' JSON lines of SETTINGS.txt: Jaggery reads them without a SecretResolver.
    assert_eq!(found.trim(), home.join("SETTINGS.txt").to_str().unwrap());
    let settings = std::fs::read_to_string(home.join("SETTINGS.txt")).unwrap();
    let holding: Vec<&str> = settings.lines().filter(|l| l.contains("p@ss=w:rd")).collect();
    assert_eq!(holding.len(), 1, "{settings}");
    assert!(holding[0].starts_with("\"keyStorePassword\": "), "{settings}");
}
