//! `iospki check`: exit 0 when nothing expires within the window, 1 when something does or has, 2 on unreadable
//! input; the Prometheus textfile carries each certificate's notAfter as openssl reads it.

use crate::util;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::util::{iospki, listing, scratch, tool};

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
