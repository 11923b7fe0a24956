//! What to run after `init` and `rotate`: bundle the set, check the bundles, what each node pastes, and the order
//! in which the nodes restart (the bundles' order, which the Ansible playbooks also take, one node at a time).
//! Every command line is printed so that it runs as it stands, from the directory the command ran in.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use iospki::error::Result;
use iospki::model::cluster::Cluster;
use iospki::model::product::{ConfigFile, StorePurpose};
use iospki::model::settings::PasswordSource;
use iospki::vocab::roles::NodeRole;
use iospki::wso2::nginx::{NGINX_DIR, NGINX_RELOAD};

use crate::print::info;

/// The set a command just wrote, and how the commands that open its stores are told their password and alias.
pub struct Written<'a> {
    /// The set's directory, as the command was given it.
    pub dir: &'a Path,
    /// Its cluster.
    pub cluster: &'a Cluster,
    /// Where the store password came from, when a flag or the cluster description named it.
    pub password: Option<PasswordSource>,
    /// carbon.xml's KeyAlias.
    pub ssl_alias: &'a str,
}

/// The steps after `init`: bundle, check, paste each role's SETTINGS.txt, restart in order.
pub fn after_init(set: &Written<'_>) -> Result<()> {
    let bundles = bundles_dir(set.dir);
    info!("next:");
    bundle_and_check(set, &bundles)?;
    info!("  on each node, unpack its archive over the server home (nginx: over {NGINX_DIR}):");
    info!("    tar -xzpf NODE.tar.gz -C <PRODUCT_HOME>");
    settings_to_paste(set.cluster, &bundles)?;
    info!("  {}", restart_order(set.cluster));
    Ok(())
}

/// The steps after a rotation: bundle, check, install, restart in order; a CA rotation in its three rounds,
/// dropping `earlier_ca` in the last.
pub fn after_rotation(set: &Written<'_>, earlier_ca: Option<&str>) -> Result<()> {
    let bundles = bundles_dir(set.dir);
    info!("next:");
    bundle_and_check(set, &bundles)?;
    let Some(earlier_ca) = earlier_ca else {
        info!("  on each node, unpack its archive over the server home (nginx: over {NGINX_DIR})");
        info!("  {}", restart_order(set.cluster));
        return Ok(());
    };
    let truststore = set
        .cluster
        .product()
        .store(StorePurpose::TrustStore)
        .map_or("client-truststore.jks", |spec| spec.name);
    info!(
        "  a CA rotation goes in three rounds; in each, {}",
        restart_order(set.cluster)
    );
    info!("  1. trust: install only {truststore} from each node's archive (it trusts both CAs)");
    info!("  2. swap: install the rest of each archive");
    info!("  3. drop the old CA, bundle again and install {truststore} once more:");
    let store = set.dir.join(truststore);
    info!(
        "    keytool -delete -storetype JKS -keystore {} -alias {earlier_ca}",
        path_word(&store)
    );
    info!("    {}", bundle_command(set.dir, &bundles));
    info!(
        "  with --format ansible, rotate-ca.yml runs the rounds: ansible-playbook -i inventory.yml rotate-ca.yml \
         --tags trust, then --tags swap; after the keytool line and a new bundle, --tags drop"
    );
    Ok(())
}

/// Where the bundles go: `bundles` beside the set (under another name where the set is called that).
fn bundles_dir(dir: &Path) -> PathBuf {
    let parent = dir.parent().unwrap_or(Path::new(""));
    let bundles = parent.join(iospki::model::defaults::BUNDLE_DIR);
    if bundles == dir {
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        return parent.join(format!("{name}-bundles"));
    }
    bundles
}

fn bundle_command(dir: &Path, bundles: &Path) -> String {
    format!("iospki bundle {} --out {}", path_word(dir), path_word(bundles))
}

