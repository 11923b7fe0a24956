//! `iospki bundle --format ansible` run by ansible-playbook: an Enterprise Store cluster of five nodes (two
//! publishers, two stores, nginx), each a local connection with a server home of its own under target/tmp and a
//! restart command that logs the order. Every node ends with its bundle's bytes and modes, restarted one at a
//! time; a second run changes and restarts nothing; `--check` changes nothing and `--diff` shows no key or
//! password; a failing health check stops the run; the rounds of a CA rotation leave every node trusting both CAs,
//! then the new one alone.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::util::{self, Run, five_node_set, iospki, run_in, scratch, tool};

/// The nodes, in the order the inventory lists them and the playbooks take them.
pub const NODES: [&str; 5] = ["publisher-1", "publisher-2", "store-1", "store-2", "nginx"];

/// A store password that appears nowhere but where the set writes it.
pub const PASSWORD: &str = "Ansible-must-not-print-7Kq";

/// An Enterprise Store set in `DIR/output` with the store password `password`, its Ansible project in
/// `DIR/ansible` and its tar bundles in `DIR/bundles`. Each node has an empty server home `DIR/homes/NODE`, a
/// restart command that logs to `DIR/restarts.log`, and a health check that logs too, or fails on `failing`.
pub fn fleet(name: &str, password: &str, failing: Option<&str>) -> PathBuf {
    fleet_of(name, password, failing, &[])
}

/// The same fleet, its set made with the `extra` flags of init too.
pub fn fleet_of(name: &str, password: &str, failing: Option<&str>, extra: &[&str]) -> PathBuf {
    let dir = scratch(name);
    fs::write(dir.join("password"), password).unwrap();
    let mut init = vec![
        "init",
        "--product",
        "es",
        "--key-bits",
        "2048",
        "--password-file",
        "password",
    ];
    init.extend_from_slice(extra);
    iospki(&dir, init).success();
    bundle(&dir);
    local_connections(&dir);
    fs::create_dir(dir.join("ansible/host_vars")).unwrap();
    for node in NODES {
        node_vars(&dir, node, failing == Some(node));
    }
    dir
}

/// Every host of the project in `dir/ansible` a local connection with the Python that runs ansible-playbook,
/// and an empty configuration: nothing of this machine's Ansible set-up is used.
pub fn local_connections(dir: &Path) {
    let vars = "ansible_connection: local\nansible_python_interpreter: \"{{ ansible_playbook_python }}\"\n";
    fs::create_dir(dir.join("ansible/group_vars")).unwrap();
    fs::write(dir.join("ansible/group_vars/all.yml"), vars).unwrap();
    fs::create_dir(dir.join("ansible-home")).unwrap();
    fs::write(dir.join("ansible-home/ansible.cfg"), "").unwrap();
}

/// `host_vars/NODE.yml`: the node's home (made, 0755), its backups in `DIR/backups/NODE`, a restart that logs its
/// start and end, and a health check that logs, or fails.
pub fn node_vars(dir: &Path, node: &str, failing: bool) {
    let home = dir.join("homes").join(node);
    fs::create_dir_all(&home).unwrap();
    fs::set_permissions(&home, fs::Permissions::from_mode(0o755)).unwrap();
    let backups = dir.join("backups").join(node);
    let (home, log, backups) = (home.display(), dir.join("restarts.log"), backups.display());
    let log = log.display();
    let health = if failing {
        "false".to_owned()
    } else {
        format!("echo 'health {node}' >> '{log}'")
    };
    let vars = format!(
        "iospki_home: \"{home}\"\n\
         iospki_backup_dir: \"{backups}\"\n\
         iospki_restart: \"echo 'restart {node}' >> '{log}'; sleep 0.2; echo 'up {node}' >> '{log}'\"\n\
         iospki_health: \"{health}\"\n"
    );
    fs::write(dir.join(format!("ansible/host_vars/{node}.yml")), vars).unwrap();
}

