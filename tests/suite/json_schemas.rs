//! Every `--json` output, validated against its schema in docs/json/ by Python's `jsonschema` (Draft 2020-12), as
//! a consumer would: verify, check, inspect, rotate, bundle and apns check-request, and the error document any of
//! them prints when it fails; and the iospki-bundle.json every bundle carries. The schemas allow no field they do not document, so an output that drifts from its
//! schema fails here.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::util::{Run, default_init, demo_key, iospki, iospki_env, listing, run_in, scratch, tool};

/// Checks the schema itself, then `document` against it; prints the first violation on failure.
const VALIDATE: &str = r#"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))), key=str)
for error in errors:
    print("at", "/".join(map(str, error.absolute_path)) or "the top", ":", error.message)
sys.exit(1 if errors else 0)
"#;

fn schema_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("docs/json/{name}.v1.schema.json"))
}

/// Runs `jsonschema` on `document` against the schema `name` (`iospki.verify`).
fn jsonschema(name: &str, document: &str) -> Run {
    // One directory per document: tests validating the same schema run at the same time.
    static DOCUMENTS: AtomicUsize = AtomicUsize::new(0);
    let dir = scratch(&format!(
        "json-schemas-doc-{}",
        DOCUMENTS.fetch_add(1, Ordering::SeqCst)
    ));
    fs::write(dir.join("document.json"), document).unwrap();
    let schema = schema_file(name);
    run_in(
        &dir,
        "python3",
        ["-c", VALIDATE, schema.to_str().unwrap(), "document.json"],
        &[],
    )
}

/// Asserts that `run` exited with `code` and printed one document of the schema `name`, valid against it.
fn valid(run: &Run, code: i32, name: &str) -> Value {
    run.fails_with(code);
    let stdout = run.stdout();
    let checked = jsonschema(name, &stdout);
    assert!(
        checked.output.status.success(),
        "{} does not follow {name}: {}\n{stdout}",
        run.shown,
        checked.stdout()
    );
    let document: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(document["schema"], format!("{name}/1"), "{stdout}");
    document
}

fn set() -> &'static Path {
    default_init("json-schemas")
}

#[test]
fn verify_reports_follow_iospki_verify() {
    let dir = set().parent().unwrap();
    let sound = valid(&iospki(dir, ["verify", "--json", "output"]), 0, "iospki.verify");
    let findings = sound["findings"].as_array().unwrap();
    assert!(findings.iter().all(|f| f["severity"] == "warning"), "{sound}");
    let wrong = [("IOSPKI_PASSWORD", "not-the-password")];
    let problems = valid(
        &iospki_env(dir, ["verify", "--json", "output"], &wrong),
        1,
        "iospki.verify",
    );
    assert_eq!(problems["findings"][0]["severity"], "problem", "{problems}");
}

