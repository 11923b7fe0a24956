//! `iospki apns` against a stand-in Apple PKI (tests/fixtures/apns/make.sh), cross-checked with independent
//! implementations: openssl verifies the CSRs, the request's signature and chain, and reads the .pfx; Python's
//! plistlib reads the request; keytool lists the .pfx. Every refusal exits 2 with one line naming the file and
//! writes nothing.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::util::{Run, iospki, iospki_env, listing, run_in, scratch, tool};

/// The password in the fixture store.pass, of previous.pfx.
const STORE_PASSWORD: &str = "mdm-push-store-password";
/// The topic of mdm-push.pem and previous.pfx.
const TOPIC: &str = "com.apple.mgmt.External.1f8c3a5e-2b7d-4e9a-8c61-0d3f5b7a9e21";
/// The sign command for the sound fixtures, without --out.
const SIGN: &str = "apns sign --apple-root root.pem --csr push.csr --vendor-cert vendor.cer --vendor-key vendor.key --chain wwdr.cer \
                    --chain root.pem";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apns")
}

/// A scratch directory `name` with a copy of every fixture, so that commands name them plainly.
fn workspace(name: &str) -> PathBuf {
    let dir = scratch(name);
    for file in listing(&fixtures()) {
        fs::copy(fixtures().join(&file), dir.join(&file)).unwrap();
    }
    dir
}

/// Runs iospki in `dir` with `line` split at spaces (no name used here has one).
fn run(dir: &Path, line: &str) -> Run {
    iospki(dir, line.split_whitespace())
}