/// The set in `dir/output` bundled again, as the Ansible project and as tar bundles.
fn bundle(dir: &Path) {
    iospki(dir, ["bundle", "--format", "ansible", "--out", "ansible"]).success();
    iospki(dir, ["bundle", "--out", "bundles"]).success();
}

/// `ansible-playbook -i inventory.yml ARGS` in the project in `dir/ansible`.
pub fn playbook(dir: &Path, args: &[&str]) -> Run {
    ansible(dir, "ansible-playbook", args)
}

/// `PROGRAM -i inventory.yml ARGS` in the project, with its temporary files, home and configuration in the
/// test's directory, killed after ten minutes: a run that waits on a planted FIFO fails instead of hanging.
pub fn ansible(dir: &Path, program: &str, args: &[&str]) -> Run {
    let home = dir.join("ansible-home");
    let at = |sub: &str| home.join(sub).display().to_string();
    let (config, local, remote) = (at("ansible.cfg"), at("tmp"), at("remote-tmp"));
    let env = [
        ("HOME", home.to_str().unwrap()),
        ("ANSIBLE_CONFIG", config.as_str()),
        ("ANSIBLE_LOCAL_TEMP", local.as_str()),
        ("ANSIBLE_REMOTE_TEMP", remote.as_str()),
        ("ANSIBLE_NOCOLOR", "1"),
        ("ANSIBLE_HOST_KEY_CHECKING", "False"),
        ("ANSIBLE_STDOUT_CALLBACK", "default"),
    ];
    let mut all = vec!["600", program, "-i", "inventory.yml"];
    all.extend_from_slice(args);
    run_in(&dir.join("ansible"), "timeout", all, &env)
}

/// The `changed=` count of each host in the PLAY RECAP, in its order (by name).
pub fn changed(out: &str) -> Vec<(String, usize)> {
    let recap = out
        .split("PLAY RECAP")
        .nth(1)
        .unwrap_or_else(|| panic!("no PLAY RECAP:\n{out}"));
    recap
        .lines()
        .filter_map(|line| {
            let (host, counts) = line.split_once(" : ")?;
            let count = counts.split_whitespace().find_map(|c| c.strip_prefix("changed="))?;
            Some((host.trim().to_owned(), count.parse().unwrap()))
        })
        .collect()
}

/// Each node's changed count, `counts` in the order of NODES.
fn recap_of(counts: [usize; 5]) -> Vec<(String, usize)> {
    let mut all: Vec<(String, usize)> = NODES.iter().map(|n| n.to_string()).zip(counts).collect();
    all.sort();
    all
}

/// The lines the restart and health commands logged.
fn log(dir: &Path) -> Vec<String> {
    fs::read_to_string(dir.join("restarts.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// What the log holds after `nodes` were restarted and found healthy, in this order.
fn restarted(nodes: &[&str]) -> Vec<String> {
    nodes
        .iter()
        .flat_map(|n| [format!("restart {n}"), format!("up {n}"), format!("health {n}")])
        .collect()
}

/// Every entry below `dir`: its path, mode and, for a file, its bytes; sorted.
pub fn tree(dir: &Path) -> Vec<(String, u32, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            let mode = fs::symlink_metadata(&path).unwrap().permissions().mode() & 0o777;
            if path.is_dir() {
                stack.push(path);
                out.push((name, mode, None));
            } else {
                out.push((name, mode, Some(fs::read(&path).unwrap())));
            }
        }
    }
    out.sort();
    out
}

/// What `node`'s home holds once its bundle in `bundles` is installed: the bundle's files (not INSTALL.txt,
/// iospki-bundle.json and SHA256SUMS) with their modes, in directories created 0700.
pub fn installed(bundles: &Path, node: &str) -> Vec<(String, u32, Option<Vec<u8>>)> {
    tree(&bundles.join(node))
        .into_iter()
        .filter(|(name, _, _)| !["INSTALL.txt", "iospki-bundle.json", "SHA256SUMS"].contains(&name.as_str()))
        .map(|(name, mode, bytes)| (name, if bytes.is_none() { 0o700 } else { mode }, bytes))
        .collect()
}

/// Asserts that each of `nodes` has its bundle's files and nothing else, and that its home kept its mode.
fn assert_installed(dir: &Path, nodes: &[&str]) {
    for node in nodes {
        let home = dir.join("homes").join(node);
        let (got, want) = (tree(&home), installed(&dir.join("bundles"), node));
        let names = |t: &[(String, u32, Option<Vec<u8>>)]| -> Vec<String> {
            t.iter().map(|(n, m, _)| format!("{n} {m:o}")).collect()
        };
        assert_eq!(names(&got), names(&want), "{node}");
        assert!(got == want, "{node}: bytes differ from its bundle");
        let mode = fs::metadata(&home).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o755, "{node}: the server home keeps its mode");
    }
}