#[test]
fn check_inventories_follow_iospki_check_with_their_errors() {
    let dir = scratch("json-schemas-check");
    fs::write(
        dir.join("broken.pem"),
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let out = set().to_str().unwrap();
    let sound = valid(&iospki(&dir, ["check", "--json", out]), 0, "iospki.check");
    assert!(sound["items"].as_array().unwrap().len() > 5, "{sound}");
    let due = valid(
        &iospki(&dir, ["check", "--json", "--within", "3650d", out]),
        1,
        "iospki.check",
    );
    assert_eq!(due["items"][0]["status"], "expiring", "{due}");
    let unreadable = valid(&iospki(&dir, ["check", "--json", "broken.pem", out]), 2, "iospki.check");
    let errors = unreadable["errors"].as_array().unwrap();
    assert!(errors[0].as_str().unwrap().starts_with("broken.pem: "), "{unreadable}");
}

#[test]
fn inspect_reports_of_every_kind_follow_iospki_inspect() {
    let dir = scratch("json-schemas-inspect");
    let out = set();
    for file in ["wso2carbon.jks", "KEYSTORE.p12", "ca_cert.pem", "ra_private.pem"] {
        fs::copy(out.join(file), dir.join(file)).unwrap();
    }
    tool(
        &dir,
        "openssl",
        ["x509", "-in", "ca_cert.pem", "-outform", "DER", "-out", "ca.der"],
    );
    let der_key = [
        "pkcs8",
        "-topk8",
        "-nocrypt",
        "-in",
        "ra_private.pem",
        "-outform",
        "DER",
        "-out",
        "ra.der",
    ];
    tool(&dir, "openssl", der_key);
    let files = [
        "wso2carbon.jks",
        "KEYSTORE.p12",
        "ca_cert.pem",
        "ra_private.pem",
        "ca.der",
        "ra.der",
    ];
    let all = valid(
        &iospki(&dir, ["inspect", "--json"].into_iter().chain(files)),
        0,
        "iospki.inspect",
    );
    let types: Vec<_> = all["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["type"].clone())
        .collect();
    assert_eq!(
        types,
        [
            "keystore",
            "keystore",
            "pem",
            "pem",
            "der_certificate",
            "der_private_key"
        ],
        "{all}"
    );
    assert_eq!(all["errors"], serde_json::json!([]));
    fs::write(dir.join("empty.jks"), "").unwrap();
    let some = valid(
        &iospki(&dir, ["inspect", "--json", "empty.jks", "ca.der"]),
        2,
        "iospki.inspect",
    );
    assert_eq!(some["files"].as_array().unwrap().len(), 1, "{some}");
    assert!(some["errors"][0].as_str().unwrap().starts_with("empty.jks: "), "{some}");
}

#[test]
fn rotate_reports_follow_iospki_rotate() {
    let dir = scratch("json-schemas-rotate");
    iospki(
        &dir,
        ["init", "--key", demo_key().to_str().unwrap(), "--key-bits", "2048"],
    )
    .success();
    let nothing = valid(&iospki(&dir, ["rotate", "--json", "output"]), 0, "iospki.rotate");
    assert_eq!(
        (&nothing["changes"], &nothing["backup"]),
        (&serde_json::json!([]), &Value::Null)
    );
    let planned = valid(
        &iospki(&dir, ["rotate", "--json", "--ssl", "--dry-run", "output"]),
        0,
        "iospki.rotate",
    );
    assert_eq!(planned["changed"], false);
    let planned_backup = planned["backup"].as_str().unwrap();
    assert!(!dir.join("output").join(planned_backup).exists(), "{planned}");
    let rotated = valid(
        &iospki(&dir, ["rotate", "--json", "--ssl", "output"]),
        0,
        "iospki.rotate",
    );
    let backup = rotated["backup"].as_str().unwrap();
    assert!(dir.join("output").join(backup).is_dir(), "{rotated}");
    assert_eq!(rotated["changes"][0]["role"], "SSL", "{rotated}");
}

#[test]
fn rotate_reports_of_a_deployment_toml_product_follow_iospki_rotate() {
    let dir = crate::util::platform_set("json-schemas-rotate-is", "is", "7.1", &[]);
    let args = ["rotate", "--json", "--ca", "--rekey", "--dry-run", "output"];
    let planned = valid(&iospki(&dir, args), 0, "iospki.rotate");
    let keys: Vec<(&str, bool)> = planned["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["role"].as_str().unwrap(), c["new_key"].as_bool().unwrap()))
        .collect();
    let expected = [("CA", true), ("SSL", true), ("primary", true), ("internal", false)];
    assert_eq!(keys, expected, "{planned}");
}

#[test]
fn a_secure_vault_rotation_lists_the_aliases_it_encrypts_again() {
    let dir = scratch("json-schemas-rotate-vault");
    iospki(
        &dir,
        ["init", "--product", "es", "--key-bits", "2048", "--secure-vault"],
    )
    .success();
    let args = ["rotate", "--json", "--ssl", "--rekey", "output"];
    let rotated = valid(&iospki(&dir, args), 0, "iospki.rotate");
    assert_eq!(rotated["encrypted_again"].as_array().unwrap().len(), 4, "{rotated}");
}

#[test]
fn bundle_lists_what_it_wrote_in_every_format_as_iospki_bundle() {
    let dir = scratch("json-schemas-bundle");
    let out = set().to_str().unwrap();
    for format in ["tar", "k8s", "ansible"] {
        let run = iospki(&dir, ["bundle", out, "--json", "--format", format, "--out", format]);
        let written = valid(&run, 0, "iospki.bundle");
        assert_eq!(written["format"], format);
        assert_eq!(written["nodes"][0]["role"], "manager", "{written}");
        let files = written["files"].as_array().unwrap();
        assert!(!files.is_empty(), "{written}");
        for file in files {
            let path = dir.join(file["path"].as_str().unwrap());
            let mode = std::os::unix::fs::PermissionsExt::mode(&fs::metadata(&path).unwrap().permissions());
            assert_eq!(format!("{:04o}", mode & 0o7777), file["mode"], "{}", path.display());
        }
    }
    assert!(listing(&dir.join("tar")).contains(&"mgt.iots310.wso2.com.tar.gz".to_owned()));
}

/// Asserts that `document` (from `origin`) follows the schema `name`.
fn follows(name: &str, document: &str, origin: &str) {
    let checked = jsonschema(name, document);
    assert!(
        checked.output.status.success(),
        "{origin} does not follow {name}: {}\n{document}",
        checked.stdout()
    );
}

#[test]
fn bundle_manifests_in_every_format_follow_iospki_bundle_manifest() {
    let dir = scratch("json-schemas-bundle-manifest");
    let out = set().to_str().unwrap();
    for format in ["tar", "ansible", "k8s"] {
        iospki(&dir, ["bundle", out, "--format", format, "--out", format]).success();
    }
    for (trees, node) in [
        ("tar", "mgt.iots310.wso2.com"),
        ("tar", "nginx"),
        ("ansible/files", "iots310.wso2.com"),
    ] {
        let path = dir.join(trees).join(node).join("iospki-bundle.json");
        follows(
            "iospki.bundle-manifest",
            &fs::read_to_string(&path).unwrap(),
            &path.display().to_string(),
        );
    }
    let manifest = fs::read_to_string(dir.join("k8s/kubectl/key-manager-ca.yaml")).unwrap();
    let yaml = &yaml_rust2::YamlLoader::load_from_str(&manifest).unwrap()[0];
    let annotation = yaml["metadata"]["annotations"]["iospki-bundle.json"].as_str().unwrap();
    follows("iospki.bundle-manifest", annotation, "kubectl/key-manager-ca.yaml");
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/json/README.md")).unwrap();
    assert!(
        readme.contains("iospki.bundle-manifest.v1.schema.json"),
        "README lacks the manifest"
    );
    let schema: Value =
        serde_json::from_str(&fs::read_to_string(schema_file("iospki.bundle-manifest")).unwrap()).unwrap();
    assert_eq!(schema["properties"]["schema"]["const"], "iospki.bundle-manifest/1");
}

#[test]
fn apns_check_request_and_verify_apns_follow_their_schemas() {
    let dir = scratch("json-schemas-apns");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apns");
    for file in [
        "request-python.b64",
        "request-76.b64",
        "push.csr",
        "mdm-push.pem",
        "push.key",
        "store.pass",
        "root.pem",
    ] {
        fs::copy(fixtures.join(file), dir.join(file)).unwrap();
    }
    let check = |file: &str| {
        iospki(
            &dir,
            [
                "apns",
                "check-request",
                "--json",
                file,
                "--csr",
                "push.csr",
                "--apple-root",
                "root.pem",
            ],
        )
    };
    let sound = valid(&check("request-python.b64"), 0, "iospki.apns-check");
    assert_eq!(sound["findings"], serde_json::json!([]));
    let bad = valid(&check("request-76.b64"), 1, "iospki.apns-check");
    assert_eq!(bad["target"], "request-76.b64");
    let import = "apns import --cert mdm-push.pem --key push.key --password-file store.pass --out imported";
    iospki(&dir, import.split_whitespace()).success();
    let line = [
        "verify",
        "--json",
        "--apns",
        "imported",
        "--password-file",
        "store.pass",
    ];
    valid(&iospki(&dir, line), 0, "iospki.verify");
}

#[test]
fn every_command_that_fails_under_json_prints_iospki_error_and_says_it_on_stderr() {
    let dir = scratch("json-schemas-errors");
    let out = set().to_str().unwrap();
    let cases: [&[&str]; 8] = [
        &["verify", "--json", "missing"],
        &["check", "--json", "--within", "soon", "missing"],
        &["inspect", "--json", "--password-file", "missing", "ca.der"],
        &["rotate", "--json", "missing"],
        &["bundle", "--json", "missing"],
        &["bundle", out, "--json", "--format", "tar", "--namespace", "x"],
        &["apns", "check-request", "--json", "missing.b64"],
        &["verify", "--json", "--password-file", "/dev/zero", out],
    ];
    for args in cases {
        let run = iospki(&dir, args);
        let error = valid(&run, 2, "iospki.error");
        let said = run.stderr();
        assert_eq!(
            said.lines().collect::<Vec<_>>(),
            [format!("iospki: {}", error["error"].as_str().unwrap())],
            "{}",
            run.shown
        );
    }
    let without = iospki(&dir, ["verify", "missing"]);
    without.fails_with(2);
    assert_eq!(without.stdout(), "", "no JSON without --json");
}

#[test]
fn the_schemas_refuse_what_they_do_not_document() {
    let wrong = [
        (
            "iospki.verify",
            r#"{"schema":"iospki.verify/2","target":"x","findings":[]}"#,
        ),
        (
            "iospki.verify",
            r#"{"schema":"iospki.verify/1","target":"x","findings":[],"extra":1}"#,
        ),
        ("iospki.error", r#"{"schema":"iospki.error/1"}"#),
        (
            "iospki.check",
            r#"{"schema":"iospki.check/1","within_seconds":1,"items":[{"file":"a"}],"errors":[]}"#,
        ),
    ];
    for (name, document) in wrong {
        let run = jsonschema(name, document);
        assert_eq!(run.code(), Some(1), "{name} takes {document}: {}", run.stdout());
    }
    assert!(
        jsonschema("iospki.error", r#"{"schema":"iospki.error/1","error":"x"}"#)
            .output
            .status
            .success()
    );
}

#[test]
fn every_json_flag_names_a_schema_that_docs_json_holds() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/json/README.md")).unwrap();
    for name in ["verify", "check", "inspect", "rotate", "bundle", "apns-check", "error"] {
        let file = schema_file(&format!("iospki.{name}"));
        let schema: Value = serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(schema["properties"]["schema"]["const"], format!("iospki.{name}/1"));
        assert!(
            readme.contains(&format!("iospki.{name}.v1.schema.json")),
            "README lacks {name}"
        );
    }
}
