//! Shared helpers for the integration tests: run the built binary and the real consumers (openssl, keytool,
//! javac, java), printing the command, stdout and stderr whenever something fails.
//!
//! A missing tool fails the test: interop tests never pass by skipping.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The throwaway demo key shipped in examples/.
pub fn demo_key() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-throwaway-iots310_wso2_com.key")
}

/// A command's result, with what is needed to explain a failure.
pub struct Run {
    pub shown: String,
    pub output: Output,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    fn explain(&self) -> String {
        format!(
            "command: {}\nexit: {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.shown,
            self.code(),
            self.stdout(),
            self.stderr()
        )
    }

    /// Asserts exit code 0 and returns stdout.
    pub fn success(&self) -> String {
        assert!(self.output.status.success(), "expected success\n{}", self.explain());
        self.stdout()
    }

    /// Asserts the exit code and returns stderr.
    pub fn fails_with(&self, code: i32) -> String {
        assert_eq!(self.code(), Some(code), "unexpected exit code\n{}", self.explain());
        self.stderr()
    }
}

/// Runs `program` with `args` in `dir`, with `env` added and nothing on stdin.
pub fn run_in<I, S>(dir: &Path, program: &str, args: I, env: &[(&str, &str)]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<_> = args.into_iter().map(|a| a.as_ref().to_os_string()).collect();
    let shown = format!(
        "(cd {} && {} {})",
        dir.display(),
        program,
        args.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ")
    );
    let mut command = Command::new(program);
    command.args(&args).current_dir(dir).stdin(Stdio::null());
    command.env_remove("IOSPKI_PASSWORD").env_remove("IOSPKI_KEY_PASSWORD");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}; is {program} installed? (.ci/run installs it)"));
    Run { shown, output }
}

/// Runs the built iospki binary.
pub fn iospki<I, S>(dir: &Path, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_in(dir, env!("CARGO_BIN_EXE_iospki"), args, &[])
}

/// Runs the built iospki binary with extra environment variables.
pub fn iospki_env<I, S>(dir: &Path, args: I, env: &[(&str, &str)]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_in(dir, env!("CARGO_BIN_EXE_iospki"), args, env)
}

/// Runs a real tool and asserts that it succeeded; returns stdout.
pub fn tool<I, S>(dir: &Path, program: &str, args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_in(dir, program, args, &[]).success()
}

/// A fresh scratch directory under cargo's target/tmp, named after the test, so nothing leaks into /tmp.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An `iospki init` of the documented IoT cluster on the demo key, 2048-bit keys, in a fresh scratch directory
/// `name`. Returns the directory; the set is in its `output/`.
pub fn demo_set(name: &str) -> PathBuf {
    let dir = scratch(name);
    let key = demo_key();
    iospki(&dir, ["init", "--key", key.to_str().unwrap(), "--key-bits", "2048"]).success();
    dir
}

/// An `iospki init` in a fresh scratch directory `name` for a cluster of one manager, two workers
/// (w1, w2.iot.example.org) and two key managers (km1, km2), with 2048-bit keys. Returns the directory; the set is
/// in its `output/`.
pub fn five_node_set(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::write(
        dir.join("iospki.toml"),
        "domain = \"iot.example.org\"\nkey_bits = 2048\n[hosts]\nworkers = [\"w1.iot.example.org\", \"w2.iot.example.org\"]\n\
         key_managers = [\"km1.iot.example.org\", \"km2.iot.example.org\"]\n",
    )
    .unwrap();
    iospki(
        &dir,
        ["init", "--config", "iospki.toml", "--key", demo_key().to_str().unwrap()],
    )
    .success();
    dir
}

/// One `iospki init` on the demo key with default settings, shared by every test of a test binary.
/// Returns the output directory.
pub fn default_init(binary: &str) -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch(&format!("{binary}-default-init"));
        iospki(&dir, ["init", "--key", demo_key().to_str().unwrap()]).success();
        dir.join("output")
    })
}

