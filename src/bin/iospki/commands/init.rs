//! `iospki init`.

use std::path::Path;
use std::process::ExitCode;

use iospki::error::{Error, Result};
use iospki::formats::alias::Alias;
use iospki::formats::key::RsaKey;
use iospki::io::output::{Lock, same_file};
use iospki::io::secret::Password;
use iospki::model::ledger::Ledger;
use iospki::model::product::Product;
use iospki::model::settings::{Choices, PasswordSource};
use iospki::ops::init::{InitOptions, Outcome};
use iospki::ops::merge::Existing;
use iospki::vocab::names::HostName;
use iospki::vocab::roles::{ByRole, CertRole};

use super::next::Written;
use crate::cli::InitArgs;
use crate::print::{info, with_progress};

pub fn run(args: InitArgs) -> Result<ExitCode> {
    let choices = choices(&args)?;
    let options = InitOptions {
        settings: choices.settings()?,
        store_password: super::password_or_default(args.password_file.as_deref(), choices.store_password.as_ref())?,
    };
    options.check()?;
    let product = options.settings.cluster.product();
    let given = given_key(&args, &choices, product)?;
    let out = choices.out();
    let mut existing = existing_stores(&args, &out, &options)?;
    // Held from reading what DIR holds to publishing: a run on the same directory waits its turn.
    let lock = Lock::take(&out)?;
    refuse_existing_set(&out, args.force, product)?;
    let bits = choices.key_bits();
    let keys = with_progress(&format!("generating the keys (RSA-{bits})"), || {
        iospki::ops::init::generate_keys(product, given, usize::from(bits))
    })?;
    // An earlier set's ledger, and the certificates in DIR, keep their serials from being issued again
    // (init --force).
    let ledger = if out.is_dir() {
        let mut ledger = Ledger::load(&out)?.unwrap_or_else(|| Ledger::new(options.settings.clone()));
        ledger.remember_present(&out, product)?;
        Some(ledger)
    } else {
        None
    };
    let outcome = iospki::ops::init::plan(
        &options,
        &keys,
        existing.as_mut(),
        ledger,
        iospki::formats::issue::now(),
    )?;
    outcome.set.plan().publish_locked(&out, args.force, &lock)?;
    report(&out, &outcome)?;
    super::warn_of_store_password(&options.store_password);
    let ssl_alias = options.settings.ssl_alias.to_string();
    // Still under the lock: what is verified is what this run wrote.
    let verified = super::verify_written(&out, options.store_password, ssl_alias.clone(), "init")?;
    if verified == ExitCode::SUCCESS {
        let password = args.password_file.clone().map(PasswordSource::File);
        super::next::after_init(&Written {
            dir: &out,
            cluster: &options.settings.cluster,
            password: password.or(choices.store_password),
            ssl_alias: &ssl_alias,
        })?;
    }
    Ok(verified)
}

/// The CA key `--key` gives; a product whose CA is nginx's key needs it, the others have one generated.
fn given_key(args: &InitArgs, choices: &Choices, product: &Product) -> Result<ByRole<RsaKey>> {
    let Some(path) = &args.key else {
        if product.ca_key_given {
            let reason = format!(
                "the {} set's CA is nginx's private key: give it with --key FILE",
                product.name
            );
            return Err(Error::invalid("--key", reason));
        }
        return Ok(ByRole::default());
    };
    let key = iospki::formats::key::load(path, || {
        super::key_password(args.key_password_file.as_deref(), choices.key_password.as_ref(), path)
    })?;
    Ok([(CertRole::Ca, key)].into_iter().collect())
}

/// The cluster description's choices with the flags laid over them.
fn choices(args: &InitArgs) -> Result<Choices> {
    let product = args.product;
    let mut choices = match super::config_file(args.config.as_deref()) {
        Some(path) => iospki::model::config::load_for(&path, product)?,
        None => Choices {
            product,
            ..Choices::default()
        },
    };
    if let Some(domain) = &args.domain {
        choices.domain = Some(HostName::parse(domain).map_err(|e| Error::invalid("--domain", e))?);
    }
    if let Some(cn) = &args.ssl_cn {
        choices.ssl_common_name = Some(HostName::parse(cn).map_err(|e| Error::invalid("--ssl-cn", e))?);
    }
    if let Some(alias) = &args.ssl_alias {
        choices.ssl_alias = Some(Alias::chosen(alias).map_err(|e| Error::invalid("--ssl-alias", e))?);
    }
    choices.out = args.out.clone().or(choices.out);
    choices.protection = args.p12_profile.or(choices.protection);
    choices.key_bits = args.key_bits.or(choices.key_bits);
    // A merged truststore keeps the node's own public roots.
    if args.no_public_roots || args.merge_from.is_some() {
        choices.public_roots = Some(false);
    }
    Ok(choices)
}

/// The stores to merge into, read before the slow key generation so that a wrong password fails fast.
fn existing_stores(args: &InitArgs, out: &Path, options: &InitOptions) -> Result<Option<Existing>> {
    let Some(dir) = &args.merge_from else {
        return Ok(None);
    };
    // Compared as device and inode, so that a bind mount or a symbolic link of DIR is caught too.
    if same_file(dir, out) {
        return Err(Error::invalid(
            "--merge-from",
            "is the output directory; the node's stores are only read, write to another --out",
        ));
    }
    let password = match &args.merge_password_file {
        Some(file) => Password::from_file(file)?,
        None => options.store_password.clone(),
    };
    Existing::load(dir, password, options.settings.cluster.product()).map(Some)
}

/// Fails before the slow key generation when the output would be refused anyway.
fn refuse_existing_set(out: &Path, force: bool, product: &Product) -> Result<()> {
    if force || !out.is_dir() {
        return Ok(());
    }
    let existing: Vec<&str> = product
        .output_files()
        .map(|spec| spec.name)
        .filter(|name| out.join(name).symlink_metadata().is_ok())
        .collect();
    if existing.is_empty() {
        return Ok(());
    }
    Err(Error::OutputExists {
        path: out.to_path_buf(),
        existing: existing.join(", "),
    })
}

fn report(out: &Path, outcome: &Outcome) -> Result<()> {
    let files = outcome.set.files();
    info!("wrote {} files to {}/", files.len(), out.display());
    for file in files {
        info!(
            "  {:<24} {:04o}  {}",
            file.spec.name,
            file.spec.mode(),
            file.spec.description
        );
    }
    for merge in &outcome.merges {
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
    }
    info!("issued:");
    for cert in &outcome.issued {
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
