//! Secure Vault homes as a WSO2 server decrypts them at start: tests/java/SecureVault.java reads
//! secret-conf.properties, takes the keystore password from password-tmp (and deletes it), decrypts each
//! secret of cipher-text.properties as org.wso2.securevault's file repository does and opens stores with the
//! plaintexts. The homes here are made with keytool and openssl alone (and, for the AES cipher texts, whose key
//! only Java can read out of the store keytool made, tests/java/VaultSeal.java), so that what the harness
//! accepts is known before it judges homes made from iospki's bundles.

use std::path::{Path, PathBuf};

use base64ct::{Base64, Encoding};

use crate::util::{self, Secret, elsewhere, scratch, secure_vault, tool};

const CONF: &str = "repository/conf";
const SECURITY: &str = "repository/resources/security";
const FILE_PROVIDER: &str = "org.wso2.securevault.secret.repository.FileBaseSecretRepositoryProvider";
const CALLBACK: &str = "org.wso2.carbon.securevault.DefaultSecretCallbackHandler";

/// A test's directory: `home/` is the server home, the certificates exported for encryption lie beside it.
struct Fixture {
    dir: PathBuf,
    /// The configuration directory in the home: repository/conf, or conf for the Micro Integrator.
    conf: &'static str,
}

impl Fixture {
    fn new(name: &str) -> Self {
        Self::with_conf(name, CONF)
    }

    fn with_conf(name: &str, conf: &'static str) -> Self {
        let dir = scratch(name);
        std::fs::create_dir_all(dir.join("home").join(conf).join("security")).unwrap();
        std::fs::create_dir_all(dir.join("home").join(SECURITY)).unwrap();
        Fixture { dir, conf }
    }

    fn home(&self) -> PathBuf {
        self.dir.join("home")
    }

    fn path(&self, in_home: &str) -> String {
        self.home().join(in_home).to_str().unwrap().to_owned()
    }

    /// keytool with the store (and key) password in the environment, run from a directory of no test.
    fn keytool(&self, args: &[&str], password: &str) {
        let mut all = args.to_vec();
        all.extend(["-storepass:env", "P"]);
        util::run_in(elsewhere(), "keytool", all, &[("P", password)]).success();
    }

    /// An RSA-2048 key under `alias` in a new `store_type` store at `store` (a path in the home); its
    /// certificate is exported as `DIR/<alias>.pem`, which is returned.
    fn rsa_keystore(&self, store: &str, store_type: &str, alias: &str, password: &str) -> PathBuf {
        let file = self.path(store);
        let genkey = [
            "-genkeypair",
            "-alias",
            alias,
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-dname",
            "CN=node.example.org",
            "-validity",
            "30",
            "-storetype",
            store_type,
            "-keystore",
            &file,
            "-keypass:env",
            "P",
        ];
        self.keytool(&genkey, password);
        let pem = self.dir.join(format!("{alias}.pem"));
        let pem_arg = pem.to_str().unwrap();
        let export = [
            "-exportcert",
            "-rfc",
            "-alias",
            alias,
            "-storetype",
            store_type,
            "-keystore",
            &file,
            "-file",
            pem_arg,
        ];
        self.keytool(&export, password);
        pem
    }

    /// A JKS truststore at `store` holding the certificate `pem`.
    fn truststore(&self, store: &str, pem: &Path, password: &str) {
        let file = self.path(store);
        let import = [
            "-importcert",
            "-noprompt",
            "-alias",
            "cert",
            "-file",
            pem.to_str().unwrap(),
            "-storetype",
            "JKS",
            "-keystore",
            &file,
        ];
        self.keytool(&import, password);
    }

    /// `plaintext` encrypted to the certificate `pem` as the cipher tool does (RSA, PKCS#1 v1.5 padding), in
    /// Base64: `openssl pkeyutl -encrypt -certin`.
    fn rsa_encrypt(&self, pem: &Path, plaintext: &str) -> String {
        let (input, output) = (self.dir.join("plain.txt"), self.dir.join("cipher.bin"));
        std::fs::write(&input, plaintext).unwrap();
        let args = [
            "pkeyutl",
            "-encrypt",
            "-certin",
            "-inkey",
            pem.to_str().unwrap(),
            "-pkeyopt",
            "rsa_padding_mode:pkcs1",
            "-in",
            input.to_str().unwrap(),
            "-out",
            output.to_str().unwrap(),
        ];
        tool(elsewhere(), "openssl", args);
        std::fs::remove_file(&input).unwrap();
        Base64::encode_string(&std::fs::read(&output).unwrap())
    }