/// Installs every node's tar bundle by hand, as an earlier set's files would be.
pub fn install_by_hand(dir: &Path) {
    for node in NODES {
        for (name, mode, bytes) in installed(&dir.join("bundles"), node) {
            let path = dir.join("homes").join(node).join(name);
            match bytes {
                Some(bytes) => fs::write(&path, bytes).unwrap(),
                None => fs::create_dir(&path).unwrap(),
            }
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        }
    }
}

#[test]
fn site_installs_each_nodes_bundle_one_node_at_a_time_and_a_second_run_changes_nothing() {
    let dir = fleet("ansible-site", PASSWORD, None);
    let out = playbook(&dir, &["site.yml"]).success();
    assert_installed(&dir, &NODES);
    assert_eq!(log(&dir), restarted(&NODES), "one node after the other:\n{out}");
    assert!(changed(&out).iter().all(|(_, count)| *count > 0), "{out}");

    let out = playbook(&dir, &["site.yml"]).success();
    assert_eq!(changed(&out), recap_of([0; 5]), "{out}");
    let health: Vec<String> = NODES.iter().map(|n| format!("health {n}")).collect();
    assert_eq!(log(&dir)[15..], health, "no restart, every health check");
    assert_installed(&dir, &NODES);
}

#[test]
fn check_reports_the_changed_nodes_without_touching_them_and_diff_shows_no_key_or_password() {
    let dir = fleet("ansible-check", PASSWORD, None);
    install_by_hand(&dir);
    let homes = dir.join("homes");
    // A secret and a public file changed on nginx, a secret one on publisher-2, a mode on store-1.
    for (file, text) in [
        (
            "nginx/ssl/es.key",
            "-----BEGIN PRIVATE KEY-----\nold\n-----END PRIVATE KEY-----\n",
        ),
        ("nginx/ssl/es-chain.pem", "old chain\n"),
        ("publisher-2/SETTINGS.txt", "old settings\n"),
    ] {
        fs::write(homes.join(file), text).unwrap();
    }
    let mode_changed = homes.join("store-1/SETTINGS.txt");
    fs::set_permissions(&mode_changed, fs::Permissions::from_mode(0o644)).unwrap();
    let before: Vec<_> = NODES.iter().map(|n| tree(&homes.join(n))).collect();

    let out = playbook(&dir, &["site.yml", "--check", "--diff"]).success();
    let counts = changed(&out);
    for (node, count) in &counts {
        let expected = ["publisher-2", "store-1", "nginx"].contains(&node.as_str());
        assert_eq!(*count > 0, expected, "{node}:\n{out}");
    }
    let after: Vec<_> = NODES.iter().map(|n| tree(&homes.join(n))).collect();
    assert!(before == after, "--check changed a file:\n{out}");
    assert_eq!(log(&dir), Vec::<String>::new(), "--check restarts nothing");
    assert!(
        out.contains("+-----BEGIN CERTIFICATE-----"),
        "the diff of the public chain is shown:\n{out}"
    );
    for secret in ["PRIVATE KEY", PASSWORD, "old settings"] {
        assert!(!out.contains(secret), "{secret} in the output:\n{out}");
    }
}

