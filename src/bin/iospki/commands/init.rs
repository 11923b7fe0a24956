//! `iospki init`.

use std::process::ExitCode;

use iospki::error::{Error, Result};
use iospki::ops::init::{Alias, HostName, InitReport, InitRequest, MergeReport, Overrides, ServerHome};

use crate::cli::InitArgs;
use crate::print::info;

pub fn run(args: InitArgs) -> Result<ExitCode> {
    let env_password = || super::given_password(None);
    let key_password = |key: &std::path::Path| {
        super::input_key_password(
            key,
            "--key-password-file FILE (- for standard input), passwords.key_file or passwords.key_env in iospki.toml, or ",
        )
    };
    let request = InitRequest {
        config: super::config_file(args.config.as_deref()),
        overrides: Overrides {
            product: args.product,
            version: args.version,
            layout: args.keystores,
            format: args.store_type,
            domain: host_name(args.domain, "--domain")?,
            ssl_cn: host_name(args.ssl_cn, "--ssl-cn")?,
            ssl_alias: args
                .ssl_alias
                .map(|a| Alias::chosen(&a).map_err(|e| Error::invalid("--ssl-alias", e)))
                .transpose()?,
            out: args.out,
            protection: args.p12_profile,
            key_bits: args.key_bits,
            no_public_roots: args.no_public_roots,
            secure_vault: args.secure_vault,
            server_home: args
                .server_home
                .map(|home| ServerHome::parse(&home).map_err(|e| Error::invalid("--server-home", e)))
                .transpose()?,
            vault_cipher: args.vault_cipher,
        },
        password_file: args.password_file,
        key: args.key,
        key_password_file: args.key_password_file,
        merge_from: args.merge_from,
        merge_password_file: args.merge_password_file,
        force: args.force,
        env_password: &env_password,
        key_password: &key_password,
        progress: &crate::print::progress,
    };
    let report = iospki::ops::init::run(&request)?;
    print(&report)?;
    warn_of_store_password(&report);
    let verified = super::written_verdict(&report.verified, "init");
    if let Some(next) = &report.next {
        super::next::after_init(next)?;
    }
    Ok(verified)
}

/// Warns, once the stores are written (never before an unrelated error), when their password is a published
/// default or not ASCII.
fn warn_of_store_password(report: &InitReport) {
    if !report.password_ascii {
        crate::print::warning!(
            "the password is not ASCII: the .jks files work with Java and the .p12 files with OpenSSL, \
             but Java's PKCS12 keystore (keytool included) accepts only ASCII passwords and cannot open the .p12 files"
        );
    }
    if report.password_well_known {
        let set_it = match report.outcome.set.product().platform {
            Some(_) => "deployment-security.toml carries it to deployment.toml",
            None => "set the same in carbon.xml",
        };
        crate::print::warning!(
            "the stores use a published default password; give your own with --password-file or \
             {} (iospki writes it into the configuration files of its set; {set_it})",
            super::PASSWORD_ENV
        );
    }
}

/// The host name a flag gives, checked.
fn host_name(given: Option<String>, flag: &str) -> Result<Option<HostName>> {
    given
        .map(|name| HostName::parse(&name).map_err(|e| Error::invalid(flag, e)))
        .transpose()
}

fn print(report: &InitReport) -> Result<()> {
    let files = report.outcome.set.files();
    info!("wrote {} files to {}/", files.len(), report.out.display());
    for file in files {
        info!(
            "  {:<24} {:04o}  {}",
            file.spec.name,
            file.spec.mode(),
            file.spec.description
        );
    }
    for merge in &report.outcome.merges {
        print_merge(merge)?;
    }
    if report.kept_encryption_key {
        info!("kept the [encryption] key of the set made over: what the cluster encrypted with it stays readable");
    }
    info!("issued:");
    for cert in &report.outcome.issued {
        info!(
            "  {:<4} serial {}  not after {}  SHA-256 {}",
            cert.role.name(),
            cert.serial_hex,
            cert.not_after.date(),
            cert.sha256
        );
    }
    Ok(())
}

fn print_merge(merge: &MergeReport) -> Result<()> {
    let list = |aliases: &[String]| {
        if aliases.is_empty() {
            "none".to_owned()
        } else {
            aliases.join(", ")
        }
    };
    info!(
        "merged {}: added {}; replaced {}; kept {} existing entr{}",
        merge.store,
        list(&merge.added),
        list(&merge.replaced),
        merge.kept,
        if merge.kept == 1 { "y" } else { "ies" }
    );
    if !merge.dropped_keys.is_empty() {
        info!(
            "  key entries left out (a truststore holds certificates only; the node's file keeps them): {}",
            merge.dropped_keys.join(", ")
        );
    }
    if !merge.own_key_password.is_empty() {
        info!(
            "  keys that keep their own key password: {}",
            merge.own_key_password.join(", ")
        );
    }
    Ok(())
}