    /// A new PKCS12 store at `store` with a 256-bit AES key under `alias` (`keytool -genseckey`).
    fn aes_keystore(&self, store: &str, alias: &str, password: &str) {
        let file = self.path(store);
        let genseckey = [
            "-genseckey",
            "-alias",
            alias,
            "-keyalg",
            "AES",
            "-keysize",
            "256",
            "-storetype",
            "PKCS12",
            "-keystore",
            &file,
            "-keypass:env",
            "P",
        ];
        self.keytool(&genseckey, password);
    }

    /// Each of `plaintexts` encrypted with the AES key under `alias` of the PKCS12 `store`, as the cipher tool
    /// does in symmetric mode (tests/java/VaultSeal.java).
    fn aes_encrypt(&self, store: &str, alias: &str, password: &str, plaintexts: &[&str]) -> Vec<String> {
        let file = self.path(store);
        let mut args = vec![file.as_str(), alias];
        args.extend_from_slice(plaintexts);
        let sealed = util::java(elsewhere(), "VaultSeal", &args, password).success();
        sealed.lines().map(str::to_owned).collect()
    }

    /// secret-conf.properties as a Carbon 4 server with Secure Vault on has it: the identity keystore at
    /// `location` (relative to the home), both of its passwords from DefaultSecretCallbackHandler, the file
    /// repository at repository/conf/security/cipher-text.properties, `extra` lines at the end.
    fn secret_conf(&self, location: &str, store_type: &str, alias: &str, extra: &[&str]) {
        let mut lines = vec![
            format!("keystore.identity.location={location}"),
            format!("keystore.identity.type={store_type}"),
            format!("keystore.identity.alias={alias}"),
            "keystore.identity.store.password=identity.store.password".to_owned(),
            format!("keystore.identity.store.secretProvider={CALLBACK}"),
            "keystore.identity.key.password=identity.key.password".to_owned(),
            format!("keystore.identity.key.secretProvider={CALLBACK}"),
            "secretRepositories=file".to_owned(),
            format!("secretRepositories.file.provider={FILE_PROVIDER}"),
            format!(
                "secretRepositories.file.location={}/security/cipher-text.properties",
                self.conf
            ),
        ];
        lines.extend(extra.iter().map(|line| (*line).to_owned()));
        let file = self.home().join(self.conf).join("security/secret-conf.properties");
        std::fs::write(file, lines.join("\n") + "\n").unwrap();
    }

    fn cipher_texts(&self, entries: &[(&str, &str)]) {
        let text: String = entries
            .iter()
            .map(|(alias, value)| format!("{alias}={value}\n"))
            .collect();
        std::fs::write(
            self.home().join(self.conf).join("security/cipher-text.properties"),
            text,
        )
        .unwrap();
    }

    /// password-tmp as an operator leaves it for a daemon start: the password and a newline.
    fn password_tmp(&self, password: &str) {
        std::fs::write(self.home().join("password-tmp"), format!("{password}\n")).unwrap();
    }
}

const KEYSTORE_ALIAS: &str = "Carbon.Security.KeyStore.Password";
const TRUSTSTORE_ALIAS: &str = "Carbon.Security.TrustStore.Password";
const DATASOURCE_ALIAS: &str = "Datasource.WSO2_CARBON_DB.Password";

/// A home with an RSA identity keystore of `store_type` holding the keystore's, the truststore's and a
/// datasource's passwords; returns the fixture and the identity certificate.
fn rsa_home(name: &str, store_type: &str, keystore: &str) -> (Fixture, PathBuf) {
    let fixture = Fixture::new(name);
    let pem = fixture.rsa_keystore(&format!("{SECURITY}/{keystore}"), store_type, "wso2carbon", "ks-secret");
    fixture.truststore(&format!("{SECURITY}/client-truststore.jks"), &pem, "ts-secret");
    fixture.secret_conf(&format!("{SECURITY}/{keystore}"), store_type, "wso2carbon", &[]);
    let values = [
        (KEYSTORE_ALIAS, fixture.rsa_encrypt(&pem, "ks-secret")),
        (TRUSTSTORE_ALIAS, fixture.rsa_encrypt(&pem, "ts-secret")),
        (DATASOURCE_ALIAS, fixture.rsa_encrypt(&pem, "dß-pässwörd")),
    ];
    let entries: Vec<(&str, &str)> = values.iter().map(|(a, v)| (*a, v.as_str())).collect();
    fixture.cipher_texts(&entries);
    fixture.password_tmp("ks-secret");
    (fixture, pem)
}