#[test]
fn a_failing_health_check_on_the_second_node_stops_the_run_before_the_third() {
    let dir = fleet("ansible-health", PASSWORD, Some("publisher-2"));
    let run = playbook(&dir, &["site.yml"]);
    let out = run.stdout();
    assert_ne!(run.code(), Some(0), "{out}");
    assert_installed(&dir, &["publisher-1", "publisher-2"]);
    let mut expected = restarted(&["publisher-1"]);
    expected.extend(["restart publisher-2".to_owned(), "up publisher-2".to_owned()]);
    assert_eq!(log(&dir), expected, "{out}");
    for node in &NODES[2..] {
        assert!(
            tree(&dir.join("homes").join(node)).is_empty(),
            "{node} was touched:\n{out}"
        );
    }
}

/// The SHA-256 fingerprint of the certificate `pem` in `dir`, as keytool prints it.
fn fingerprint(dir: &Path, pem: &str) -> String {
    let out = tool(
        dir,
        "openssl",
        ["x509", "-in", pem, "-noout", "-fingerprint", "-sha256"],
    );
    out.trim().rsplit('=').next().unwrap().to_owned()
}

/// `keytool -list` of a node's truststore: an entry and its fingerprint per certificate.
fn truststore_of(dir: &Path, node: &str) -> String {
    let security = dir.join("homes").join(node).join("repository/resources/security");
    util::keytool_list(&security, "client-truststore.jks", "wso2carbon")
}

/// Where the servers keep their truststore.
const TRUSTSTORE: &str = "repository/resources/security/client-truststore.jks";

/// Asserts that `node`'s one run of `round` kept, of the files it replaced, `path` alone as `old` (a bundle's
/// tree) had it, 0600 in directories made 0700.
fn assert_kept(dir: &Path, node: &str, round: &str, old: &Path, path: &str) {
    let backups = dir.join("backups").join(node);
    let runs = util::listing(&backups);
    let ours: Vec<&String> = runs.iter().filter(|r| r.ends_with(&format!("Z-{round}"))).collect();
    assert_eq!(ours.len(), 1, "{node}: {runs:?}");
    let mut expected: Vec<_> = Path::new(path)
        .ancestors()
        .skip(1)
        .filter(|d| !d.as_os_str().is_empty())
        .map(|d| (d.display().to_string(), 0o700, None))
        .collect();
    expected.push((path.to_owned(), 0o600, Some(fs::read(old.join(path)).unwrap())));
    expected.sort();
    assert!(tree(&backups.join(ours[0])) == expected, "{node}: {:?}", ours[0]);
}

#[test]
fn the_ca_rotation_rounds_leave_every_node_trusting_both_cas_then_the_new_one_alone() {
    let dir = fleet("ansible-rotate-ca", "wso2carbon", None);
    install_by_hand(&dir);
    let old_bundles = dir.join("old-bundles");
    fs::rename(dir.join("bundles"), &old_bundles).unwrap();
    iospki(&dir, ["rotate", "--ca"]).success();
    bundle(&dir);
    let backup = util::listing(&dir.join("output/backup")).remove(0);
    let old_ca = fingerprint(&dir, &format!("output/backup/{backup}/ca.crt"));
    let new_ca = fingerprint(&dir, "output/ca.crt");
    let servers = &NODES[..4];
    let keystore = "repository/resources/security/wso2carbon.jks";

    let out = playbook(&dir, &["rotate-ca.yml", "--tags", "trust"]).success();
    let mut trust_round = restarted(servers);
    trust_round.push("health nginx".to_owned());
    assert_eq!(
        log(&dir),
        trust_round,
        "the servers one at a time; nginx has no truststore:\n{out}"
    );
    for node in servers {
        let listed = truststore_of(&dir, node);
        assert!(
            listed.contains(&old_ca) && listed.contains(&new_ca),
            "{node}:\n{listed}"
        );
        let (old, home) = (old_bundles.join(node), dir.join("homes").join(node));
        let now = fs::read(home.join(keystore)).unwrap();
        assert!(
            now == fs::read(old.join(keystore)).unwrap(),
            "{node}: its key was swapped in the trust round"
        );
        assert_kept(&dir, node, "trust", &old, TRUSTSTORE);
    }
    assert!(tree(&dir.join("homes/nginx")) == installed(&old_bundles, "nginx"));

    util::drop_old_ca(&dir);
    bundle(&dir);
    let out = playbook(&dir, &["rotate-ca.yml", "--tags", "swap,drop"]).success();
    assert_installed(&dir, &NODES);
    let rounds = [trust_round.clone(), restarted(&NODES), trust_round].concat();
    assert_eq!(log(&dir), rounds, "swap everywhere, then drop like trust:\n{out}");
    for node in servers {
        let listed = truststore_of(&dir, node);
        assert!(
            !listed.contains(&old_ca) && listed.contains(&new_ca),
            "{node}:\n{listed}\n{out}"
        );
    }
}

