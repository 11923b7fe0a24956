//! `iospki check`: exit 0 when nothing expires within the window, 1 when something does or has, 2 on unreadable
//! input; the Prometheus textfile carries each certificate's notAfter as openssl reads it.

use crate::util;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::util::{demo_key, iospki, listing, run_in, scratch, tool};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("keystores").join(name)
}

#[test]
fn fresh_init_output_is_ok_for_30_days_and_walks_only_certificate_files() {
    let out = util::default_init("check");
    let run = iospki(out, ["check", "--json", "."]);
    let report: serde_json::Value = serde_json::from_str(&run.success()).unwrap();
    assert_eq!(report["schema"], "iospki.check/1");
    let files: Vec<&str> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["file"].as_str().unwrap())
        .collect();
    assert!(
        files.contains(&"./wso2certs.jks") && files.contains(&"./ia.crt") && files.contains(&"./KEYSTORE.p12"),
        "{files:?}"
    );
    assert!(
        !files.iter().any(|f| f.ends_with(".key") || f.ends_with(".xml")),
        "{files:?}"
    );
    assert!(report["items"].as_array().unwrap().iter().all(|i| i["status"] == "ok"));
}

#[test]
fn certificates_within_the_window_exit_1() {
    let out = util::default_init("check");
    // The SSL certificate ends after 730 days, the CA after 1825.
    let run = iospki(out, ["check", "--within", "800d", "ca.crt", "ia.crt"]);
    run.fails_with(1);
    let stdout = run.stdout();
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("EXPIRING") && l.contains("ia.crt")),
        "{stdout}"
    );
    assert!(
        stdout.lines().any(|l| l.starts_with("ok") && l.contains("ca.crt")),
        "{stdout}"
    );
}

#[test]
fn an_expired_certificate_exits_1_in_pem_and_in_a_keystore() {
    let dir = scratch("check-expired");
    for (file, alias) in [("expired.crt", ""), ("expired.jks", " [expired]")] {
        let run = iospki(&dir, ["check", fixture(file).to_str().unwrap()]);
        run.fails_with(1);
        let stdout = run.stdout();
        assert!(
            stdout.starts_with("EXPIRED") && stdout.contains("2021-01-01T00:00:00Z"),
            "{stdout}"
        );
        assert!(stdout.contains(&format!("{file}{alias}")), "{stdout}");
    }
}

#[test]
fn prometheus_textfile_has_openssls_not_after_for_each_certificate() {
    let out = util::default_init("check");
    let dir = scratch("check-prometheus");
    let prom = dir.join("iospki.prom");
    let ca = out.join("ca.crt");
    let ia = out.join("ia.crt");
    let run = iospki(
        &dir,
        [
            "check",
            "--prometheus",
            prom.to_str().unwrap(),
            ca.to_str().unwrap(),
            ia.to_str().unwrap(),
        ],
    );
    run.success();
    assert_eq!(fs::metadata(&prom).unwrap().permissions().mode() & 0o777, 0o644);
    assert_eq!(listing(&dir), ["iospki.prom"], "temporary file left behind");
    let text = fs::read_to_string(&prom).unwrap();
    assert!(
        text.contains("# TYPE iospki_certificate_not_after_seconds gauge"),
        "{text}"
    );
    for cert in [&ca, &ia] {
        let end = tool(
            &dir,
            "openssl",
            ["x509", "-in", cert.to_str().unwrap(), "-noout", "-enddate"],
        );
        let date = end.trim().strip_prefix("notAfter=").unwrap();
        let epoch = tool(&dir, "date", ["-u", "-d", date, "+%s"]);
        let line = text
            .lines()
            .find(|l| {
                l.starts_with("iospki_certificate_not_after_seconds{")
                    && l.contains(&format!("file=\"{}\"", cert.display()))
            })
            .unwrap_or_else(|| panic!("no metric for {}\n{text}", cert.display()));
        assert!(line.ends_with(&format!(" {}", epoch.trim())), "{line} vs {epoch}");
    }
    assert!(
        text.contains("iospki_certificate_expiring{") && text.contains("} 0\n"),
        "{text}"
    );
    assert!(text.contains("iospki_check_errors 0"), "{text}");
}

