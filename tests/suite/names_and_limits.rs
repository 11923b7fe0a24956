//! What iospki writes, its own verify and the real consumers accept: a name nginx would serve from two groups is
//! refused at init and found by verify in an edited set, as real nginx shows it is a problem.

use std::fs;
use std::path::Path;

use crate::util::{self, iospki, run_in, scratch};

/// An Enterprise Store set (2048-bit keys) in `dir/es`.
fn es_set(dir: &Path) -> std::path::PathBuf {
    iospki(dir, ["init", "--product", "es", "--key-bits", "2048", "--out", "es"]).success();
    dir.join("es")
}

/// `nginx -t`'s stderr on the set's nginx configuration, its files and upstreams moved to where they exist here.
fn nginx_test(dir: &Path, set: &Path) -> String {
    let ng = dir.join("nginx");
    fs::create_dir_all(&ng).unwrap();
    let chain = [
        fs::read(set.join("ssl.crt")).unwrap(),
        fs::read(set.join("ca.crt")).unwrap(),
    ]
    .concat();
    fs::write(ng.join("es-chain.pem"), chain).unwrap();
    fs::copy(set.join("ssl.key"), ng.join("es.key")).unwrap();
    let conf = fs::read_to_string(set.join("nginx-es.conf"))
        .unwrap()
        .replace("/etc/nginx/ssl/", &format!("{}/", ng.display()));
    fs::write(ng.join("es.conf"), util::unresolved_upstreams(&conf)).unwrap();
    let main = format!(
        "pid {p}/nginx.pid;\nerror_log stderr;\nevents {{}}\nhttp {{\n    access_log off;\n    include {p}/es.conf;\n}}\n",
        p = ng.display()
    );
    fs::write(ng.join("nginx.conf"), main).unwrap();
    let conf_arg = ng.join("nginx.conf");
    let args = [
        "-t",
        "-p",
        ng.to_str().unwrap(),
        "-e",
        "stderr",
        "-c",
        conf_arg.to_str().unwrap(),
    ];
    let tested = run_in(dir, util::nginx_binary(), args, &[]);
    let stderr = tested.stderr();
    assert!(stderr.contains("test is successful"), "nginx -t: {stderr}");
    stderr
}

#[test]
fn a_name_nginx_serves_from_two_groups_is_found_by_verify_as_nginx_warns_of_it() {
    let dir = scratch("names-served-twice");
    let set = es_set(&dir);
    let sound = nginx_test(&dir, &set);
    assert!(!sound.contains("conflicting server name"), "{sound}");
    iospki(&dir, ["verify", "es"]).success();

    // Edited: the store's name is the publisher's, and nginx routes it to the publishers only.
    let conf = fs::read_to_string(set.join("nginx-es.conf")).unwrap();
    fs::write(
        set.join("nginx-es.conf"),
        conf.replace("store.es-wso2.com", "publisher.es-wso2.com"),
    )
    .unwrap();
    let warned = nginx_test(&dir, &set);
    assert!(
        warned.contains("conflicting server name \"publisher.es-wso2.com\" on 0.0.0.0:443, ignored"),
        "{warned}"
    );
    let run = iospki(&dir, ["verify", "es"]);
    run.fails_with(1);
    let problem = "problem: nginx-es.conf: server_name publisher.es-wso2.com is in two listen 443 server blocks";
    assert!(run.stdout().contains(problem), "{}", run.stdout());

    // Edited the ledger instead: the record no longer makes a cluster, and verify says so first.
    fs::write(set.join("nginx-es.conf"), conf).unwrap();
    let ledger = set.join("iospki-ledger.json");
    let mut json: serde_json::Value = serde_json::from_slice(&fs::read(&ledger).unwrap()).unwrap();
    json["settings"]["hosts"]["store"] = serde_json::json!(["Publisher.es-wso2.com."]);
    fs::write(&ledger, json.to_string()).unwrap();
    let run = iospki(&dir, ["verify", "es"]);
    run.fails_with(1);
    let first = run.stdout().lines().next().unwrap_or_default().to_owned();
    assert!(
        first.starts_with("problem: iospki-ledger.json: ")
            && first.contains("hosts.store: 'publisher.es-wso2.com' is also in hosts.publisher"),
        "{}",
        run.stdout()
    );
}

#[test]
fn the_shortest_validity_is_one_verify_passes_at_init_rotate_and_verify() {
    let dir = scratch("names-shortest-validity");
    let config = |days: u32| format!("product = \"es\"\nkey_bits = 2048\nout = \"es\"\n[ssl]\ndays = {days}\n");
    fs::write(dir.join("short.toml"), config(30)).unwrap();
    let stderr = iospki(&dir, ["init", "--config", "short.toml"]).fails_with(2);
    assert!(
        stderr.contains("short.toml:5: ssl.days: 30 is less than 31 days: verify and check report a certificate"),
        "{stderr}"
    );
    assert!(!dir.join("es").exists(), "init wrote after refusing");

    fs::write(dir.join("least.toml"), config(31)).unwrap();
    iospki(&dir, ["init", "--config", "least.toml"]).success();
    let ssl = dir.join("es/ssl.crt");
    // OpenSSL's verdict: valid for 31 days less a minute, not for 31 days and a minute.
    let month = (31 * 86_400 - 60).to_string();
    let end = crate::util::tool(
        &dir,
        "openssl",
        ["x509", "-in", ssl.to_str().unwrap(), "-noout", "-checkend", &month],
    );
    assert!(end.contains("will not expire"), "{end}");
    let over = (31 * 86_400 + 60).to_string();
    let end = run_in(
        &dir,
        "openssl",
        ["x509", "-in", ssl.to_str().unwrap(), "-noout", "-checkend", &over],
        &[],
    );
    assert!(end.stdout().contains("will expire"), "{}", end.stdout());
    iospki(&dir, ["verify", "es"]).success();
    iospki(&dir, ["rotate", "es", "--ssl"]).success();
    iospki(&dir, ["verify", "es"]).success();

    // A ledger edited below the minimum: rotate refuses it before writing, verify reports it.
    let ledger = dir.join("es/iospki-ledger.json");
    let mut json: serde_json::Value = serde_json::from_slice(&fs::read(&ledger).unwrap()).unwrap();
    json["settings"]["issuance"]["ssl_days"] = serde_json::json!(1);
    fs::write(&ledger, json.to_string()).unwrap();
    let before = fs::read(dir.join("es/ssl.crt")).unwrap();
    let stderr = iospki(&dir, ["rotate", "es", "--ssl"]).fails_with(2);
    assert!(
        stderr.contains("iospki-ledger.json") && stderr.contains("issuance.ssl_days: 1 is less than 31 days"),
        "{stderr}"
    );
    assert_eq!(fs::read(dir.join("es/ssl.crt")).unwrap(), before);
    let run = iospki(&dir, ["verify", "es"]);
    run.fails_with(1);
    assert!(
        run.stdout()
            .contains("problem: iospki-ledger.json: not an iospki ledger: issuance.ssl_days: 1 is less than 31"),
        "{}",
        run.stdout()
    );
}