#[test]
fn rsa_homes_of_jks_and_pkcs12_decrypt_every_secret_and_open_their_stores() {
    for (store_type, keystore) in [("JKS", "wso2carbon.jks"), ("PKCS12", "wso2carbon.p12")] {
        let (fixture, _) = rsa_home(&format!("secure-vault-rsa-{store_type}"), store_type, keystore);
        let keystore_path = format!("{SECURITY}/{keystore}");
        let stores = [
            (keystore_path.as_str(), KEYSTORE_ALIAS),
            ("repository/resources/security/client-truststore.jks", TRUSTSTORE_ALIAS),
        ];
        let vault = secure_vault(&fixture.home(), CONF, &stores);
        vault.assert_all_open(
            &fixture.home(),
            &[
                (KEYSTORE_ALIAS, "ks-secret"),
                (TRUSTSTORE_ALIAS, "ts-secret"),
                (DATASOURCE_ALIAS, "dß-pässwörd"),
            ],
        );
        assert_eq!(vault.stores.len(), 2, "{}", vault.run.stdout());

        // password-tmp is consumed: a second start without a new one has no password.
        let again = secure_vault(&fixture.home(), CONF, &[]);
        let error = again.error.expect("a start without password-tmp is an error");
        assert!(error.contains("password-tmp"), "{error}");
        assert!(again.secrets.is_empty(), "{}", again.run.stdout());
    }
}

#[test]
fn a_micro_integrator_home_keeps_its_configuration_in_conf() {
    let fixture = Fixture::with_conf("secure-vault-mi", "conf");
    let pem = fixture.rsa_keystore(&format!("{SECURITY}/wso2carbon.jks"), "JKS", "wso2carbon", "ks-secret");
    fixture.secret_conf(&format!("{SECURITY}/wso2carbon.jks"), "JKS", "wso2carbon", &[]);
    // A long value continued on the next line, as java.util.Properties reads it.
    let value = fixture.rsa_encrypt(&pem, "ks-secret");
    let wrapped = format!("{}\\\n    {}", &value[..100], &value[100..]);
    fixture.cipher_texts(&[(KEYSTORE_ALIAS, &wrapped)]);
    fixture.password_tmp("ks-secret");
    let stores = [("repository/resources/security/wso2carbon.jks", KEYSTORE_ALIAS)];
    let vault = secure_vault(&fixture.home(), "conf", &stores);
    vault.assert_all_open(&fixture.home(), &[(KEYSTORE_ALIAS, "ks-secret")]);
    // The same home read as if its configuration were in repository/conf has no secret-conf.properties.
    fixture.password_tmp("ks-secret");
    let elsewhere = secure_vault(&fixture.home(), CONF, &[]);
    let error = elsewhere.error.expect("no secret-conf.properties is an error");
    assert!(
        error.contains("repository/conf/security/secret-conf.properties"),
        "{error}"
    );
}

#[test]
fn a_symmetric_home_decrypts_with_the_stores_aes_key() {
    let fixture = Fixture::new("secure-vault-aes");
    let vault_store = format!("{SECURITY}/internal.p12");
    fixture.aes_keystore(&vault_store, "securevault", "in-secret");
    fixture.rsa_keystore(&format!("{SECURITY}/wso2carbon.jks"), "JKS", "wso2carbon", "ks-secret");
    // The identity keystore given as an absolute path, as secret-conf.properties may.
    fixture.secret_conf(
        &fixture.path(&vault_store),
        "PKCS12",
        "securevault",
        &["secretRepositories.file.encryptionMode=symmetric"],
    );
    let sealed = fixture.aes_encrypt(
        &vault_store,
        "securevault",
        "in-secret",
        &["ks-secret", "in-secret", "dß-pässwörd"],
    );
    fixture.cipher_texts(&[
        (KEYSTORE_ALIAS, &sealed[0]),
        ("Carbon.Security.InternalKeyStore.Password", &sealed[1]),
        (DATASOURCE_ALIAS, &sealed[2]),
    ]);
    fixture.password_tmp("in-secret");
    let stores = [
        ("repository/resources/security/wso2carbon.jks", KEYSTORE_ALIAS),
        (vault_store.as_str(), "Carbon.Security.InternalKeyStore.Password"),
    ];
    let vault = secure_vault(&fixture.home(), CONF, &stores);
    vault.assert_all_open(
        &fixture.home(),
        &[
            (KEYSTORE_ALIAS, "ks-secret"),
            ("Carbon.Security.InternalKeyStore.Password", "in-secret"),
            (DATASOURCE_ALIAS, "dß-pässwörd"),
        ],
    );
}