/// The bundle command and the check of every archive it writes.
fn bundle_and_check(set: &Written<'_>, bundles: &Path) -> Result<()> {
    info!("  bundle the set, one archive per node (or --format k8s, or --format ansible):");
    info!("    {}", bundle_command(set.dir, bundles));
    info!("  check the archives before they travel:");
    let mut verify = format!("iospki verify{} --bundle", access_flags(set));
    for node in set.cluster.nodes() {
        let archive = bundles.join(format!("{}.tar.gz", node.name));
        verify.push(' ');
        verify.push_str(&path_word(&archive));
    }
    info!("    {}", access_prefix(set) + &verify);
    Ok(())
}

/// The SETTINGS.txt of each role that has one, in the bundle of the role's first node (the others' are the same).
fn settings_to_paste(cluster: &Cluster, bundles: &Path) -> Result<()> {
    let product = cluster.product();
    let mut seen = Vec::new();
    for node in cluster.nodes() {
        let Some(placement) = product
            .config(ConfigFile::Settings(node.role))
            .and_then(|spec| spec.placement(node.role))
        else {
            continue;
        };
        if seen.contains(&node.role) {
            continue;
        }
        if seen.is_empty() {
            info!("  and set, in the product's own files, exactly the values of its role's SETTINGS.txt:");
        }
        seen.push(node.role);
        let path = bundles.join(node.name.to_string()).join(placement.path);
        info!("    {:<12} {}", node.role.name(), path_word(&path));
    }
    Ok(())
}

/// The order the nodes restart in, one at a time: the bundles' order, nginx last.
fn restart_order(cluster: &Cluster) -> String {
    let servers: Vec<String> = cluster
        .nodes()
        .iter()
        .filter(|node| node.role != NodeRole::Nginx)
        .map(|node| node.name.to_string())
        .collect();
    format!(
        "restart one node at a time, in this order (site.yml's): {}; then nginx: {NGINX_RELOAD}",
        servers.join(", ")
    )
}

/// `verify`'s flags for the set's password file and alias, where they are not its defaults.
fn access_flags(set: &Written<'_>) -> String {
    let mut flags = String::new();
    if let Some(PasswordSource::File(path)) = &set.password {
        flags.push_str(" --password-file ");
        flags.push_str(&path_word(path));
    }
    if set.ssl_alias != iospki::model::defaults::SSL_ALIAS {
        flags.push_str(" --ssl-alias ");
        flags.push_str(&word(set.ssl_alias));
    }
    flags
}

/// A password the cluster description takes from another environment variable, handed to `verify` in its own.
fn access_prefix(set: &Written<'_>) -> String {
    match &set.password {
        Some(PasswordSource::Env(name)) if is_variable_name(name) => format!("IOSPKI_PASSWORD=\"${name}\" "),
        _ => String::new(),
    }
}

/// Whether `$name` names the variable `name` in a POSIX shell.
fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `path` as one word of a POSIX shell that no command takes for a flag: `./-x` for `-x`.
fn path_word(path: &Path) -> String {
    let text = path.to_string_lossy();
    if text.starts_with('-') {
        return word(&format!("./{text}")).into_owned();
    }
    word(&text).into_owned()
}

/// `text` as one word of a POSIX shell: as it is when it holds nothing the shell reads, else single-quoted.
fn word(text: &str) -> Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./:=@%+,".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(format!("'{}'", text.replace('\'', r"'\''")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_the_shell_would_split_or_expand_are_quoted() {
        assert_eq!(word("output/a.tar.gz"), "output/a.tar.gz");
        assert_eq!(word("my set"), "'my set'");
        assert_eq!(word("it's$HOME"), r"'it'\''s$HOME'");
        assert_eq!(word(""), "''");
        assert_eq!(path_word(Path::new("-rf")), "./-rf");
    }

    #[test]
    fn bundles_go_beside_the_set_under_a_name_of_their_own() {
        assert_eq!(bundles_dir(Path::new("output")), Path::new("bundles"));
        assert_eq!(bundles_dir(Path::new("/srv/pki/output")), Path::new("/srv/pki/bundles"));
        assert_eq!(
            bundles_dir(Path::new("/srv/bundles")),
            Path::new("/srv/bundles-bundles")
        );
    }
}
