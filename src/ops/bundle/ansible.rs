//! Ansible: a project that installs every node's bundle with ansible-core 2.15+, its builtin modules and one
//! module of its own. `inventory.yml` groups the nodes by role and gives each its files with their SHA-256, mode
//! and round of a CA rotation; `files/NODE/` holds the files as its bundle has them, and its iospki-bundle.json
//! (which says what they are and is not installed); `site.yml` installs them one node at a time and
//! `rotate-ca.yml` does the same in the three rounds of a CA rotation, both through `tasks/install.yml`, whose
//! file operations on the node are `library/iospki_node.py`'s: it runs as root in a home that the server's
//! account owns, so it walks every path with directory descriptors that follow no link, where the builtin
//! modules follow links and copy modes.
//!
//! Every file of the project is 0600 in 0700 directories: `files/` holds the stores and keys. The inventory names
//! its defaults in group vars, so that the operator's `group_vars/` and `host_vars/` beside it, which outrank
//! them, keep their settings when the set is bundled again. Its strings need no escaping from Jinja: node names
//! are host names and paths come from the products' declarations, so neither holds a brace.

use super::yaml::Yaml;
use super::{NodeBundle, node_bundles};
use crate::error::Result;
use crate::io::output::{Plan, SECRET_MODE};
use crate::model::cluster::Cluster;
use crate::model::product::StorePurpose;
use crate::model::set::Set;
use crate::vocab::roles::NodeRole;
use crate::wso2::nginx::{NGINX_DIR, NGINX_RELOAD};

/// The playbooks and their tasks, the same for every set.
const SITE: &str = include_str!("ansible/site.yml");
const ROTATE_CA: &str = include_str!("ansible/rotate-ca.yml");
const INSTALL: &str = include_str!("ansible/tasks/install.yml");
const NODE_MODULE: &str = include_str!("ansible/library/iospki_node.py");

/// The Ansible project of `set` for `cluster`, as a plan: `inventory.yml`, `site.yml`, `rotate-ca.yml`,
/// `tasks/install.yml`, `library/iospki_node.py` and `files/NODE/...`.
pub fn plan(set: &Set, cluster: &Cluster) -> Result<Plan> {
    let bundles = node_bundles(set, cluster)?;
    let mut plan = Plan::default();
    plan.add(
        "inventory.yml",
        inventory(set, cluster, &bundles),
        SECRET_MODE,
        "Ansible inventory",
    );
    plan.add("site.yml", SITE, SECRET_MODE, "Ansible playbook");
    plan.add("rotate-ca.yml", ROTATE_CA, SECRET_MODE, "Ansible playbook");
    plan.add("tasks/install.yml", INSTALL, SECRET_MODE, "Ansible tasks");
    plan.add("library/iospki_node.py", NODE_MODULE, SECRET_MODE, "Ansible module");
    for bundle in &bundles {
        let node = &bundle.node.name;
        for file in bundle.placed() {
            let name = format!("files/{node}/{}", file.path);
            plan.add_shared(name, file.contents.clone(), SECRET_MODE, "node file");
        }
        if let Some(file) = bundle.manifest() {
            let name = format!("files/{node}/{}", file.path);
            plan.add_shared(name, file.contents.clone(), SECRET_MODE, "bundle manifest");
        }
    }
    Ok(plan)
}

/// What the inventory says of the keystore password, in a project of a Secure Vault set.
const VAULT_VARS: &str = "\n\
    iospki_vault is iospki's too: the node's server uses Secure Vault and needs the keystore password at each\n\
    start. Give it, encrypted, for every such node (the run stops before touching any node without it):\n\
    \x20 ansible-vault encrypt_string --stdin-name iospki_keystore_password >> group_vars/all.yml\n\
    then run with --ask-vault-pass or --vault-password-file. It is written, one line, as\n\
    iospki_home/password-tmp (0600, the files' owner) just before iospki_restart, only when the node restarts;\n\
    the server reads it and deletes it. No task shows it (no_log).";