#[test]
fn the_same_set_gives_the_same_project_of_0600_files_and_ansible_reads_its_inventory() {
    let dir = five_node_set("ansible-project");
    iospki(&dir, ["bundle", "--format", "ansible", "--out", "ansible"]).success();
    iospki(&dir, ["bundle", "--format", "ansible", "--out", "again"]).success();
    iospki(&dir, ["bundle"]).success();
    let project = tree(&dir.join("ansible"));
    assert!(project == tree(&dir.join("again")), "the same set, other bytes");
    for (name, mode, bytes) in &project {
        assert_eq!(*mode, if bytes.is_some() { 0o600 } else { 0o700 }, "{name}");
    }
    local_connections(&dir);
    let listed = ansible(&dir, "ansible-inventory", &["--list"]).success();
    let inventory: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let hosts = |group: &str| inventory[group]["hosts"].clone();
    assert_eq!(hosts("manager"), serde_json::json!(["mgt.iot.example.org"]));
    assert_eq!(
        hosts("worker"),
        serde_json::json!(["w1.iot.example.org", "w2.iot.example.org"])
    );
    assert_eq!(
        hosts("key_manager"),
        serde_json::json!(["km1.iot.example.org", "km2.iot.example.org"])
    );
    assert_eq!(hosts("nginx"), serde_json::json!(["nginx"]));
    let vars = &inventory["_meta"]["hostvars"];
    assert_eq!(vars["nginx"]["iospki_home"], "/etc/nginx");
    assert_eq!(vars["km1.iot.example.org"]["iospki_home"], "/opt/wso2/iots");
    let sums = fs::read_to_string(dir.join("bundles/w2.iot.example.org/SHA256SUMS")).unwrap();
    for file in vars["w2.iot.example.org"]["iospki_files"].as_array().unwrap() {
        let (path, sha256) = (file["path"].as_str().unwrap(), file["sha256"].as_str().unwrap());
        assert!(sums.contains(&format!("{sha256}  {path}\n")), "{path}: {sums}");
        assert_eq!(file["secret"], serde_json::json!(file["mode"] == "0600"), "{path}");
        let round = if path.ends_with("client-truststore.jks") {
            "trust"
        } else {
            "swap"
        };
        assert_eq!(file["round"], round, "{path}");
    }
}

#[test]
fn each_nodes_files_carry_its_bundle_manifest_which_is_not_installed() {
    let dir = scratch("ansible-manifest");
    iospki(&dir, ["init", "--product", "es", "--key-bits", "2048"]).success();
    bundle(&dir);
    for node in NODES {
        let project = fs::read(dir.join("ansible/files").join(node).join("iospki-bundle.json")).unwrap();
        let archive = fs::read(dir.join("bundles").join(node).join("iospki-bundle.json")).unwrap();
        assert!(project == archive, "{node}: the project's manifest is the tar bundle's");
    }
    let inventory = fs::read_to_string(dir.join("ansible/inventory.yml")).unwrap();
    assert!(!inventory.contains("iospki-bundle.json"), "{inventory}");
}