#[test]
fn unreadable_input_exits_2_and_still_lists_the_rest() {
    let dir = scratch("check-bad");
    fs::write(
        dir.join("broken.pem"),
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let good = fixture("expired.crt");
    let run = iospki(&dir, ["check", "broken.pem", good.to_str().unwrap()]);
    let stderr = run.fails_with(2);
    assert!(stderr.contains("iospki: broken.pem:"), "{stderr}");
    assert!(run.stdout().contains("EXPIRED"), "{}", run.stdout());
}

#[test]
fn a_subject_with_control_and_bidi_characters_keeps_the_textfile_parseable() {
    let dir = scratch("check-prometheus-hostile-subject");
    let subject = "/O=Evil\u{1b}[2J \"q\"/CN=a\u{202e}b";
    let args = [
        "req", "-x509", "-utf8", "-newkey", "rsa:2048", "-nodes", "-days", "365", "-keyout", "k.pem", "-subj", subject,
        "-out", "evil.pem",
    ];
    tool(&dir, "openssl", args);
    fs::copy(util::default_init("check").join("ca.crt"), dir.join("ca.crt")).unwrap();
    iospki(&dir, ["check", "evil.pem", "ca.crt", "--prometheus", "iospki.prom"]).success();
    // Prometheus's own text parser, as the node_exporter hands the file on: one bad label loses the whole file.
    let parse = "import sys\nfrom prometheus_client.parser import text_string_to_metric_families as parse\n\
                 for family in parse(open(sys.argv[1]).read()):\n    for sample in family.samples:\n\
                 \x20       print(sample.name, sample.labels.get('subject', ''))";
    let parsed = tool(&dir, "python3", ["-c", parse, "iospki.prom"]);
    assert_eq!(
        parsed.lines().filter(|l| l.starts_with("iospki_certificate_")).count(),
        6,
        "{parsed}"
    );
    assert!(
        parsed.contains(r#"O=Evil\u{1b}[2J "q", CN=a\u{202e}b"#),
        "the subject as inspect shows it:\n{parsed}"
    );
    assert!(!parsed.contains(['\u{1b}', '\u{202e}']), "{parsed:?}");
}

/// `iospki ARGS` with standard output a pipe whose reader has gone: its exit code.
fn into_closed_pipe(dir: &Path, args: &[&str]) -> Option<i32> {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_iospki"))
        .args(args)
        .current_dir(dir)
        .stdout(writer)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    status.code()
}

#[test]
fn a_verdict_of_problems_survives_a_reader_that_went_away() {
    let out = util::default_init("check");
    let ssl = out.join("ia.crt");
    let ssl = ssl.to_str().unwrap();
    assert_eq!(into_closed_pipe(out, &["check", "--within", "800d", ssl]), Some(1));
    assert_eq!(
        into_closed_pipe(out, &["check", "--json", "--within", "800d", ssl]),
        Some(1)
    );
    assert_eq!(
        into_closed_pipe(out, &["check", "-q", "--within", "800d", ssl]),
        Some(1)
    );
    assert_eq!(into_closed_pipe(out, &["check", "--within", "1d", ssl]), Some(0));
    // A set whose ia.crt is the CA's: verify finds a problem.
    let set = scratch("check-closed-pipe").join("output");
    tool(
        out.parent().unwrap(),
        "cp",
        ["-a", out.to_str().unwrap(), set.to_str().unwrap()],
    );
    fs::copy(set.join("ca.crt"), set.join("ia.crt")).unwrap();
    assert_eq!(into_closed_pipe(out, &["verify", set.to_str().unwrap()]), Some(1));
    assert_eq!(into_closed_pipe(out, &["inspect", ssl]), Some(0));
}

#[test]
fn a_certificate_that_outlives_its_issuer_in_the_same_file_exits_1() {
    let dir = scratch("check-outlives");
    let sh = "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -subj /CN=short-ca -days 10 -out ca.pem \
              -addext basicConstraints=critical,CA:TRUE 2>/dev/null && \
              openssl req -newkey rsa:2048 -nodes -keyout leaf.key -subj /CN=leaf -out leaf.csr 2>/dev/null && \
              openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -set_serial 7 -days 20 -out leaf.pem 2>/dev/null && \
              cat leaf.pem ca.pem > chain.pem";
    util::run_in(&dir, "sh", ["-c", sh], &[]).success();
    let run = iospki(&dir, ["check", "--within", "1d", "chain.pem", "--json"]);
    run.fails_with(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    let items = json["items"].as_array().unwrap();
    assert_eq!(items[0]["subject"], "CN=leaf");
    assert_eq!(items[0]["outlives_issuer"], true);
    assert_eq!(items[1]["outlives_issuer"], false);
    let text = iospki(&dir, ["check", "--within", "1d", "chain.pem"]).fails_with(1);
    assert!(text.is_empty(), "{text}");
}

/// A set made 709 and a half days ago (faketime), shared by the tests of this file: its RA and SSL certificates end
/// within 30 days, its CA does not. The half day keeps their whole days left off a boundary: two checks a second
/// apart count the same (made exactly 710 days ago, the count drops a second after issue). Returns the set's
/// directory.
fn aged_set() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch("check-aged");
        let out = dir.join("output");
        let key = demo_key();
        let init = [
            "-f",
            "-17028h",
            env!("CARGO_BIN_EXE_iospki"),
            "init",
            "--key",
            key.to_str().unwrap(),
            "--key-bits",
            "2048",
            "--out",
            out.to_str().unwrap(),
        ];
        run_in(&dir, "faketime", init, &[]).success();
        out
    })
}