/// The directory holding the compiled programs of tests/java/, compiled once per test run.
pub fn java_classes() -> &'static Path {
    static CLASSES: OnceLock<PathBuf> = OnceLock::new();
    CLASSES.get_or_init(|| {
        let classes = scratch(&format!("java-classes-{}", std::process::id()));
        let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/java");
        let mut args = vec!["-d".to_owned(), ".".to_owned()];
        for entry in std::fs::read_dir(&sources).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "java") {
                args.push(path.to_str().unwrap().to_owned());
            }
        }
        tool(&classes, "javac", args);
        classes
    })
}

/// Runs the test program `class` of tests/java/ with `args` in `dir`, the store password in STORE_PASSWORD.
pub fn java(dir: &Path, class: &str, args: &[&str], password: &str) -> Run {
    let classes = java_classes().to_str().unwrap();
    let mut all = vec!["-cp", classes, class];
    all.extend_from_slice(args);
    run_in(dir, "java", all, &[("STORE_PASSWORD", password)])
}

/// Runs ServerStores on the stores in `dir` with `java` (a JDK's java binary, or "java"): it loads them as the
/// server does and handshakes TLS with hostname verification for `host`.
pub fn server_stores(java: &str, dir: &Path, host: &str, password: &str) -> Run {
    let classes = java_classes().to_str().unwrap();
    run_in(
        dir,
        java,
        ["-cp", classes, "ServerStores", dir.to_str().unwrap(), host],
        &[("STORE_PASSWORD", password)],
    )
}

/// `keytool -list -v` of the JKS `store` in `dir`, which must succeed; the password goes through the environment.
pub fn keytool_list(dir: &Path, store: &str, password: &str) -> String {
    run_in(
        dir,
        "keytool",
        [
            "-list",
            "-v",
            "-storetype",
            "JKS",
            "-keystore",
            store,
            "-storepass:env",
            "P",
        ],
        &[("P", password)],
    )
    .success()
}

/// carbon.xml's Security section as a server home holds it: wso2carbon.jks and client-truststore.jks as JKS with
/// `password`, KeyAlias wso2carbon; `extra` goes after it, inside `<Server>`.
pub fn carbon_xml(password: &str, extra: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="ISO-8859-1"?>
<Server xmlns="http://wso2.org/projects/carbon/carbon.xml"><Security>
<KeyStore><Location>${{carbon.home}}/repository/resources/security/wso2carbon.jks</Location><Type>JKS</Type>
<Password>{password}</Password><KeyAlias>wso2carbon</KeyAlias><KeyPassword>{password}</KeyPassword></KeyStore>
<TrustStore><Location>${{carbon.home}}/repository/resources/security/client-truststore.jks</Location><Type>JKS</Type>
<Password>{password}</Password></TrustStore></Security>{extra}</Server>"#
    )
}

/// Every file name `init` writes.
pub const INIT_FILES: [&str; 19] = [
    "ca.crt",
    "ca_cert.pem",
    "ca_private.pem",
    "ra_private.key",
    "ra_private.pem",
    "ra.crt",
    "ra_cert.pem",
    "ia.key",
    "ia.crt",
    "KEYSTORE.p12",
    "ca.p12",
    "ra.p12",
    "wso2carbon.jks",
    "client-truststore.jks",
    "wso2certs.jks",
    "certificate-config.xml",
    "iot-api-config.xml",
    "iot_default.xml",
    "iospki-ledger.json",
];

/// How many public root CAs a fresh client-truststore.jks holds besides the cluster's own certificates.
pub fn public_roots() -> usize {
    iospki::roots::public_roots().len()
}

/// The names in `dir`, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Round 3 of a CA rotation as the README gives it: `keytool -delete` takes the earlier CA (`cacert-<serial>`)
/// out of `dir/output/client-truststore.jks`.
pub fn drop_old_ca(dir: &Path) {
    let listed = keytool_list(&dir.join("output"), "client-truststore.jks", "wso2carbon");
    let old_alias = listed
        .lines()
        .find_map(|l| l.strip_prefix("Alias name: ").filter(|a| a.starts_with("cacert-")))
        .unwrap_or_else(|| panic!("no earlier CA in the truststore:\n{listed}"));
    let store = "output/client-truststore.jks";
    let args = [
        "-delete",
        "-storetype",
        "JKS",
        "-keystore",
        store,
        "-storepass",
        "wso2carbon",
        "-alias",
        old_alias,
    ];
    tool(dir, "keytool", args);
}