/// `inventory.yml`: what the variables mean, their defaults, then a group per role with its hosts and their
/// `iospki_files`.
fn inventory(set: &Set, cluster: &Cluster, bundles: &[NodeBundle]) -> String {
    let product = cluster.product();
    let mut yaml = Yaml::with_capacity(4096 + bundles.len() * 2048);
    yaml.comment(&format!(
        "Written by iospki bundle --format ansible: the nodes of the {} cluster {}, grouped by role.\n\
         Install: ansible-playbook -i inventory.yml site.yml (a CA rotation: rotate-ca.yml, see its head).\n\n\
         Set these in group_vars/GROUP.yml or host_vars/HOST.yml beside this file (they outrank the defaults here\n\
         and stay when the set is bundled again), or with -e; group_vars/all.yml applies to nginx too:\n\
         \x20 iospki_home        the node's server home (nginx: its configuration directory)\n\
         \x20 iospki_restart     shell command that restarts the node's server when its files changed; empty: none\n\
         \x20 iospki_health      shell command that must succeed before the next node's turn; empty: none\n\
         \x20 iospki_owner, iospki_group  owner of the files; empty: the owner of iospki_home\n\
         \x20 iospki_backup_dir  where the files a run replaces are kept, in a directory TIME-ROUND of their own;\n\
         \x20                    root's, outside the home: every directory from / on root's and writable by root alone\n\
         ansible_host and the other connection variables go there too.\n\
         iospki_files is iospki's: each file of the node, its SHA-256 and mode, whether it holds a key or a\n\
         password, and its round of a CA rotation.{}\n",
        product.name,
        cluster.domain(),
        if bundles.iter().any(|b| b.vault) { VAULT_VARS } else { "" },
    ));
    yaml.open(0, "all")
        .open(1, "vars")
        .entry(2, "iospki_home", &format!("/opt/wso2/{}", product.short_name))
        .entry(2, "iospki_restart", "")
        .entry(2, "iospki_health", "")
        .entry(2, "iospki_owner", "")
        .entry(2, "iospki_group", "")
        .entry(2, "iospki_backup_dir", "/var/backups/iospki/{{ inventory_hostname }}")
        .open(1, "children");
    let mut role = None;
    for bundle in bundles {
        if role != Some(bundle.node.role) {
            role = Some(bundle.node.role);
            group(&mut yaml, bundle.node.role);
        }
        host(&mut yaml, set, bundle);
    }
    yaml.finish()
}

/// A role's group: its name, nginx's own defaults, and the opening of its hosts.
fn group(yaml: &mut Yaml, role: NodeRole) {
    yaml.open(2, &role.slug().replace('-', "_"));
    if role == NodeRole::Nginx {
        yaml.open(3, "vars")
            .entry(4, "iospki_home", NGINX_DIR)
            .entry(4, "iospki_restart", NGINX_RELOAD);
    }
    yaml.open(3, "hosts");
}

/// A host and its files, in their bundle's order.
fn host(yaml: &mut Yaml, set: &Set, bundle: &NodeBundle) {
    let truststore = set
        .product()
        .store(StorePurpose::TrustStore)
        .and_then(|spec| spec.placement(bundle.node.role))
        .map(|placement| placement.path);
    yaml.open(4, bundle.node.name.as_str());
    if bundle.vault {
        yaml.flag(5, "iospki_vault", true);
    }
    yaml.open(5, "iospki_files");
    for file in bundle.placed() {
        let round = if Some(file.path.as_str()) == truststore {
            "trust"
        } else {
            "swap"
        };
        yaml.item(6, "path", &file.path)
            .entry(7, "sha256", &file.sha256)
            .entry(7, "mode", &format!("{:04o}", file.mode))
            .flag(7, "secret", file.mode == SECRET_MODE)
            .entry(7, "round", round);
    }
}
