//! A peer's public corpus, read by `iospki inspect` and by OpenSSL: pyca's cryptography-vectors (PyPI; .ci/run
//! installs it). Every PKCS#12 file of its pkcs12/ opens with the password pyca's tests give it (none for the
//! passwordless ones, as Java opens them) and shows the certificates `openssl pkcs12 -nokeys` finds, by SHA-256
//! as `openssl x509 -fingerprint -sha256` prints it; every PKITS certificate OpenSSL reads shows OpenSSL's
//! fingerprint. A missing package fails the test: it never passes by skipping.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::util::{iospki, run_in, scratch};

/// Where pip installed cryptography_vectors.
fn vectors() -> PathBuf {
    let run = run_in(
        Path::new("/"),
        "python3",
        [
            "-c",
            "import cryptography_vectors, os; print(os.path.dirname(cryptography_vectors.__file__))",
        ],
        &[],
    );
    assert_eq!(
        run.code(),
        Some(0),
        "cryptography-vectors is not installed (.ci/run installs it with pip): {}",
        run.stderr()
    );
    PathBuf::from(run.stdout().trim())
}

/// The files of `dir` ending in `.ext`, sorted.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

/// The password pyca's tests/hazmat/primitives/test_pkcs12.py opens a vector with: none for the passwordless
/// ones, "password" for the friendlyName vectors, "cryptography" for the rest.
fn pyca_password(file: &Path) -> Option<&'static str> {
    let name = file.file_name().unwrap().to_str().unwrap();
    if name.contains("no-pwd") || name == "no-password.p12" || name == "java-truststore.p12" {
        None
    } else if name.ends_with("-pwd.p12") {
        Some("password")
    } else {
        Some("cryptography")
    }
}

/// `iospki inspect --json` on `files` with `password` (none: the published defaults and the empty one), one run:
/// each file's certificates' SHA-256 fingerprints and its warnings.
fn inspected(dir: &Path, files: &[&PathBuf], password: Option<&str>) -> Vec<(BTreeSet<String>, Vec<String>)> {
    let mut args = vec!["inspect".to_owned(), "--json".to_owned()];
    if let Some(password) = password {
        std::fs::write(dir.join("pw"), format!("{password}\n")).unwrap();
        args.extend(["--password-file".to_owned(), dir.join("pw").display().to_string()]);
    }
    args.extend(files.iter().map(|f| f.display().to_string()));
    let report: serde_json::Value = serde_json::from_str(&iospki(dir, &args).success()).unwrap();
    let reports = report["files"].as_array().unwrap();
    assert_eq!(reports.len(), files.len());
    reports
        .iter()
        .map(|file| {
            let sha256 = file["entries"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|e| e["certificates"].as_array().unwrap())
                .map(|c| c["sha256"].as_str().unwrap().to_owned())
                .collect();
            let warnings = file["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w.as_str().unwrap().to_owned())
                .collect();
            (sha256, warnings)
        })
        .collect()
}

/// The SHA-256 fingerprint `openssl x509` prints for the certificate `cert` (PEM or DER, as `inform` says), in
/// iospki's notation too; `None` when OpenSSL cannot read it.
fn openssl_fingerprint(dir: &Path, cert: &[u8], inform: &str) -> Option<String> {
    std::fs::write(dir.join("one.cert"), cert).unwrap();
    let run = run_in(
        dir,
        "openssl",
        [
            "x509",
            "-inform",
            inform,
            "-in",
            "one.cert",
            "-noout",
            "-fingerprint",
            "-sha256",
        ],
        &[],
    );
    let out = run.stdout();
    let fingerprint = out.trim().strip_prefix("sha256 Fingerprint=")?;
    (run.code() == Some(0)).then(|| fingerprint.to_owned())
}

/// The SHA-256 fingerprints of the certificates `openssl pkcs12 -nokeys` finds in `file` (with `-legacy` when
/// its ciphers need it).
fn openssl_pkcs12(dir: &Path, file: &Path, password: &str) -> BTreeSet<String> {
    let pass = format!("pass:{password}");
    let args = |legacy: bool| {
        let mut args = vec!["pkcs12", "-in", file.to_str().unwrap(), "-nokeys", "-passin", &pass];
        if legacy {
            args.push("-legacy");
        }
        args
    };
    let mut run = run_in(dir, "openssl", args(false), &[]);
    if run.code() != Some(0) {
        run = run_in(dir, "openssl", args(true), &[]);
    }
    let pem = run.success();
    pem.split_inclusive("-----END CERTIFICATE-----")
        .filter(|block| block.contains("-----BEGIN CERTIFICATE-----"))
        .map(|block| openssl_fingerprint(dir, block.as_bytes(), "PEM").expect("openssl reads what it wrote"))
        .collect()
}

#[test]
fn pyca_pkcs12_vectors_show_the_certificates_openssl_finds_and_the_passwordless_ones_open() {
    let dir = scratch("corpora-pkcs12");
    let all = files(&vectors().join("pkcs12"), "p12");
    assert_eq!(all.len(), 31, "pyca's pkcs12/ of cryptography-vectors 50.0.2");
    let mut passwordless = 0;
    for password in [None, Some("password"), Some("cryptography")] {
        let group: Vec<_> = all.iter().filter(|f| pyca_password(f) == password).collect();
        for (file, (ours, warnings)) in group.iter().zip(inspected(&dir, &group, password)) {
            let theirs = openssl_pkcs12(&dir, file, password.unwrap_or(""));
            assert_eq!(ours, theirs, "{}", file.display());
            if password.is_none() {
                passwordless += 1;
                // Each opened with the empty password; the NUL-terminated friendlyName of one is named too.
                assert!(
                    warnings.iter().any(|w| w.contains("password is empty")),
                    "{}: {warnings:?}",
                    file.display()
                );
            }
        }
    }
    assert_eq!(passwordless, 14);
}

#[test]
fn pkits_certificates_show_openssls_fingerprints() {
    let dir = scratch("corpora-pkits");
    let certs = files(&vectors().join("x509/PKITS_data/certs"), "crt");
    assert_eq!(certs.len(), 405);
    let mut read_by_openssl = Vec::new();
    let mut expected = Vec::new();
    for cert in &certs {
        if let Some(fingerprint) = openssl_fingerprint(&dir, &std::fs::read(cert).unwrap(), "DER") {
            read_by_openssl.push(cert);
            expected.push(fingerprint);
        }
    }
    // OpenSSL 3.0 reads all 405; other versions refuse one.
    assert!(read_by_openssl.len() >= 404, "OpenSSL read {}", read_by_openssl.len());
    let mut args = vec!["inspect".to_owned(), "--json".to_owned()];
    args.extend(read_by_openssl.iter().map(|f| f.display().to_string()));
    let report: serde_json::Value = serde_json::from_str(&iospki(&dir, &args).success()).unwrap();
    let shown: Vec<_> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["certificate"]["sha256"].as_str().unwrap().to_owned())
        .collect();
    for ((cert, ours), theirs) in read_by_openssl.iter().zip(&shown).zip(&expected) {
        assert_eq!(ours, theirs, "{}", cert.display());
    }
}