#[test]
fn check_q_of_a_sound_set_prints_nothing_and_exits_0() {
    let out = util::default_init("check");
    let run = iospki(out, ["check", "-q", "."]);
    assert_eq!(run.success(), "");
    assert_eq!(run.stderr(), "");
    let run = iospki(out, ["--quiet", "check", "--no-public-roots", "."]);
    assert_eq!(run.success(), "");
}

#[test]
fn check_q_of_a_set_with_due_certificates_prints_exactly_the_due_lines_and_exits_1() {
    let out = aged_set();
    let normal = iospki(out, ["check", "."]);
    normal.fails_with(1);
    let due: Vec<String> = normal
        .stdout()
        .lines()
        .filter(|l| l.starts_with("EXPIRING ") || l.starts_with("EXPIRED ") || l.ends_with("OUTLIVES ITS ISSUER"))
        .map(str::to_owned)
        .collect();
    assert!(due.iter().any(|l| l.contains("./ia.crt")), "{}", normal.stdout());
    let quiet = iospki(out, ["check", "-q", "."]);
    assert_eq!(quiet.fails_with(1), "");
    assert_eq!(quiet.stdout(), format!("{}\n", due.join("\n")));
}

#[test]
fn the_summary_line_counts_the_certificates_and_the_due_and_names_the_soonest_with_openssls_date() {
    let out = aged_set();
    let run = iospki(out, ["check", "--within", "30d", "ia.crt", "ca.crt", "wso2carbon.jks"]);
    run.fails_with(1);
    let stdout = run.stdout();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    let end = tool(out, "openssl", ["x509", "-in", "ia.crt", "-noout", "-enddate"]);
    let date = tool(
        out,
        "date",
        ["-u", "-d", end.trim().strip_prefix("notAfter=").unwrap(), "+%F"],
    );
    let days: i64 = lines[0].split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!((19..=20).contains(&days), "{stdout}");
    assert_eq!(
        lines[3],
        format!(
            "3 certificates, 2 due within 30 days, the soonest ia.crt in {days} days on {}",
            date.trim()
        )
    );
    let json = iospki(out, ["check", "--json", "ia.crt", "ca.crt", "wso2carbon.jks"]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout()).unwrap();
    let summary = &json["summary"];
    assert_eq!(
        (summary["certificates"].as_u64(), summary["due"].as_u64()),
        (Some(3), Some(2)),
        "{json}"
    );
    assert_eq!(summary["soonest"]["days_left"], days, "{json}");
    let fresh = iospki(util::default_init("check"), ["check", "--within", "12h", "ca.crt"]).success();
    let last = fresh.lines().last().unwrap();
    assert!(
        last.starts_with("1 certificate, none due within 12h, the soonest ca.crt in 18"),
        "{fresh}"
    );
}