/// Runs openssl in `dir` with `line` split at spaces and $P set to the store password; asserts success and
/// returns stdout followed by stderr (where some of openssl's reports go).
fn openssl(dir: &Path, line: &str) -> String {
    let run = run_in(dir, "openssl", line.split_whitespace(), &[("P", STORE_PASSWORD)]);
    run.success() + &run.stderr()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Asserts exit 2 with exactly one line on stderr, `iospki: ` and then each of `expected`.
fn assert_refused(run: &Run, expected: &[&str]) {
    let stderr = run.fails_with(2);
    let lines: Vec<_> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected:\n{stderr}");
    assert!(lines[0].starts_with("iospki: "), "{stderr}");
    for text in expected {
        assert!(lines[0].contains(text), "no {text:?} in\n{stderr}");
    }
}

/// Decodes a request with Python's plistlib: asserts exactly the three keys, as strings, in iospki's order, and
/// writes csr.der, signature.bin and chain.pem into `dir`.
fn plistlib(dir: &Path, request: &str) {
    let script = "import base64, plistlib, sys\n\
                  d = plistlib.loads(base64.b64decode(open(sys.argv[1]).read()))\n\
                  assert all(isinstance(v, str) for v in d.values()), d\n\
                  open('csr.der', 'wb').write(base64.b64decode(d['PushCertRequestCSR']))\n\
                  open('signature.bin', 'wb').write(base64.b64decode(d['PushCertSignature']))\n\
                  open('chain.pem', 'w').write(d['PushCertCertificateChain'])\n\
                  print(' '.join(d))\n";
    let keys = tool(dir, "python3", ["-c", script, request]);
    assert_eq!(
        keys.trim(),
        "PushCertRequestCSR PushCertCertificateChain PushCertSignature"
    );
}

/// Splits chain.pem in `dir` into chain-1.pem, chain-2.pem, ...; returns how many there are.
fn split_chain(dir: &Path) -> usize {
    let chain = fs::read_to_string(dir.join("chain.pem")).unwrap();
    let blocks: Vec<_> = chain.split_inclusive("-----END CERTIFICATE-----\n").collect();
    for (at, block) in blocks.iter().enumerate() {
        fs::write(dir.join(format!("chain-{}.pem", at + 1)), block).unwrap();
    }
    blocks.len()
}

#[test]
fn csr_writes_a_pkcs8_key_and_a_csr_openssl_verifies() {
    let dir = scratch("apns-csr");
    for (command, key, csr) in [
        ("csr", "push.key", "push.csr"),
        ("vendor-csr", "vendor.key", "vendor.csr"),
    ] {
        let stdout = run(&dir, &format!("apns {command} --out {command} --cn Stand-in")).success();
        assert!(stdout.contains(key) && stdout.contains(csr), "{stdout}");
        let out = dir.join(command);
        assert_eq!(
            (mode(&out), mode(&out.join(key)), mode(&out.join(csr))),
            (0o700, 0o600, 0o644)
        );
        let pem = fs::read_to_string(out.join(key)).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8");
        let verified = openssl(&out, &format!("req -verify -noout -subject -in {csr}"));
        assert!(
            verified.contains("verify OK") && verified.contains("CN = Stand-in"),
            "{verified}"
        );
        let public = openssl(&out, &format!("req -in {csr} -noout -pubkey"));
        assert_eq!(public, openssl(&out, &format!("pkey -in {key} -pubout")));
        assert!(openssl(&out, &format!("pkey -in {key} -noout -text")).contains("(2048 bit"));
    }
}

#[test]
fn csr_keeps_an_existing_key_unless_forced() {
    let dir = scratch("apns-csr-force");
    run(&dir, "apns csr --out out").success();
    let key = fs::read(dir.join("out/push.key")).unwrap();
    assert_refused(&run(&dir, "apns csr --out out"), &["out/push.key", "--force"]);
    assert_eq!(fs::read(dir.join("out/push.key")).unwrap(), key);
    run(&dir, "apns csr --out out --force --key-bits 4096").success();
    assert_ne!(fs::read(dir.join("out/push.key")).unwrap(), key);
    assert!(openssl(&dir, "pkey -in out/push.key -noout -text").contains("(4096 bit"));
}

#[test]
fn csr_for_a_given_key_writes_only_the_csr() {
    let dir = workspace("apns-csr-key");
    run(&dir, "apns csr --out out --key push.key").success();
    assert_eq!(listing(&dir.join("out")), ["push.csr"]);
    let public = openssl(&dir, "req -in out/push.csr -noout -pubkey");
    assert_eq!(public, openssl(&dir, "pkey -in push.key -pubout"));
    assert_refused(
        &run(&dir, "apns csr --out small --key small-1024.key"),
        &["small-1024.key", "RSA-1024"],
    );
    assert!(!dir.join("small").exists());
}

#[test]
fn signed_request_is_read_by_plistlib_and_verified_by_openssl() {
    let dir = workspace("apns-sign");
    let stdout = run(&dir, &format!("{SIGN} --out request.b64")).success();
    assert!(stdout.contains("SHA-256 signature"), "{stdout}");
    assert_eq!(mode(&dir.join("request.b64")), 0o644);
    plistlib(&dir, "request.b64");
    openssl(&dir, "req -in push.csr -outform DER -out push.der");
    assert_eq!(
        fs::read(dir.join("csr.der")).unwrap(),
        fs::read(dir.join("push.der")).unwrap()
    );
    assert_eq!(split_chain(&dir), 3);
    let chain = fs::read_to_string(dir.join("chain.pem")).unwrap();
    assert!(chain.lines().all(|line| line.len() <= 64), "{chain}");
    let read = |file: &str| fs::read_to_string(dir.join(file)).unwrap();
    assert_eq!(read("chain-1.pem"), openssl(&dir, "x509 -inform DER -in vendor.cer"));
    assert_eq!(read("chain-2.pem"), openssl(&dir, "x509 -inform DER -in wwdr.cer"));
    assert_eq!(read("chain-3.pem"), read("root.pem"));
    let verified = openssl(&dir, "verify -CAfile chain-3.pem -untrusted chain-2.pem chain-1.pem");
    assert_eq!(verified.trim(), "chain-1.pem: OK");
    openssl(&dir, "x509 -in chain-1.pem -noout -pubkey -out vendor.pub");
    let verified = openssl(&dir, "dgst -sha256 -verify vendor.pub -signature signature.bin csr.der");
    assert_eq!(verified.trim(), "Verified OK");
    assert!(openssl(&dir, "req -verify -noout -inform DER -in csr.der").contains("verify OK"));
}

#[test]
fn sha1_signature_with_the_key_from_a_p12() {
    let dir = workspace("apns-sign-p12");
    let line = "apns sign --apple-root root.pem --csr push.csr --vendor-cert vendor.cer --vendor-p12 vendor.p12 --vendor-p12-password-file \
                vendor.p12.pass --chain wwdr.cer --chain root.pem --digest sha1 --out request.b64";
    assert!(run(&dir, line).success().contains("SHA-1 signature"));
    plistlib(&dir, "request.b64");
    openssl(&dir, "x509 -inform DER -in vendor.cer -noout -pubkey -out vendor.pub");
    let verified = openssl(&dir, "dgst -sha1 -verify vendor.pub -signature signature.bin csr.der");
    assert_eq!(verified.trim(), "Verified OK");
    let stdout = run(&dir, "apns check-request --apple-root root.pem request.b64").success();
    assert!(
        stdout.contains("warning: request.b64: PushCertSignature: is made with SHA-1"),
        "{stdout}"
    );
    assert!(stdout.contains("signature: SHA-1 over the CSR"), "{stdout}");
}

#[test]
fn sign_refusals_name_the_file_and_write_nothing() {
    let dir = workspace("apns-sign-refused");
    let cases = [
        (
            "--csr push.csr",
            "--csr push-1024.csr",
            "push-1024.csr: the CSR's key is RSA-1024",
        ),
        (
            "--csr push.csr",
            "--csr push-bad-signature.csr",
            "push-bad-signature.csr: the CSR's self-signature",
        ),
        (
            "--vendor-key vendor.key",
            "--vendor-key push.key",
            "push.key: is not the key of vendor.cer",
        ),
        (
            "--vendor-cert vendor.cer",
            "--vendor-cert vendor-expired.cer",
            "vendor-expired.cer: expired on 2024-01-01",
        ),
        (
            "--chain wwdr.cer",
            "--chain wwdr-same-name.pem",
            "wwdr-same-name.pem: has the name of the issuer",
        ),
        (
            "--chain wwdr.cer",
            "--chain wwdr-old.pem",
            "wwdr-old.pem: did not issue the certificate before it",
        ),
        (
            "--chain wwdr.cer --chain root.pem",
            "--chain root.pem --chain wwdr.cer",
            "root.pem: is out of order",
        ),
        ("--chain root.pem", "", "wwdr.cer: ends the chain but is not a root"),
        (
            "--chain root.pem",
            "--chain root-bad-signature.cer",
            "root-bad-signature.cer: is a root whose self-sig",
        ),
    ];
    for (sound, broken, expected) in cases {
        let line = format!("{} --out request.b64", SIGN.replace(sound, broken));
        assert_refused(&run(&dir, &line), &[expected]);
        assert!(!dir.join("request.b64").exists(), "{line}");
    }
    let line = "apns sign --apple-root root.pem --csr push.csr --vendor-cert vendor.cer --vendor-p12 vendor.p12 --chain wwdr.cer --chain \
                root.pem --out request.b64";
    let wrong = iospki_env(&dir, line.split_whitespace(), &[("IOSPKI_PASSWORD", "wrong")]);
    assert_refused(&wrong, &["vendor.p12: store password is wrong"]);
    assert!(!dir.join("request.b64").exists());
}

#[test]
fn a_self_signed_vendor_certificate_as_the_whole_chain_is_refused() {
    let dir = workspace("apns-self-signed-vendor");
    let line = "apns sign --apple-root root.pem --csr push.csr --vendor-cert vendor-self-signed.cer --vendor-key \
                vendor.key --chain vendor-self-signed.cer --out request.b64";
    assert_refused(
        &run(&dir, line),
        &["vendor-self-signed.cer: is self-signed: Apple issues MDM vendor certificates (from its WWDR intermediate)"],
    );
    assert!(!dir.join("request.b64").exists());
    // Without --apple-root, only Apple Root CA ends a chain: the stand-in's sound chain is refused at its root.
    let apple = SIGN.replace("--apple-root root.pem ", "");
    assert_refused(
        &run(&dir, &format!("{apple} --out request.b64")),
        &["root.pem: ends the chain but is not Apple Root CA (SHA-256 B0:B1:73:0E:"],
    );

    // A request another tool made with the vendor's self-signed certificate as its chain: the same key signed
    // the CSR, so only the chain tells. Python's plistlib swaps the chain of a sound request.
    run(&dir, &format!("{SIGN} --out request.b64")).success();
    let pem = openssl(&dir, "x509 -inform DER -in vendor-self-signed.cer");
    fs::write(dir.join("self-signed.pem"), pem).unwrap();
    let script = "import base64, plistlib\n\
                  d = plistlib.loads(base64.b64decode(open('request.b64').read()))\n\
                  d['PushCertCertificateChain'] = open('self-signed.pem').read()\n\
                  open('self-signed.b64', 'wb').write(base64.b64encode(plistlib.dumps(d)))\n";
    tool(&dir, "python3", ["-c", script]);
    let checked = run(
        &dir,
        "apns check-request --apple-root root.pem self-signed.b64 --csr push.csr",
    );
    let stdout = checked.stdout();
    checked.fails_with(1);
    assert!(
        stdout.contains("PushCertCertificateChain certificate 1: is self-signed: Apple issues MDM vendor certificates")
            && stdout.contains("ends the chain but is not the root of --apple-root"),
        "{stdout}"
    );
    assert!(stdout.contains("signature: SHA-256 over the CSR"), "{stdout}");
}

#[test]
fn check_request_finds_requests_of_other_tools_and_its_own_sound() {
    let dir = workspace("apns-check-sound");
    let stdout = run(
        &dir,
        "apns check-request --apple-root root.pem request-python.b64 --csr push.csr",
    )
    .success();
    assert!(stdout.contains("signature: SHA-256 over the CSR"), "{stdout}");
    assert!(
        stdout.ends_with("request-python.b64: 0 problem(s), 0 warning(s)\n"),
        "{stdout}"
    );
    run(&dir, &format!("{SIGN} --out request.b64")).success();
    run(
        &dir,
        "apns check-request --apple-root root.pem request.b64 --csr push.csr",
    )
    .success();
    let other = run(
        &dir,
        "apns check-request --apple-root root.pem request.b64 --csr push-1024.csr",
    );
    other.fails_with(1);
    let stdout = other.stdout();
    assert!(
        stdout.contains("problem: request.b64: PushCertRequestCSR: is not the CSR in push-1024.csr"),
        "{stdout}"
    );
}

#[test]
fn check_request_reports_each_problem_as_json_and_exits_1() {
    let dir = workspace("apns-check-problems");
    let cases = [
        (
            "request-76.b64",
            "PushCertCertificateChain certificate 1",
            "line 1 of its base64 is 76 columns",
        ),
        (
            "request-wrong-intermediate.b64",
            "PushCertCertificateChain certificate 2",
            "but its key did not sign it",
        ),
        (
            "request-expired-vendor.b64",
            "PushCertCertificateChain certificate 1",
            "expired on 2024-01-01T00:00:00Z",
        ),
        (
            "request-wrong-key.b64",
            "PushCertSignature",
            "does not verify over the CSR",
        ),
        (
            "request-keys.b64",
            "PushCertWebsite",
            "is a key Apple's request does not have",
        ),
        ("request-keys.b64", "PushCertSignature", "is a <data>, not a <string>"),
    ];
    for (file, location, what) in cases {
        let checked = run(&dir, &format!("apns check-request --apple-root root.pem --json {file}"));
        checked.fails_with(1);
        let report: serde_json::Value = serde_json::from_str(&checked.stdout()).unwrap();
        assert_eq!(
            (&report["schema"], &report["target"]),
            (&"iospki.apns-check/1".into(), &file.into())
        );
        let found = report["findings"].as_array().unwrap().iter().any(|f| {
            f["severity"] == "problem"
                && f["location"] == format!("{file}: {location}")
                && f["what"].as_str().unwrap().contains(what)
                && !f["fix"].as_str().unwrap().is_empty()
        });
        assert!(found, "{file}: no {location}: {what} in {report:#}");
    }
}

#[test]
fn unreadable_requests_exit_2() {
    let dir = workspace("apns-check-unreadable");
    fs::write(dir.join("text.b64"), "this is not base64!").unwrap();
    for (file, expected) in [
        ("request-internal-subset.b64", "internal subset"),
        ("text.b64", "not base64"),
        ("push.csr", "not base64"),
    ] {
        let checked = run(&dir, &format!("apns check-request --apple-root root.pem {file}"));
        assert_refused(&checked, &[&format!("{file}: "), expected]);
        assert_eq!(checked.stdout(), "");
    }
}

/// The import command for `cert` and `key`, with the store password from store.pass, writing out/.
fn import(cert: &str, key: &str) -> String {
    format!("apns import --cert {cert} --key {key} --password-file store.pass --out out")
}

#[test]
fn import_writes_a_pfx_that_keytool_and_openssl_read_as_3des_and_hmac_sha1() {
    let dir = workspace("apns-import");
    let stdout = run(&dir, &import("mdm-push.pem", "push.key")).success();
    assert!(stdout.contains(&format!("topic:   {TOPIC}")), "{stdout}");
    assert!(stdout.contains("expires: 2049-12-31T23:59:59Z"), "{stdout}");
    let out = dir.join("out");
    let files = [
        "mdm-push-topic.txt",
        "mdm-push.pem",
        "mdm-push.pfx",
        "wso2-ios-platform.txt",
    ];
    assert_eq!(listing(&out), files);
    assert_eq!(
        (mode(&out.join("mdm-push.pfx")), mode(&out.join("mdm-push.pem"))),
        (0o600, 0o644)
    );
    let info = openssl(&out, "pkcs12 -info -noout -in mdm-push.pfx -passin env:P");
    assert!(info.contains("MAC: sha1"), "{info}");
    assert!(
        info.contains("PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC"),
        "{info}"
    );
    assert!(
        info.contains("Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC"),
        "{info}"
    );
    let keytool = [
        "-list",
        "-storetype",
        "PKCS12",
        "-keystore",
        "mdm-push.pfx",
        "-storepass:env",
        "P",
    ];
    let listed = run_in(&out, "keytool", keytool, &[("P", STORE_PASSWORD)]).success();
    assert!(
        listed.contains("mdm-push,") && listed.contains("PrivateKeyEntry"),
        "{listed}"
    );
    openssl(
        &out,
        "pkcs12 -in mdm-push.pfx -nokeys -clcerts -passin env:P -out pfx.pem",
    );
    let fingerprint = |file: &str| openssl(&dir, &format!("x509 -in {file} -noout -fingerprint -sha256"));
    assert_eq!(fingerprint("out/pfx.pem"), fingerprint("mdm-push.pem"));
    openssl(
        &out,
        "pkcs12 -in mdm-push.pfx -nocerts -noenc -passin env:P -out pfx.key",
    );
    assert_eq!(
        openssl(&dir, "pkey -in out/pfx.key -pubout"),
        openssl(&dir, "pkey -in push.key -pubout")
    );
    let read = |file: &str| fs::read_to_string(dir.join(file)).unwrap();
    assert_eq!(read("out/mdm-push.pem"), read("mdm-push.pem"));
    assert_eq!(read("out/mdm-push-topic.txt"), format!("{TOPIC}\n"));
    let platform = read("out/wso2-ios-platform.txt");
    assert!(
        platform.contains("MDM Certificate:            mdm-push.pfx"),
        "{platform}"
    );
    let password_file = dir.join("store.pass");
    assert!(
        platform.contains(&format!(
            "MDM Certificate Password:   the line in {}",
            password_file.display()
        )),
        "{platform}"
    );
    assert!(
        platform.contains(&format!("MDM Certificate Topic ID:   {TOPIC}")),
        "{platform}"
    );
    assert!(!platform.contains(STORE_PASSWORD));
}

#[test]
fn import_refusals_name_the_certificate_and_write_nothing() {
    let dir = workspace("apns-import-refused");
    for (cert, expected) in [
        (
            "mdm-push-other-key.pem",
            "is a certificate for another key than push.key",
        ),
        ("mdm-push-no-uid.pem", "has no UID in its subject"),
        ("mdm-push-no-prefix.pem", "its subject's UID 'com.example.push."),
        ("mdm-push-expired.pem", "expired on 2024-01-01T00:00:00Z"),
        (
            "mdm-push-bad-topic.pem",
            "its subject's UID 'com.apple.mgmt.External.1f8c3a5e-2b7d-4e9a-8c61-0d3f5b7a9e21\\u{1b}[2J' is not a push \
             topic: after com.apple.mgmt. Apple's topics hold letters, digits, '.' and '-' only",
        ),
    ] {
        let refused = run(&dir, &import(cert, "push.key"));
        assert_refused(&refused, &[&format!("{cert}: {expected}")]);
        assert!(!refused.stderr().contains('\u{1b}'), "{cert}: a raw escape on stderr");
        assert!(!dir.join("out").exists(), "{cert}");
    }
}

#[test]
fn a_uid_with_a_control_character_is_no_topic_to_inspect_and_check() {
    let dir = workspace("apns-bad-topic");
    let text = run(&dir, "inspect mdm-push-bad-topic.pem").success();
    assert!(!text.contains("Push topic:") && !text.contains('\u{1b}'), "{text:?}");
    let report: serde_json::Value =
        serde_json::from_str(&run(&dir, "inspect --json mdm-push-bad-topic.pem").success()).unwrap();
    assert!(
        report["files"][0]["certificates"][0].get("apns_topic").is_none(),
        "{report:#}"
    );
    let stdout = run(&dir, "check --json --prometheus push.prom mdm-push-bad-topic.pem").success();
    assert!(!stdout.contains("apns_topic"), "{stdout}");
    let metrics = fs::read_to_string(dir.join("push.prom")).unwrap();
    assert_eq!(metrics.matches(",topic=\"\"}").count(), 3, "{metrics}");
}

#[test]
fn renewal_with_a_new_key_keeps_the_topic() {
    let dir = workspace("apns-renewal");
    let renewal = import("mdm-push-renewed.pem", "push-new.key");
    run(&dir, &format!("{renewal} --previous mdm-push.pem")).success();
    let first = fs::read(dir.join("out/mdm-push.pfx")).unwrap();
    // A previous .pfx opens with the same password source, here the environment.
    let line = "apns import --cert mdm-push-renewed.pem --key push-new.key --previous previous.pfx --out out --force";
    iospki_env(&dir, line.split_whitespace(), &[("IOSPKI_PASSWORD", STORE_PASSWORD)]).success();
    assert_ne!(fs::read(dir.join("out/mdm-push.pfx")).unwrap(), first);
    let platform = fs::read_to_string(dir.join("out/wso2-ios-platform.txt")).unwrap();
    assert!(
        platform.contains("Password:   the environment variable IOSPKI_PASSWORD"),
        "{platform}"
    );
}

#[test]
fn a_new_topic_is_refused_until_accepted() {
    let dir = workspace("apns-new-topic");
    let line = format!(
        "{} --previous previous.pfx",
        import("mdm-push-new-topic.pem", "push-new.key")
    );
    let expected = [
        "mdm-push-new-topic.pem: its topic",
        "created instead of renewed",
        "--accept-new-topic",
    ];
    assert_refused(&run(&dir, &line), &expected);
    assert!(!dir.join("out").exists());
    let stdout = run(&dir, &format!("{line} --accept-new-topic")).success();
    assert!(
        stdout.contains(&format!(
            "the topic was {TOPIC}: every enrolled device must enrol again"
        )),
        "{stdout}"
    );
}

#[test]
fn inspect_shows_the_topic_of_push_certificates_only() {
    let dir = workspace("apns-inspect");
    let line = "inspect --json --password-file store.pass mdm-push.pem previous.pfx vendor.cer";
    let report: serde_json::Value = serde_json::from_str(&run(&dir, line).success()).unwrap();
    let files = &report["files"];
    assert_eq!(files[0]["certificates"][0]["apns_topic"], TOPIC, "{report:#}");
    assert_eq!(
        files[1]["entries"][0]["certificates"][0]["apns_topic"], TOPIC,
        "{report:#}"
    );
    let vendor = files[2]["certificate"].as_object().unwrap();
    assert!(
        !vendor.contains_key("apns_topic"),
        "the vendor certificate's UID is no topic: {vendor:?}"
    );
    let text = run(&dir, "inspect mdm-push.pem vendor.cer").success();
    assert_eq!(text.matches("Push topic:").count(), 1, "{text}");
    assert!(text.contains(&format!("  Push topic:     {TOPIC}\n")), "{text}");
}

#[test]
fn check_labels_every_series_with_the_topic() {
    let dir = workspace("apns-check-topic");
    let stdout = run(&dir, "check --json --prometheus push.prom mdm-push.pem vendor.cer").success();
    let inventory: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(inventory["items"][0]["apns_topic"], TOPIC, "{inventory:#}");
    assert!(inventory["items"][1].get("apns_topic").is_none(), "{inventory:#}");
    let text = fs::read_to_string(dir.join("push.prom")).unwrap();
    let metrics = [
        "iospki_certificate_not_after_seconds",
        "iospki_certificate_expiring",
        "iospki_certificate_outlives_issuer",
    ];
    for metric in metrics {
        let series: Vec<_> = text.lines().filter(|l| l.starts_with(&format!("{metric}{{"))).collect();
        assert_eq!(series.len(), 2, "{text}");
        assert!(series[0].contains(&format!(",topic=\"{TOPIC}\"}}")), "{text}");
        assert!(series[1].contains(",topic=\"\"}"), "{text}");
    }
}

#[test]
fn verify_apns_finds_a_sound_import_sound() {
    let dir = workspace("apns-verify");
    run(&dir, &import("mdm-push.pem", "push.key")).success();
    let stdout = run(&dir, "verify --apns out --password-file store.pass").success();
    assert_eq!(stdout, "out: 0 problem(s), 0 warning(s)\n");
    let line = "verify --json --apns out";
    let env = [("IOSPKI_PASSWORD", STORE_PASSWORD)];
    let report: serde_json::Value =
        serde_json::from_str(&iospki_env(&dir, line.split_whitespace(), &env).success()).unwrap();
    assert_eq!(report["schema"], "iospki.verify/1");
    assert_eq!(report["findings"], serde_json::json!([]));
}

#[test]
fn verify_apns_names_each_file_that_changed() {
    let dir = workspace("apns-verify-broken");
    run(&dir, &import("mdm-push.pem", "push.key")).success();
    fs::copy(dir.join("mdm-push-renewed.pem"), dir.join("out/mdm-push.pem")).unwrap();
    fs::write(dir.join("out/mdm-push-topic.txt"), "com.apple.mgmt.External.edited\n").unwrap();
    let checked = run(&dir, "verify --apns out --password-file store.pass");
    checked.fails_with(1);
    let stdout = checked.stdout();
    let problems: Vec<_> = stdout.lines().filter(|l| l.starts_with("problem: ")).collect();
    assert_eq!(problems.len(), 2, "{stdout}");
    assert!(
        problems[0].starts_with("problem: mdm-push.pem: is not the certificate of mdm-push.pfx; "),
        "{stdout}"
    );
    assert!(
        problems[1].starts_with(&format!(
            "problem: mdm-push-topic.txt: does not hold the certificate's topic {TOPIC}; "
        )),
        "{stdout}"
    );
    let wrong = iospki_env(&dir, ["verify", "--apns", "out"], &[("IOSPKI_PASSWORD", "wrong")]);
    wrong.fails_with(1);
    assert!(
        wrong
            .stdout()
            .contains("problem: mdm-push.pfx: cannot be opened with the password: store password is wrong"),
        "{}",
        wrong.stdout()
    );
}

#[test]
fn verify_apns_takes_a_directory_alone() {
    let dir = workspace("apns-verify-usage");
    let stderr = run(&dir, "verify --apns . --bundle node.tar.gz").fails_with(2);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
    assert!(
        run(&dir, "verify --apns . output")
            .fails_with(2)
            .contains("cannot be used with")
    );
    assert_refused(&run(&dir, "verify --apns missing"), &["iospki: missing: "]);
    assert_refused(
        &run(&dir, "verify --apns store.pass"),
        &["store.pass: is not a directory"],
    );
}

#[test]
fn an_empty_common_name_is_refused_as_the_flag() {
    let dir = scratch("apns-csr-empty-cn");
    let refused = iospki(&dir, ["apns", "csr", "--out", "out", "--cn", " "]);
    assert_refused(&refused, &["iospki: --cn: is empty"]);
    assert!(!dir.join("out").exists());
}

#[test]
fn yearly_procedure_end_to_end_with_openssl_as_apple() {
    let dir = workspace("apns-yearly");
    run(&dir, "apns csr --out customer").success();
    run(
        &dir,
        &format!("{SIGN} --out request.b64").replace("push.csr", "customer/push.csr"),
    )
    .success();
    run(
        &dir,
        "apns check-request --apple-root root.pem request.b64 --csr customer/push.csr",
    )
    .success();
    // The stand-in Apple: its Application Integration CA issues a push certificate for the request's CSR.
    plistlib(&dir, "request.b64");
    let uuid = "0e2f4a6c-8b1d-4f3e-a5c7-9d0b2e4f6a81";
    let subject = format!("/UID=com.apple.mgmt.External.{uuid}/CN=APSP:{uuid}/C=US");
    openssl(
        &dir,
        &format!(
            "x509 -req -inform DER -in csr.der -CA aai.pem -CAkey aai.key -set_serial 4001 -days 365 -subj {subject} \
             -out MDM_Stand-in_Certificate.pem"
        ),
    );
    let line = "apns import --cert MDM_Stand-in_Certificate.pem --key customer/push.key --out customer";
    let stdout = iospki_env(&dir, line.split_whitespace(), &[("IOSPKI_PASSWORD", STORE_PASSWORD)]).success();
    assert!(
        stdout.contains(&format!("topic:   com.apple.mgmt.External.{uuid}")),
        "{stdout}"
    );
    // The monitoring docs/apns.md sets up: nothing expires within 30 days, the certificate within 400.
    run(&dir, "check --within 30d customer/mdm-push.pem").success();
    run(&dir, "check --within 400d customer/mdm-push.pem").fails_with(1);
}

#[test]
fn make_sh_reproduces_the_committed_fixtures() {
    let dir = scratch("apns-fixtures");
    let names = listing(&fixtures());
    for name in names.iter().filter(|n| n.ends_with(".key") || *n == "make.sh") {
        fs::copy(fixtures().join(name), dir.join(name)).unwrap();
    }
    tool(&dir, "sh", ["make.sh", dir.to_str().unwrap()]);
    assert_eq!(listing(&dir), names, "make.sh writes exactly the committed files");
    // PKCS#12 files have random salts; everything else is deterministic.
    for name in names.iter().filter(|n| !n.ends_with(".p12") && !n.ends_with(".pfx")) {
        let same = fs::read(dir.join(name)).unwrap() == fs::read(fixtures().join(name)).unwrap();
        assert!(same, "{name} differs from what make.sh makes");
    }
}
