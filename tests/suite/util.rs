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
    /// The directory the command's path arguments were given in, as `DIR/...`: its output shows them as the
    /// test named them, relative to it.
    pub rooted_at: Option<String>,
}

impl Run {
    pub fn stdout(&self) -> String {
        self.relative(&self.output.stdout)
    }

    pub fn stderr(&self) -> String {
        self.relative(&self.output.stderr)
    }

    fn relative(&self, bytes: &[u8]) -> String {
        let text = String::from_utf8_lossy(bytes);
        match &self.rooted_at {
            Some(dir) => text.replace(dir.as_str(), ""),
            None => text.into_owned(),
        }
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
    run_with_stdin(dir, program, args, env, None)
}

/// [`run_in`] with `input` on standard input (`None`: nothing), written from another thread so that a program
/// that stops reading early never blocks the test on a full pipe.
pub fn run_with_stdin<I, S>(dir: &Path, program: &str, args: I, env: &[(&str, &str)], input: Option<&[u8]>) -> Run
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
    command.args(&args).current_dir(dir);
    command.stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() });
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    command.env_remove("IOSPKI_PASSWORD").env_remove("IOSPKI_KEY_PASSWORD");
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}; is {program} installed? (.ci/run installs it)"));
    let writer = child.stdin.take().zip(input).map(|(mut stdin, input)| {
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = std::io::Write::write_all(&mut stdin, &input);
        })
    });
    let output = child.wait_with_output().unwrap();
    if let Some(writer) = writer {
        writer.join().unwrap();
    }
    Run {
        shown,
        output,
        rooted_at: None,
    }
}

/// Runs the built iospki binary on paths in `dir`, from another directory (see [`iospki_env`]).
pub fn iospki<I, S>(dir: &Path, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    iospki_env(dir, args, &[])
}

/// Runs the built iospki binary with extra environment variables on paths in `dir`, but never from `dir`: from
/// an empty directory of its own, with every argument that names a path in `dir` given as `dir/ARG`, and the
/// outputs that default to the working directory (init's `output`, bundle's `bundles`) as `dir/output` and
/// `dir/bundles`. A command that read a path argument relative to its working directory fails the test. Its
/// stdout and stderr show paths in `dir` as the test named them, relative to `dir`.
pub fn iospki_env<I, S>(dir: &Path, args: I, env: &[(&str, &str)]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args = rooted_args(dir, args.into_iter().map(|a| a.as_ref().to_os_string()).collect());
    Run {
        rooted_at: Some(format!("{}/", dir.display())),
        ..run_in(elsewhere(), env!("CARGO_BIN_EXE_iospki"), args, env)
    }
}

/// Runs the built iospki binary in `dir` itself, for the tests of what a path means relative to the working
/// directory (`--out .`, `rotate .`, the README's set-up command).
pub fn iospki_here<I, S>(dir: &Path, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_in(dir, env!("CARGO_BIN_EXE_iospki"), args, &[])
}

/// The empty directory iospki runs from in the tests: no test's files are in it, and it is made once, never
/// emptied while a test runs in it.
pub fn elsewhere() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("working-directory-of-no-test");
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

/// Flags whose value is never a path, even where a file of that name exists (`--format ansible`).
const VALUE_FLAGS: [&str; 17] = [
    "--cn",
    "--version",
    "--vault-cipher",
    "--keystores",
    "--store-type",
    "--key-bits",
    "--bits",
    "--digest",
    "--p12-profile",
    "--product",
    "--domain",
    "--ssl-cn",
    "--ssl-alias",
    "--within",
    "--format",
    "--namespace",
    "--name-prefix",
];

/// Flags that take no value.
const SWITCHES: [&str; 17] = [
    "-q",
    "--quiet",
    "-v",
    "--verbose",
    "--backups",
    "--force",
    "--json",
    "--ssl",
    "--ra",
    "--ca",
    "--primary",
    "--internal",
    "--rekey",
    "--dry-run",
    "--no-public-roots",
    "--accept-new-topic",
    "--help",
];

/// Flags that stand in for a command's directory argument (verify of a home, of bundles, of an APNs import).
const INSTEAD_OF_DIR: [&str; 4] = ["--home", "--iots-home", "--bundle", "--apns"];