/// The aliases of the JKS `store` with their owners, as keytool lists them.
fn keytool_entries(dir: &Path, store: &str) -> Vec<(String, String)> {
    let listing = util::keytool_list(dir, store, "wso2carbon");
    let mut entries = Vec::new();
    let mut alias = None;
    for line in listing.lines() {
        if let Some(name) = line.strip_prefix("Alias name: ") {
            alias = Some(name.to_owned());
        }
        if let (Some(owner), Some(name)) = (line.strip_prefix("Owner: "), &alias) {
            entries.push((name.clone(), owner.to_owned()));
            alias = None;
        }
    }
    entries
}

/// The aliases a check of `store` lists.
fn checked_aliases(dir: &Path, args: &[&str]) -> (Vec<String>, serde_json::Value) {
    let run = iospki(dir, args);
    let json: serde_json::Value = serde_json::from_str(&run.success()).unwrap();
    let mut aliases: Vec<String> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["alias"].as_str().unwrap().to_owned())
        .collect();
    aliases.sort();
    (aliases, json)
}

#[test]
fn no_public_roots_leaves_out_exactly_mozillas_roots_known_by_their_bytes_not_their_alias() {
    let dir = scratch("check-public-roots");
    let set = util::default_init("check");
    fs::copy(set.join("client-truststore.jks"), dir.join("trust.jks")).unwrap();
    // A root under another alias is still a public root; the cluster's own certificate under a root's alias is not.
    let keytool = |args: &[&str]| {
        let mut all = vec![
            "-storetype",
            "JKS",
            "-keystore",
            "trust.jks",
            "-storepass",
            "wso2carbon",
            "-noprompt",
        ];
        all.extend_from_slice(args);
        tool(&dir, "keytool", all);
    };
    keytool(&[
        "-changealias",
        "-alias",
        "usertrust-rsa-certification-authority",
        "-destalias",
        "our-own-root",
    ]);
    keytool(&["-delete", "-alias", "isrg-root-x1"]);
    let ia = set.join("ia.crt");
    keytool(&["-importcert", "-alias", "isrg-root-x1", "-file", ia.to_str().unwrap()]);
    let entries = keytool_entries(&dir, "trust.jks");
    let mut own: Vec<String> = entries
        .iter()
        .filter(|(_, owner)| owner.contains("O=WSO2"))
        .map(|(alias, _)| alias.clone())
        .collect();
    own.sort();
    assert_eq!(own, ["cacert", "isrg-root-x1", "wso2carbon"], "{entries:?}");
    let roots = entries.len() - own.len();
    assert_eq!(roots + 1, util::public_roots(), "one root was replaced");
    let (all, _) = checked_aliases(&dir, &["check", "--json", "trust.jks"]);
    assert_eq!(all.len(), entries.len());
    let (left, json) = checked_aliases(&dir, &["check", "--json", "--no-public-roots", "trust.jks"]);
    assert_eq!(left, own, "{json}");
    assert_eq!(json["summary"]["public_roots_left_out"].as_u64(), Some(roots as u64));
    let text = iospki(&dir, ["check", "--no-public-roots", "trust.jks"]).success();
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with(&format!("3 certificates ({roots} public roots left out), none due")),
        "{text}"
    );
}
