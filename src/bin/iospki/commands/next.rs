//! What to run after `init` and `rotate`: bundle the set, check the bundles, what each node pastes, and the order
//! in which the nodes restart (the bundles' order, which the Ansible playbooks also take, one node at a time).
//! Every command line is printed so that it runs as it stands, from the directory the command ran in.

use std::borrow::Cow;
use std::path::Path;

use iospki::error::Result;
use iospki::ops::{NextSteps, PasswordSource};

use crate::print::info;

/// The steps after `init`: bundle, check, paste each role's SETTINGS.txt, restart in order.
pub fn after_init(steps: &NextSteps) -> Result<()> {
    info!("next:");
    bundle_and_check(steps)?;
    info!(
        "  on each node, unpack its archive over the server home (nginx: over {}):",
        steps.nginx_dir
    );
    info!("    tar -xzpf NODE.tar.gz -C <PRODUCT_HOME>");
    settings_to_paste(steps)?;
    password_tmp(steps)?;
    info!("  {}", restart_order(steps));
    Ok(())
}

/// The steps after a rotation: bundle, check, install, restart in order; a CA rotation in its three rounds,
/// dropping the earlier CA in the last.
pub fn after_rotation(steps: &NextSteps) -> Result<()> {
    info!("next:");
    bundle_and_check(steps)?;
    let Some(earlier_ca) = &steps.earlier_ca else {
        info!(
            "  on each node, unpack its archive over the server home (nginx: over {})",
            steps.nginx_dir
        );
        password_tmp(steps)?;
        info!("  {}", restart_order(steps));
        return Ok(());
    };
    password_tmp(steps)?;
    let truststore = steps.truststore;
    info!(
        "  a CA rotation goes in three rounds; in each, {}",
        restart_order(steps)
    );
    info!("  1. trust: install only {truststore} from each node's archive (it trusts both CAs)");
    info!("  2. swap: install the rest of each archive");
    info!("  3. drop the old CA, bundle again and install {truststore} once more:");
    let store = steps.dir.join(truststore);
    info!(
        "    keytool -delete -storetype {} -keystore {} -alias {earlier_ca}",
        steps.truststore_type,
        path_word(&store)
    );
    info!("    {}", bundle_command(steps));
    info!(
        "  with --format ansible, rotate-ca.yml runs the rounds: ansible-playbook -i inventory.yml rotate-ca.yml \
         --tags trust, then --tags swap; after the keytool line and a new bundle, --tags drop"
    );
    Ok(())
}

fn bundle_command(steps: &NextSteps) -> String {
    format!(
        "iospki bundle {} --out {}",
        path_word(&steps.dir),
        path_word(&steps.bundles)
    )
}

/// The bundle command and the check of every archive it writes.
fn bundle_and_check(steps: &NextSteps) -> Result<()> {
    info!("  bundle the set, one archive per node (or --format k8s, or --format ansible):");
    info!("    {}", bundle_command(steps));
    info!("  check the archives before they travel:");
    let mut verify = format!("iospki verify{} --bundle", access_flags(steps));
    for archive in &steps.archives {
        verify.push(' ');
        verify.push_str(&path_word(archive));
    }
    info!("    {}", access_prefix(steps) + &verify);
    Ok(())
}

/// The SETTINGS.txt of each role that has one.
fn settings_to_paste(steps: &NextSteps) -> Result<()> {
    if !steps.settings.is_empty() {
        info!("  and set, in the product's own files, exactly the values of its role's SETTINGS.txt:");
    }
    for (role, path) in &steps.settings {
        info!("    {role:<12} {}", path_word(path));
    }
    Ok(())
}

/// Where a Secure Vault set's servers find the keystore password at start.
fn password_tmp(steps: &NextSteps) -> Result<()> {
    if steps.password_tmp {
        info!(
            "  before each server starts, write the keystore password to password-tmp in its home (one line, 0600, \
             the server's owner): the server reads it once and deletes it (--format ansible writes it from \
             iospki_keystore_password)"
        );
    }
    Ok(())
}

/// The order the nodes restart in, one at a time: the bundles' order, nginx last.
fn restart_order(steps: &NextSteps) -> String {
    format!(
        "restart one node at a time, in this order (site.yml's): {}; then nginx: {}",
        steps.servers.join(", "),
        steps.nginx_reload
    )
}

/// `verify`'s flags for the set's password file and alias, where they are not its defaults.
fn access_flags(steps: &NextSteps) -> String {
    let mut flags = String::new();
    if let Some(PasswordSource::File(path)) = &steps.password {
        flags.push_str(" --password-file ");
        flags.push_str(&path_word(path));
    }
    if let Some(alias) = &steps.ssl_alias {
        flags.push_str(" --ssl-alias ");
        flags.push_str(&word(alias));
    }
    flags
}

/// A password the cluster description takes from another environment variable, handed to `verify` in its own.
fn access_prefix(steps: &NextSteps) -> String {
    match &steps.password {
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
}