/// `args` with each relative path that names something in `dir`, and each value of a flag but [`VALUE_FLAGS`],
/// under `dir`; the outputs and directory arguments that default to the working directory added as paths in
/// `dir`.
fn rooted_args(dir: &Path, args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut rooted = Vec::with_capacity(args.len() + 2);
    let mut value_of: Option<String> = None;
    let mut positionals = 0;
    for arg in &args {
        let text = arg.to_string_lossy();
        let flag = value_of.take();
        let is_flag = text.starts_with('-') && text != "-";
        let is_path = !is_flag
            && match flag.as_deref() {
                Some(flag) => !VALUE_FLAGS.contains(&flag),
                None => dir.join(arg).symlink_metadata().is_ok(),
            };
        if is_flag && !text.contains('=') && !SWITCHES.contains(&text.as_ref()) {
            value_of = Some(text.into_owned());
        }
        positionals += usize::from(!is_flag && flag.is_none());
        let relative = Path::new(arg).is_relative() && arg != "-";
        rooted.push(if is_path && relative {
            dir.join(arg).into_os_string()
        } else {
            arg.clone()
        });
    }
    let has = |flag: &str| {
        args.iter()
            .any(|a| a == flag || a.to_string_lossy().starts_with(&format!("{flag}=")))
    };
    let command = args.first().and_then(|a| a.to_str()).unwrap_or_default();
    let default_out = match command {
        "init" if !has("--out") && !config_names_out(dir, &args) => Some("output"),
        "bundle" if !has("--out") => Some("bundles"),
        _ => None,
    };
    if let Some(out) = default_out {
        rooted.extend(["--out".into(), dir.join(out).into_os_string()]);
    }
    let takes_dir = matches!(command, "bundle" | "rotate" | "verify");
    if takes_dir && positionals == 1 && !INSTEAD_OF_DIR.iter().any(|flag| has(flag)) {
        rooted.push(dir.join("output").into_os_string());
    }
    rooted
}