#[test]
fn a_wrong_cipher_text_fails_a_bracketed_one_is_plain_and_the_others_still_decrypt() {
    let (fixture, pem) = rsa_home("secure-vault-negative", "JKS", "wso2carbon.jks");
    // Encrypted for another node's certificate: well-formed, but not for this key.
    let other = fixture.dir.join("other.pem");
    let req = [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "/dev/null",
        "-subj",
        "/CN=other",
        "-days",
        "1",
        "-out",
        other.to_str().unwrap(),
    ];
    tool(elsewhere(), "openssl", req);
    let wrong = fixture.rsa_encrypt(&other, "ts-secret");
    let right = fixture.rsa_encrypt(&pem, "ks-secret");
    fixture.cipher_texts(&[
        (KEYSTORE_ALIAS, &right),
        (TRUSTSTORE_ALIAS, &wrong),
        (DATASOURCE_ALIAS, "[dß-pässwörd]"),
        ("Not.Base64", "%%%%"),
    ]);
    let stores = [
        ("repository/resources/security/client-truststore.jks", TRUSTSTORE_ALIAS),
        ("repository/resources/security/wso2carbon.jks", KEYSTORE_ALIAS),
    ];
    let vault = secure_vault(&fixture.home(), CONF, &stores);
    vault.run.fails_with(1);
    assert_eq!(vault.secret(KEYSTORE_ALIAS), &Secret::Ok(util::sha256_hex("ks-secret")));
    assert!(
        matches!(vault.secret(TRUSTSTORE_ALIAS), Secret::Fail(why) if why.contains("does not decrypt")),
        "{}",
        vault.run.stdout()
    );
    assert_eq!(vault.secret(DATASOURCE_ALIAS), &Secret::Plain);
    assert!(
        matches!(vault.secret("Not.Base64"), Secret::Fail(_)),
        "{}",
        vault.run.stdout()
    );
    let truststore = &vault.stores["repository/resources/security/client-truststore.jks"];
    assert!(
        matches!(truststore, Err(why) if why.contains(TRUSTSTORE_ALIAS)),
        "{truststore:?}"
    );
    assert_eq!(vault.stores["repository/resources/security/wso2carbon.jks"], Ok(()));
    util::assert_password_tmp_consumed(&fixture.home());
}

#[test]
fn a_store_given_another_aliass_password_does_not_open() {
    let (fixture, _) = rsa_home("secure-vault-wrong-store-password", "JKS", "wso2carbon.jks");
    let stores = [("repository/resources/security/client-truststore.jks", KEYSTORE_ALIAS)];
    let vault = secure_vault(&fixture.home(), CONF, &stores);
    vault.run.fails_with(1);
    assert!(matches!(vault.secret(KEYSTORE_ALIAS), Secret::Ok(_)));
    let truststore = &vault.stores[stores[0].0];
    assert!(
        matches!(truststore, Err(why) if why.contains("password was incorrect")),
        "{truststore:?}"
    );
}

#[test]
fn a_home_without_password_tmp_decrypts_nothing() {
    let (fixture, _) = rsa_home("secure-vault-no-password-tmp", "JKS", "wso2carbon.jks");
    std::fs::remove_file(fixture.home().join("password-tmp")).unwrap();
    let vault = secure_vault(&fixture.home(), CONF, &[]);
    vault.run.fails_with(2);
    let error = vault.error.as_deref().unwrap();
    assert!(error.starts_with("no password-tmp"), "{error}");
    assert!(vault.secrets.is_empty(), "{}", vault.run.stdout());
}

#[test]
fn a_wrong_password_in_password_tmp_stops_the_start_and_is_still_consumed() {
    let (fixture, _) = rsa_home("secure-vault-wrong-password-tmp", "PKCS12", "wso2carbon.p12");
    fixture.password_tmp("not-the-password");
    let vault = secure_vault(&fixture.home(), CONF, &[]);
    vault.run.fails_with(2);
    let error = vault.error.as_deref().unwrap();
    assert!(
        error.contains("cannot load repository/resources/security/wso2carbon.p12"),
        "{error}"
    );
    util::assert_password_tmp_consumed(&fixture.home());
}

#[test]
fn symmetric_mode_over_a_private_key_alias_is_refused_not_decrypted_with_the_default_key() {
    let (fixture, _) = rsa_home("secure-vault-symmetric-on-rsa", "JKS", "wso2carbon.jks");
    fixture.secret_conf(
        &format!("{SECURITY}/wso2carbon.jks"),
        "JKS",
        "wso2carbon",
        &["secretRepositories.file.encryptionMode=symmetric"],
    );
    let vault = secure_vault(&fixture.home(), CONF, &[]);
    vault.run.fails_with(2);
    let error = vault.error.as_deref().unwrap();
    assert!(error.contains("no secret key under wso2carbon"), "{error}");
}

#[test]
fn a_secret_conf_without_the_file_repository_is_refused() {
    let (fixture, _) = rsa_home("secure-vault-no-file-repository", "JKS", "wso2carbon.jks");
    let file = fixture.home().join(CONF).join("security/secret-conf.properties");
    let conf = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, conf.replace("secretRepositories=file\n", "")).unwrap();
    let vault = secure_vault(&fixture.home(), CONF, &[]);
    vault.run.fails_with(2);
    let error = vault.error.as_deref().unwrap();
    assert!(error.contains("secretRepositories does not name \"file\""), "{error}");
}
