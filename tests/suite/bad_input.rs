//! Hostile and broken input against the built binary. Every case asserts the exit code, exactly one line on
//! stderr (besides warnings) that starts `iospki:`, names the file or option and says the problem, no panic or
//! backtrace, and that nothing in the case's directory was written or changed.

use crate::util;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::util::{demo_key, iospki_env, scratch};
use sha2::{Digest, Sha256};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("keystores").join(name)
}

/// The keys openssl makes for these cases (tests/key_input.sh), shared by the binary's tests.
fn made_key(name: &str) -> Vec<u8> {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = scratch("bad-input-keys");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/key_input.sh");
        util::run_in(
            &dir,
            "sh",
            [script.to_str().unwrap()],
            &[("KEY_PASSWORD", "right password")],
        )
        .success();
        dir
    });
    fs::read(dir.join(name)).unwrap()
}

/// One case: files to make, the command, the exit code, and what the one error line must contain.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    args: Vec<&'static str>,
    env: Vec<(&'static str, &'static str)>,
    code: i32,
    line: Vec<&'static str>,
}

fn case(
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    args: &[&'static str],
    code: i32,
    line: &[&'static str],
) -> Case {
    Case {
        name,
        files,
        args: args.to_vec(),
        env: Vec::new(),
        code,
        line: line.to_vec(),
    }
}

fn with_env(mut case: Case, env: &[(&'static str, &'static str)]) -> Case {
    case.env = env.to_vec();
    case
}

fn modified(bytes: Vec<u8>, at: usize, value: &[u8]) -> Vec<u8> {
    let mut bytes = bytes;
    bytes[at..at + value.len()].copy_from_slice(value);
    bytes
}

fn half(bytes: Vec<u8>) -> Vec<u8> {
    bytes[..bytes.len() / 2].to_vec()
}

fn cases() -> Vec<Case> {
    let jks = fs::read(fixture("keytool-jks.jks")).unwrap();
    let p12 = fs::read(fixture("openssl3-default.p12")).unwrap();
    let key = fs::read(demo_key()).unwrap();
    let init = |key: &'static str| vec!["init", "--key", key, "--key-bits", "2048"];
    let mut flipped_tail = jks.clone();
    let last = flipped_tail.len() - 1;
    flipped_tail[last] ^= 0xff;
    let mut flipped_mac = p12.clone();
    let mac = flipped_mac.len() - 30;
    flipped_mac[mac] ^= 0xff;
    vec![
        // Keys given to init.
        case(
            "empty key",
            vec![("k.pem", vec![])],
            &init("k.pem"),
            2,
            &["k.pem: file is empty"],
        ),
        case(
            "truncated key",
            vec![("k.pem", half(key.clone()))],
            &init("k.pem"),
            2,
            &["k.pem: malformed PEM"],
        ),
        case(
            "garbage key",
            vec![("k.pem", (0..=255u8).cycle().take(3000).collect())],
            &init("k.pem"),
            2,
            &["k.pem: not a private key"],
        ),
        case(
            "oversized key",
            vec![("k.pem", vec![b'A'; 2 << 20])],
            &init("k.pem"),
            2,
            &["k.pem: file is 2097152 bytes, too large to be a key"],
        ),
        case(
            "wrong PEM label",
            vec![("k.pem", b"-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n".to_vec())],
            &init("k.pem"),
            2,
            &["k.pem: holds a PEM 'FOO' block, not a private key"],
        ),
        case(
            "bad base64",
            vec![(
                "k.pem",
                b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n".to_vec(),
            )],
            &init("k.pem"),
            2,
            &["k.pem: malformed PEM"],
        ),
        case(
            "several keys",
            vec![("k.pem", made_key("two-keys.pem"))],
            &init("k.pem"),
            2,
            &["k.pem: file holds 2 private keys"],
        ),
        case(
            "EC key",
            vec![("k.pem", made_key("ec.pem"))],
            &init("k.pem"),
            2,
            &["k.pem: key is EC P-256; WSO2's SCEP signs"],
        ),
        case(
            "SEC1 EC key",
            vec![("k.pem", made_key("ec-sec1.pem"))],
            &init("k.pem"),
            2,
            &["k.pem: key is EC;"],
        ),
        case(
            "Ed25519 key",
            vec![("k.pem", made_key("ed25519.pem"))],
            &init("k.pem"),
            2,
            &["k.pem: key is Ed25519"],
        ),
        case(
            "DSA key",
            vec![("k.pem", made_key("dsa.pem"))],
            &init("k.pem"),
            2,
            &["k.pem: key is DSA"],
        ),
        case(
            "RSA-1024 key",
            vec![("k.pem", made_key("rsa1024.pem"))],
            &init("k.pem"),
            2,
            &["k.pem: key is RSA-1024; Apple requires"],
        ),
        case(
            "certificate as key",
            vec![("k.pem", made_key("cert.pem"))],
            &init("k.pem"),
            2,
            &["k.pem: holds a certificate, not a private key"],
        ),
        case(
            "DER certificate as key",
            vec![("k.der", made_key("cert.der"))],
            &init("k.der"),
            2,
            &["k.der: holds a certificate, not a private key"],
        ),
        case(
            "public key as key",
            vec![(
                "k.pem",
                b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".to_vec(),
            )],
            &init("k.pem"),
            2,
            &["k.pem: holds a PEM 'PUBLIC KEY' block"],
        ),
        case(
            "encrypted key without password",
            vec![("k.pem", made_key("trad-des3.pem"))],
            &init("k.pem"),
            2,
            &["k.pem: key is encrypted; give its password"],
        ),
        with_env(
            case(
                "encrypted key, wrong password",
                vec![("k.pem", made_key("trad-aes256.pem"))],
                &init("k.pem"),
                2,
                &["k.pem: wrong key password"],
            ),
            &[("IOSPKI_KEY_PASSWORD", "wrong")],
        ),
        with_env(
            case(
                "encrypted PKCS#8, wrong password",
                vec![("k.pem", made_key("enc-pkcs8-aes.pem"))],
                &init("k.pem"),
                2,
                &["k.pem: wrong key password"],
            ),
            &[("IOSPKI_KEY_PASSWORD", "wrong")],
        ),
        case(
            "key is a directory",
            vec![("k.pem/x", vec![])],
            &init("k.pem"),
            2,
            &["k.pem: is a directory, not a key file"],
        ),
        case(
            "missing key",
            vec![],
            &init("nothing.pem"),
            2,
            &["nothing.pem: No such file or directory"],
        ),
        // Keystores given to inspect.
        case(
            "truncated JKS",
            vec![("s.jks", half(jks.clone()))],
            &["inspect", "s.jks"],
            2,
            &["s.jks: malformed JKS"],
        ),
        with_env(
            case(
                "JKS with a broken digest",
                vec![("s.jks", flipped_tail)],
                &["inspect", "s.jks"],
                2,
                &["s.jks: store password is wrong or the file was modified"],
            ),
            &[("IOSPKI_PASSWORD", "changeit")],
        ),
        with_env(
            case(
                "JKS, wrong password",
                vec![("s.jks", jks.clone())],
                &["inspect", "s.jks"],
                2,
                &["s.jks: store password is wrong or the file was modified"],
            ),
            &[("IOSPKI_PASSWORD", "wrong")],
        ),
        case(
            "JKS with an absurd entry count",
            vec![("s.jks", modified(jks.clone(), 8, &[0xff; 4]))],
            &["inspect", "s.jks"],
            2,
            &["s.jks: malformed JKS: truncated"],
        ),
        case(
            "JKS with an absurd length",
            vec![("s.jks", modified(jks.clone(), 4, &[0, 0, 0, 9]))],
            &["inspect", "s.jks"],
            2,
            &["s.jks: malformed JKS: unknown version 9"],
        ),
        case(
            "JCEKS store",
            vec![("s.jks", modified(jks.clone(), 0, &[0xce; 4]))],
            &["inspect", "s.jks"],
            2,
            &["s.jks: a JCEKS keystore: iospki reads JKS and PKCS#12; convert it with keytool -importkeystore"],
        ),
        case(
            "BouncyCastle BKS header",
            vec![(
                "s.bks",
                [&[0, 0, 0, 2, 0, 0, 0, 20][..], &[7; 20], &[0, 0, 4, 0], &[0], &[9; 20]].concat(),
            )],
            &["inspect", "s.bks"],
            2,
            &["s.bks: a BouncyCastle BKS keystore: iospki reads JKS and PKCS#12; convert it with keytool"],
        ),
        case(
            "truncated PKCS#12",
            vec![("s.p12", half(p12.clone()))],
            &["inspect", "s.p12"],
            2,
            &["s.p12: not a certificate, private key, JKS or PKCS#12 file"],
        ),
        with_env(
            case(
                "PKCS#12 with a broken MAC",
                vec![("s.p12", flipped_mac)],
                &["inspect", "s.p12"],
                2,
                &["s.p12: store password is wrong or the file was modified"],
            ),
            &[("IOSPKI_PASSWORD", "changeit")],
        ),
        with_env(
            case(
                "PKCS#12, wrong password",
                vec![("s.p12", p12.clone())],
                &["inspect", "s.p12"],
                2,
                &["s.p12: store password is wrong or the file was modified"],
            ),
            &[("IOSPKI_PASSWORD", "wrong")],
        ),
        case(
            "PKCS#12 with an absurd length",
            vec![("s.p12", modified(p12.clone(), 1, &[0x84, 0x7f, 0xff, 0xff, 0xff]))],
            &["inspect", "s.p12"],
            2,
            &["s.p12: not a certificate, private key, JKS or PKCS#12 file"],
        ),
        case(
            "empty file to inspect",
            vec![("e.crt", vec![])],
            &["inspect", "e.crt"],
            2,
            &["e.crt: not a certificate, private key, JKS or PKCS#12 file"],
        ),
        case(
            "broken store to merge",
            vec![("k.pem", key.clone()), ("security/wso2carbon.jks", half(jks.clone()))],
            &["init", "--key", "k.pem", "--merge-from", "security"],
            2,
            &["security/wso2carbon.jks: malformed JKS"],
        ),
        // Options and passwords.
        case(
            "bad domain",
            vec![("k.pem", key.clone())],
            &["init", "--key", "k.pem", "--domain", "not a host"],
            2,
            &["--domain: 'not a host' is not a DNS host name"],
        ),
        case(
            "upper-case alias",
            vec![("k.pem", key.clone())],
            &["init", "--key", "k.pem", "--ssl-alias", "WSO2Carbon"],
            2,
            &["--ssl-alias: 'WSO2Carbon' has upper-case letters"],
        ),
        case(
            "alias padded with spaces",
            vec![("k.pem", key.clone())],
            &["init", "--key", "k.pem", "--ssl-alias", " wso2carbon "],
            2,
            &[
                "--ssl-alias: ' wso2carbon ' starts or ends with white space",
                "use 'wso2carbon'",
            ],
        ),
        case(
            "an option init does not have",
            vec![("k.pem", key.clone())],
            &["init", "--key", "k.pem", "--frobnicate"],
            2,
            &["iospki: unexpected argument '--frobnicate' found; see iospki init --help"],
        ),
        case(
            "a value clap refuses, with the values it takes",
            vec![("k.pem", key.clone())],
            &["init", "--key", "k.pem", "--product", "apim3"],
            2,
            &[
                "invalid value 'apim3' for '--product <PRODUCT>'",
                "[possible values: iot, is, es, appm, apim]",
            ],
        ),
        case(
            "a release iospki does not know, with the ones it does",
            vec![],
            &["init", "--product", "is", "--version", "7.9"],
            2,
            &["iospki: --version: Identity Server 7.9 is not a version iospki knows: one of 7.0, 7.1, 7.2, 7.3"],
        ),
        case(
            "API Manager without a release",
            vec![],
            &["init", "--product", "apim"],
            2,
            &["iospki: --version: API Manager needs a version: one of 4.3, 4.4, 4.5, 4.6"],
        ),
        case(
            "a store layout for a product with one",
            vec![("k.pem", key.clone())],
            &["init", "--key", "k.pem", "--keystores", "single"],
            2,
            &["iospki: --keystores: IoT Server has one layout of its stores"],
        ),
        case(
            "a store type for a product with one",
            vec![],
            &["init", "--product", "es", "--store-type", "pkcs12"],
            2,
            &["iospki: --store-type: Enterprise Store has one type of stores"],
        ),
        case(
            "a missing key file, with the default password: the error alone",
            vec![],
            &["init", "--key", "no-such.key"],
            2,
            &["no-such.key: No such file or directory"],
        ),
        case(
            "key size below 2048",
            vec![("k.pem", key.clone())],
            &["init", "--key", "k.pem", "--key-bits", "1024"],
            2,
            &["--key-bits"],
        ),
        case(
            "bad duration",
            vec![("a.crt", vec![])],
            &["check", "--within", "soon", "a.crt"],
            2,
            &["--within", "'soon' is not a duration"],
        ),
        case(
            "empty password file",
            vec![("k.pem", key.clone()), ("pw", b"\n".to_vec())],
            &["init", "--key", "k.pem", "--password-file", "pw"],
            2,
            &["pw: password is empty"],
        ),
        case(
            "password file not UTF-8",
            vec![("k.pem", key.clone()), ("pw", vec![0xff, 0xfe, b'\n'])],
            &["init", "--key", "k.pem", "--password-file", "pw"],
            2,
            &["pw: password file is not UTF-8 text"],
        ),
        case(
            "password beyond U+FFFF",
            vec![("k.pem", key.clone()), ("pw", "pass-\u{1F511}\n".as_bytes().to_vec())],
            &["init", "--key", "k.pem", "--password-file", "pw"],
            2,
            &["pw: has U+1F511, beyond U+FFFF, which a PKCS#12 password (BMPString) cannot hold"],
        ),
        case(
            "password with a control character XML cannot carry",
            vec![("k.pem", key.clone()), ("pw", b"pass\x01word\n".to_vec())],
            &["init", "--key", "k.pem", "--password-file", "pw"],
            2,
            &["pw: has the control character U+0001"],
        ),
        case(
            "password with a carriage return XML parsers would change",
            vec![("k.pem", key.clone()), ("pw", b"pass\rword\n".to_vec())],
            &["init", "--key", "k.pem", "--password-file", "pw"],
            2,
            &["pw: has the control character U+000D"],
        ),
        case(
            "password file of two lines",
            vec![("k.pem", key.clone()), ("pw", b"first\nsecond\n".to_vec())],
            &["init", "--key", "k.pem", "--password-file", "pw"],
            2,
            &["pw: password file has more than one line"],
        ),
        case(
            "password with trailing space the server trims",
            vec![("k.pem", key.clone()), ("pw", b"secret \n".to_vec())],
            &["init", "--key", "k.pem", "--password-file", "pw"],
            2,
            &["pw: begins or ends with white space"],
        ),
        case(
            "SSL alias that is a public root's",
            vec![("k.pem", key.clone())],
            &[
                "init",
                "--key",
                "k.pem",
                "--ssl-alias",
                "usertrust-rsa-certification-authority",
            ],
            2,
            &["ssl_alias: 'usertrust-rsa-certification-authority' is the alias of a public root CA"],
        ),
        case(
            "SSL alias that is the CA's",
            vec![("k.pem", key.clone())],
            &["init", "--key", "k.pem", "--ssl-alias", "cacert"],
            2,
            &["ssl_alias: 'cacert' is taken"],
        ),
        // Date arithmetic: windows and validities past what any date can hold.
        case(
            "check window of 8000 years",
            vec![("c.pem", b"x".to_vec())],
            &["check", "c.pem", "--within", "2932897d"],
            2,
            &["'2932897d' is longer than 36500 days"],
        ),
        case(
            "rotate window of 270,000 years",
            vec![],
            &["rotate", "--within", "100000000d", "--dry-run"],
            2,
            &["'100000000d' is longer than 36500 days"],
        ),
        case(
            "CA validity of 8000 years",
            vec![("k.pem", key.clone()), ("c.toml", b"[ca]\ndays = 3000000\n".to_vec())],
            &["init", "--key", "k.pem", "--config", "c.toml"],
            2,
            &["c.toml:2: ca.days: 3000000 is more than 36500 days"],
        ),
        case(
            "SSL alias that is an earlier CA's",
            vec![("k.pem", key.clone())],
            &["init", "--key", "k.pem", "--ssl-alias", "cacert-0a1b"],
            2,
            &["ssl_alias: 'cacert-0a1b' is taken"],
        ),
        // Cluster descriptions.
        case(
            "unknown config key",
            vec![
                ("k.pem", key.clone()),
                ("c.toml", b"domain = \"a.example.org\"\ncolour = 1\n".to_vec()),
            ],
            &["init", "--key", "k.pem", "--config", "c.toml"],
            2,
            &["c.toml:2: unknown field `colour`"],
        ),
        case(
            "malformed config",
            vec![("k.pem", key.clone()), ("c.toml", b"[hosts\n".to_vec())],
            &["init", "--key", "k.pem", "--config", "c.toml"],
            2,
            &["c.toml:1:"],
        ),
        case(
            "password in config",
            vec![
                ("k.pem", key.clone()),
                ("c.toml", b"[passwords]\nstore_password = \"x\"\n".to_vec()),
            ],
            &["init", "--key", "k.pem", "--config", "c.toml"],
            2,
            &["c.toml:2: unknown field `store_password`"],
        ),
        case(
            "bad config value",
            vec![
                ("k.pem", key.clone()),
                ("c.toml", b"[hosts]\nworkers = [\"not a host\"]\n".to_vec()),
            ],
            &["init", "--key", "k.pem", "--config", "c.toml"],
            2,
            &["c.toml:2: hosts.workers: 'not a host' is not a DNS host name"],
        ),
        // Output paths.
        case(
            "output is a file",
            vec![("k.pem", key.clone()), ("out", b"mine".to_vec())],
            &["init", "--key", "k.pem", "--key-bits", "2048", "--out", "out"],
            2,
            &["out: output exists and is not a directory"],
        ),
        case(
            "output under a file",
            vec![("k.pem", key.clone()), ("f", b"mine".to_vec())],
            &["init", "--key", "k.pem", "--key-bits", "2048", "--out", "f/out"],
            2,
            &["f/out: Not a directory"],
        ),
        case(
            "output holds iospki's files",
            vec![("k.pem", key.clone()), ("out/ca.crt", b"earlier".to_vec())],
            &["init", "--key", "k.pem", "--out", "out"],
            2,
            &["out: already holds iospki's files (ca.crt); pass --force"],
        ),
        case(
            "genkey over an existing file",
            vec![("new.key", b"mine".to_vec())],
            &["genkey", "--out", "new.key", "--bits", "2048"],
            2,
            &["new.key: file exists; pass --force"],
        ),
        case(
            "verify a file",
            vec![("f", b"mine".to_vec())],
            &["verify", "f"],
            2,
            &["f: is not a directory"],
        ),
        // Bundles.
        case(
            "bundle without a set",
            vec![("out/ca.crt", b"x".to_vec())],
            &["bundle", "out", "--format", "k8s"],
            2,
            &["out/iospki-ledger.json: not found"],
        ),
        case(
            "Kubernetes namespace that is no name",
            vec![],
            &["bundle", "--format", "k8s", "--namespace", "Prod_1"],
            2,
            &["--namespace: 'Prod_1' is not a Kubernetes name"],
        ),
        case(
            "Kubernetes name prefix too long",
            vec![],
            &[
                "bundle",
                "--format",
                "k8s",
                "--name-prefix",
                "a-name-prefix-far-too-long-for-a-kubernetes-object-name",
            ],
            2,
            &[
                "--name-prefix: 'a-name-prefix-far-too-long-for-a-kubernetes-object-name' is not a Kubernetes name: up to 51",
            ],
        ),
        case(
            "namespace for a tar bundle",
            vec![],
            &["bundle", "--namespace", "iot"],
            2,
            &["--namespace: is for --format k8s"],
        ),
        case(
            "name prefix for an Ansible project",
            vec![],
            &["bundle", "--format", "ansible", "--name-prefix", "iots"],
            2,
            &["--name-prefix: is for --format k8s"],
        ),
        case(
            "rotate without a ledger",
            vec![("out/ca.crt", b"x".to_vec())],
            &["rotate", "out"],
            2,
            &["out/iospki-ledger.json: not found"],
        ),
    ]
}

/// Names that mean two things: a name nginx serves from two groups, names resolvers read as addresses, node names
/// whose bundles are another node's.
fn names_that_mean_two_things() -> Vec<Case> {
    let es = |toml: &str| vec![("c.toml", format!("product = \"es\"\n{toml}").into_bytes())];
    let init = ["init", "--config", "c.toml"];
    vec![
        case(
            "one name in two groups nginx serves",
            es("[hosts]\npublisher = [\"shop.example.org\"]\nstore = [\"Shop.Example.org.\"]\n"),
            &init,
            2,
            &["c.toml:4: hosts.store: 'shop.example.org' is also in hosts.publisher; nginx would serve it"],
        ),
        case(
            "a group's name is another group's default for the domain flag",
            es("[hosts]\nstore = [\"publisher.example.org\"]\n"),
            &["init", "--config", "c.toml", "--domain", "example.org"],
            2,
            &["hosts.store: 'publisher.example.org' is also in hosts.publisher"],
        ),
        case(
            "hexadecimal domain flag",
            vec![],
            &["init", "--product", "es", "--domain", "0x7f.0x1"],
            2,
            &["--domain: '0x7f.0x1' ends in a number, so resolvers read it as an IP address"],
        ),
        case(
            "short IPv4 form as the SSL CN",
            vec![],
            &["init", "--product", "es", "--ssl-cn", "127.1"],
            2,
            &["--ssl-cn: '127.1' ends in a number"],
        ),
        case(
            "octal IPv4 form as the domain",
            es("domain = \"0177.0.0.1\"\n"),
            &init,
            2,
            &["c.toml:2: domain: '0177.0.0.1' ends in a number"],
        ),
        case(
            "numeric top-level label of a host",
            es("[hosts]\nstore = [\"shop.example.123\"]\n"),
            &init,
            2,
            &["c.toml:3: hosts.store: 'shop.example.123' ends in a number"],
        ),
        case(
            "node name that is an address",
            es("[nodes]\npublisher = [\"10.0.0.1\"]\n"),
            &init,
            2,
            &["c.toml:3: nodes.publisher: '10.0.0.1' ends in a number"],
        ),
        case(
            "node name that is another node's archive",
            es("[nodes]\npublisher = [\"a\"]\nstore = [\"a.tar.gz\"]\n"),
            &init,
            2,
            &["nodes: 'a' and 'a.tar.gz' are names of two machines, and the bundle 'a.tar.gz' is the archive of 'a'"],
        ),
        case(
            "node name that is nginx's archive",
            es("[nodes]\nstore = [\"nginx.tar.gz\"]\n"),
            &init,
            2,
            &["nodes: 'nginx' and 'nginx.tar.gz'"],
        ),
        case(
            "node name that climbs out of the bundle directory",
            es("[nodes]\nstore = [\"../a\"]\n"),
            &init,
            2,
            &["c.toml:3: nodes.store: '../a' is not a node name"],
        ),
        case(
            "host name in Cyrillic",
            es("[hosts]\nstore = [\"\u{0435}xample.org\"]\n"),
            &init,
            2,
            &["c.toml:3: hosts.store: '\u{0435}xample.org' is not a DNS host name"],
        ),
    ]
}

/// Passwords the set's XML or its PKCS#12 stores cannot carry, refused before anything is written, naming where
/// they came from.
fn passwords_that_cannot_be_written() -> Vec<Case> {
    let key = fs::read(demo_key()).unwrap();
    let init = ["init", "--key", "k.pem", "--password-file", "pw"];
    let with_password = |text: &str| vec![("k.pem", key.clone()), ("pw", format!("{text}\n").into_bytes())];
    let config = |toml: &str| vec![("k.pem", key.clone()), ("c.toml", toml.as_bytes().to_vec())];
    let from_config = ["init", "--key", "k.pem", "--config", "c.toml"];
    vec![
        case(
            "password with U+FFFE",
            with_password("pass\u{FFFE}word"),
            &init,
            2,
            &["pw: has the character U+FFFE, which the configuration files cannot give back to the server (XML 1.0)"],
        ),
        case(
            "password with U+FFFF",
            with_password("password\u{FFFF}"),
            &init,
            2,
            &["pw: has the character U+FFFF"],
        ),
        case(
            "password beyond the BMP",
            with_password("pass\u{1F600}"),
            &init,
            2,
            &["pw: has U+1F600, beyond U+FFFF"],
        ),
        case(
            "password file of invalid UTF-8 inside",
            vec![("k.pem", key.clone()), ("pw", b"pass\xed\xa0\x80word\n".to_vec())],
            &init,
            2,
            &["pw: password file is not UTF-8 text"],
        ),
        with_env(
            case(
                "password in the environment with U+FFFE",
                vec![("k.pem", key.clone())],
                &["init", "--key", "k.pem"],
                2,
                &["IOSPKI_PASSWORD: has the character U+FFFE"],
            ),
            &[("IOSPKI_PASSWORD", "pass\u{FFFE}word")],
        ),
        with_env(
            case(
                "password in the environment variable the description names",
                config("[passwords]\nstore_env = \"STORE_PW\"\n"),
                &from_config,
                2,
                &["STORE_PW: has the control character U+0001"],
            ),
            &[("STORE_PW", "pass\u{1}word")],
        ),
        case(
            "password in the file the description names",
            [
                config("[passwords]\nstore_file = \"store.pass\"\n"),
                vec![("store.pass", "\u{FFFF}x\n".as_bytes().to_vec())],
            ]
            .concat(),
            &from_config,
            2,
            &["store.pass: has the character U+FFFF"],
        ),
        case(
            "rotate with a password the new XML cannot carry",
            vec![("pw", "pass\u{FFFE}word\n".as_bytes().to_vec())],
            &["rotate", "out", "--password-file", "pw"],
            2,
            &["pw: has the character U+FFFE"],
        ),
    ]
}

/// Validities so short that verify would find the fresh certificate due.
fn validities_verify_would_refuse() -> Vec<Case> {
    let es = |toml: &str| vec![("c.toml", format!("product = \"es\"\n{toml}").into_bytes())];
    let init = ["init", "--config", "c.toml"];
    vec![
        case(
            "an SSL certificate of one day",
            es("[ssl]\ndays = 1\n"),
            &init,
            2,
            &["c.toml:3: ssl.days: 1 is less than 31 days"],
        ),
        case(
            "a CA of no days",
            es("[ca]\ndays = 0\n"),
            &init,
            2,
            &["c.toml:3: ca.days: 0 is less than 31 days"],
        ),
        case(
            "a certificate due within the window",
            es("[ssl]\ndays = 30\n"),
            &init,
            2,
            &["c.toml:3: ssl.days: 30 is less than 31 days: verify and check report a certificate that expires"],
        ),
    ]
}

/// Every file below `dir` with its mode and SHA-256, and every directory.
fn snapshot(dir: &Path) -> Vec<(String, u32, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            if meta.is_dir() {
                stack.push(path);
                out.push((name, meta.permissions().mode(), String::new()));
            } else {
                let digest = Sha256::digest(fs::read(&path).unwrap_or_default()).to_vec();
                out.push((
                    name,
                    meta.permissions().mode(),
                    iospki::formats::certinfo::fingerprint(&digest),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_bad_input_fails_cleanly_and_changes_nothing() {
    let all: Vec<Case> = cases()
        .into_iter()
        .chain(names_that_mean_two_things())
        .chain(passwords_that_cannot_be_written())
        .chain(validities_verify_would_refuse())
        .collect();
    assert!(all.len() >= 40, "{} cases", all.len());
    let mut failures = Vec::new();
    for (index, case) in all.iter().enumerate() {
        let dir = scratch(&format!("bad-input-{index:02}"));
        for (name, bytes) in &case.files {
            let path = dir.join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, bytes).unwrap();
        }
        let before = snapshot(&dir);
        let run = iospki_env(&dir, &case.args, &case.env);
        let stderr = run.stderr();
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.starts_with("iospki: warning:")).collect();
        let problems = [
            (
                run.code() != Some(case.code),
                format!("exit {:?}, expected {}", run.code(), case.code),
            ),
            (
                stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE"),
                "panic".into(),
            ),
            (lines.len() != 1, format!("{} error lines", lines.len())),
            (
                !lines.first().is_some_and(|l| l.starts_with("iospki: ")),
                "line does not start with iospki:".into(),
            ),
            (
                run.code() == Some(2) && stderr.contains("published default password"),
                "a warning about the default password before an unrelated error".into(),
            ),
            (
                !case.line.iter().all(|e| stderr.contains(e)),
                format!("stderr lacks {:?}", case.line),
            ),
            (snapshot(&dir) != before, "the directory changed".into()),
        ];
        for (failed, what) in problems {
            if failed {
                failures.push(format!(
                    "{}: {what}\n  command: iospki {}\n  stderr: {stderr}",
                    case.name,
                    case.args.join(" ")
                ));
            }
        }
    }
    eprintln!("{} bad-input cases tried, {} failures", all.len(), failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