/// Whether init's `--config` file, if any, sets `out` (then the file's own directory is what it is relative to).
fn config_names_out(dir: &Path, args: &[std::ffi::OsString]) -> bool {
    let config = args.iter().position(|a| a == "--config").and_then(|i| args.get(i + 1));
    config.is_some_and(|file| {
        std::fs::read_to_string(dir.join(file))
            .unwrap_or_default()
            .lines()
            .any(|line| line.split('=').next().is_some_and(|key| key.trim() == "out"))
    })
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

/// `iospki init` of the documented IoT cluster on the demo key with 2048-bit keys, in `dir`, with `extra` flags.
pub fn demo_init(dir: &Path, extra: &[&str]) -> Run {
    let key = demo_key();
    let mut args = vec!["init", "--key", key.to_str().unwrap(), "--key-bits", "2048"];
    args.extend_from_slice(extra);
    iospki(dir, args)
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
pub const INIT_FILES: [&str; 22] = [
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
    "settings-manager.txt",
    "settings-worker.txt",
    "settings-key-manager.txt",
    "iospki-ledger.json",
];

/// How many public root CAs a fresh client-truststore.jks holds besides the cluster's own certificates.
pub fn public_roots() -> usize {
    iospki::formats::roots::public_roots().len()
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

/// `openssl pkcs12 -export` of a fresh key and certificate in `dir`, with `options`, as `out`.
pub fn openssl_p12(dir: &Path, options: &[&str], out: &str) {
    let req = [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-subj", "/CN=x", "-days", "30", "-out",
        "c.pem",
    ];
    tool(dir, "openssl", req);
    let mut export = vec![
        "pkcs12", "-export", "-in", "c.pem", "-inkey", "k.pem", "-name", "leaf", "-out", out,
    ];
    export.extend_from_slice(options);
    tool(dir, "openssl", export);
}

/// The sections of a bundle's SETTINGS.txt: each one's file, its place in the file, and the lines to set there.
pub fn settings_sections(settings: &str) -> Vec<(String, String, Vec<String>)> {
    let mut sections: Vec<(String, String, Vec<String>)> = Vec::new();
    for line in settings.lines() {
        if let Some(heading) = line.strip_prefix("== ") {
            let (file, place) = heading.split_once(", ").unwrap();
            sections.push((file.to_owned(), place.to_owned(), Vec::new()));
        } else if !line.starts_with('#') && !line.is_empty() {
            sections.last_mut().unwrap().2.push(line.to_owned());
        }
    }
    sections
}

/// Debian puts nginx in /usr/sbin, which a user's PATH may lack.
pub fn nginx_binary() -> &'static str {
    let in_path = Command::new("nginx").arg("-v").output().is_ok();
    if in_path { "nginx" } else { "/usr/sbin/nginx" }
}

/// An nginx configuration of a set with its upstream servers (the cluster's nodes, which do not resolve here)
/// pointed at a closed local port: nginx starts and serves TLS, and proxies nothing.
pub fn unresolved_upstreams(conf: &str) -> String {
    let lines: Vec<&str> = conf
        .lines()
        .map(|line| {
            if line.ends_with(":9443;") {
                "    server 127.0.0.1:9;"
            } else {
                line
            }
        })
        .collect();
    lines.join("\n")
}

/// `iospki init --product PRODUCT --version VERSION` of a deployment.toml product with 2048-bit keys and `extra`
/// flags, in a fresh scratch directory `name`. Returns the directory; the set is in its `output/`.
pub fn platform_set(name: &str, product: &str, version: &str, extra: &[&str]) -> PathBuf {
    let dir = scratch(name);
    let mut args = vec!["init", "--product", product, "--version", version, "--key-bits", "2048"];
    args.extend_from_slice(extra);
    iospki(&dir, args).success();
    assert!(
        dir.join("output/deployment-security.toml").is_file(),
        "{}",
        dir.display()
    );
    dir
}

/// tests/deployment_toml.py (Python's tomllib) with `args`, in `dir`; returns stdout.
pub fn deployment_toml(dir: &Path, args: &[&str]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/deployment_toml.py");
    let mut all = vec![script.to_str().unwrap()];
    all.extend_from_slice(args);
    tool(dir, "python3", all)
}

/// The TOML file `path` as tomllib parses it.
pub fn toml_json(path: &Path) -> serde_json::Value {
    let text = deployment_toml(path.parent().unwrap(), &["json", path.to_str().unwrap()]);
    serde_json::from_str(&text).unwrap()
}

/// tomllib's parse of `dir/output/deployment-security.toml`, written as `dir/sections.json` for PlatformStores
/// (tests/java/); returns that path.
pub fn sections_json(dir: &Path) -> PathBuf {
    let toml = dir.join("output/deployment-security.toml");
    let json = dir.join("sections.json");
    std::fs::write(&json, deployment_toml(dir, &["json", toml.to_str().unwrap()])).unwrap();
    json
}

/// PlatformStores (tests/java/) in `mode` over the set in `dir/output`, with its sections from
/// [`sections_json`] and `args` after the set's directory.
pub fn platform_stores(dir: &Path, mode: &str, args: &[&str]) -> Run {
    let sections = sections_json(dir);
    let output = dir.join("output");
    let mut all = vec![sections.to_str().unwrap(), output.to_str().unwrap()];
    all.extend_from_slice(args);
    java(dir, "PlatformStores", &[&[mode][..], &all].concat(), "")
}

/// What SecureVault (tests/java/) said of a server home: each secret of its cipher-text.properties, each store
/// it was asked to open, or the error that stops a server before it decrypts anything.
pub struct Vault {
    pub run: Run,
    /// By alias.
    pub secrets: std::collections::BTreeMap<String, Secret>,
    /// By path in the home: `Ok` if it opened with its password alias's plaintext, else why not.
    pub stores: std::collections::BTreeMap<String, Result<(), String>>,
    /// Set when SecureVault exited 2 (`ERROR<TAB>why`).
    pub error: Option<String>,
}

/// One secret as the server's file secret repository resolves it.
#[derive(Debug, PartialEq, Eq)]
pub enum Secret {
    /// Decrypted; the SHA-256 of its plaintext (UTF-8) in lower-case hex.
    Ok(String),
    /// Still `[plain text]`: the cipher tool has not encrypted it, and the server gets no secret from it.
    Plain,
    /// Why it does not decrypt.
    Fail(String),
}

impl Vault {
    /// Asserts that SecureVault exited 0, that each `(alias, plaintext)` decrypted to `plaintext`, that each
    /// store asked for opened, and that the home's password-tmp is gone, as the server leaves it.
    pub fn assert_all_open(&self, home: &Path, expected: &[(&str, &str)]) {
        let stdout = self.run.success();
        for (alias, plaintext) in expected {
            assert_eq!(
                self.secrets.get(*alias),
                Some(&Secret::Ok(sha256_hex(plaintext))),
                "{alias} did not decrypt to the expected plaintext\n{stdout}"
            );
        }
        for (store, opened) in &self.stores {
            assert_eq!(opened, &Ok(()), "{store}\n{stdout}");
        }
        assert_password_tmp_consumed(home);
    }

    /// The secret under `alias`; panics, with the output, if SecureVault printed none.
    pub fn secret(&self, alias: &str) -> &Secret {
        self.secrets
            .get(alias)
            .unwrap_or_else(|| panic!("no line for {alias}\n{}", self.run.stdout()))
    }
}

/// Runs SecureVault on the server home `home`, whose configuration directory is `conf` (`repository/conf`,
/// or `conf` for the Micro Integrator), from a directory of no test: it reads `home/password-tmp` (and deletes
/// it, as the server does), decrypts every secret of the file secret repository secret-conf.properties names,
/// then opens each `(store, alias)` of `stores` (a path in `home`) with the plaintext of `alias`. Paths in its
/// messages are shown relative to `home`.
pub fn secure_vault(home: &Path, conf: &str, stores: &[(&str, &str)]) -> Vault {
    let classes = java_classes().to_str().unwrap().to_owned();
    let home_arg = home.to_str().unwrap().to_owned();
    let mode = if stores.is_empty() { "decrypt" } else { "open" };
    let mut args = vec![
        "-cp".to_owned(),
        classes,
        "SecureVault".to_owned(),
        mode.to_owned(),
        home_arg,
    ];
    args.push(conf.to_owned());
    args.extend(stores.iter().map(|(store, alias)| format!("{store}={alias}")));
    let run = Run {
        rooted_at: Some(format!("{}/", home.display())),
        ..run_in(elsewhere(), "java", args, &[])
    };
    let stdout = run.stdout();
    let (mut secrets, mut opened, mut error) = (
        std::collections::BTreeMap::new(),
        std::collections::BTreeMap::new(),
        None,
    );
    for line in stdout.lines() {
        let fields: Vec<&str> = line.splitn(3, '\t').collect();
        let detail = || fields.get(2).copied().unwrap_or_default().to_owned();
        match fields[..] {
            ["ERROR", why] => error = Some(why.to_owned()),
            [store, "OPENS"] => {
                opened.insert(store.to_owned(), Ok(()));
            }
            [name, "FAIL", ..] if stores.iter().any(|(store, _)| *store == name) => {
                opened.insert(name.to_owned(), Err(detail()));
            }
            [alias, "FAIL", ..] => {
                secrets.insert(alias.to_owned(), Secret::Fail(detail()));
            }
            [alias, "OK", ..] => {
                secrets.insert(alias.to_owned(), Secret::Ok(detail()));
            }
            [alias, "PLAIN"] => {
                secrets.insert(alias.to_owned(), Secret::Plain);
            }
            _ => panic!("SecureVault printed an unexpected line {line:?}\n{}", run.explain()),
        }
    }
    let expected_code = if error.is_some() {
        2
    } else if secrets.values().all(|s| matches!(s, Secret::Ok(_))) && opened.values().all(|o| o.is_ok()) {
        0
    } else {
        1
    };
    assert_eq!(
        run.code(),
        Some(expected_code),
        "exit code does not match the lines\n{}",
        run.explain()
    );
    Vault {
        run,
        secrets,
        stores: opened,
        error,
    }
}

/// Asserts that `home/password-tmp` is gone, as a started server leaves it.
pub fn assert_password_tmp_consumed(home: &Path) {
    let file = home.join("password-tmp");
    assert!(!file.exists(), "{} is still there after the start", file.display());
}

/// The SHA-256 of `text` (UTF-8) in lower-case hex, as SecureVault prints a plaintext.
pub fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    base16ct::lower::encode_string(&sha2::Sha256::digest(text.as_bytes()))
}
