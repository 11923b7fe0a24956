//! `iospki init`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use iospki::cluster::{Cluster, DEFAULT_DOMAIN};
use iospki::config::{ClusterFile, PasswordSource};
use iospki::error::{Error, Result};
use iospki::init::{DEFAULT_SSL_ALIAS, InitOptions, Keys, Outcome};
use iospki::merge::Existing;
use iospki::secret::Password;

use crate::cli::InitArgs;

/// What init does after the cluster description and the flags, flags winning.
struct Settings {
    options: InitOptions,
    out: PathBuf,
    key_bits: u16,
    key_password: Option<PasswordSource>,
}

pub fn run(args: InitArgs) -> Result<ExitCode> {
    let Settings {
        options,
        out,
        key_bits,
        key_password,
    } = settings(&args)?;
    options.check()?;
    let ca_key = iospki::key::load(&args.key, || {
        super::key_password(args.key_password_file.as_deref(), key_password.as_ref(), &args.key)
    })?;
    let mut existing = existing_stores(&args, &out, &options)?;
    refuse_existing_set(&out, args.force)?;
    let keys = with_progress(&format!("generating the RA and SSL keys (2 x RSA-{key_bits})"), || {
        Keys::generate(ca_key, usize::from(key_bits))
    })?;
    // An earlier set's ledger keeps its serials from being issued again (init --force).
    let ledger = if out.is_dir() {
        iospki::ledger::Ledger::load(&out)?
    } else {
        None
    };
    let outcome = iospki::init::plan(&options, &keys, existing.as_mut(), ledger, iospki::issue::now())?;
    outcome.plan.publish(&out, args.force)?;
    report(&out, &outcome);
    Ok(ExitCode::SUCCESS)
}

fn settings(args: &InitArgs) -> Result<Settings> {
    let file = match &args.config {
        Some(path) => iospki::config::load(path)?,
        None => ClusterFile::default(),
    };
    let domain = args
        .domain
        .clone()
        .or(file.domain)
        .unwrap_or_else(|| DEFAULT_DOMAIN.into());
    let ssl_cn = args.ssl_cn.clone().or(file.ssl_common_name);
    let options = InitOptions {
        cluster: Cluster::with_hosts(&domain, ssl_cn.as_deref(), file.hosts)?,
        subject: file.subject,
        ssl_alias: ssl_alias(
            args.ssl_alias
                .clone()
                .or(file.ssl_alias)
                .as_deref()
                .unwrap_or(DEFAULT_SSL_ALIAS),
        )?,
        store_password: super::store_password(args.password_file.as_deref(), file.store_password.as_ref())?,
        protection: args.p12_profile.or(file.protection).unwrap_or_default(),
        issuance: file.issuance,
    };
    Ok(Settings {
        options,
        out: args.out.clone().or(file.out).unwrap_or_else(|| PathBuf::from("output")),
        key_bits: args.key_bits.or(file.key_bits).unwrap_or(4096),
        key_password: file.key_password,
    })
}

/// The stores to merge into, read before the slow key generation so that a wrong password fails fast.
fn existing_stores(args: &InitArgs, out: &Path, options: &InitOptions) -> Result<Option<Existing>> {
    let Some(dir) = &args.merge_from else {
        return Ok(None);
    };
    let same = |a: &std::path::Path, b: &std::path::Path| {
        a.canonicalize()
            .ok()
            .zip(b.canonicalize().ok())
            .is_some_and(|(a, b)| a == b)
    };
    if same(dir, out) {
        return Err(Error::InvalidOption {
            option: "--merge-from",
            reason: "is the output directory; the node's stores are only read, write to another --out".into(),
        });
    }
    let password = match &args.merge_password_file {
        Some(file) => Password::from_file(file)?,
        None => options.store_password.clone(),
    };
    Existing::load(dir, password).map(Some)
}

/// JKS keeps aliases in lower case; a mixed-case KeyAlias in carbon.xml would not match what is written.
fn ssl_alias(alias: &str) -> Result<String> {
    if alias != alias.to_lowercase() {
        return Err(Error::InvalidOption {
            option: "--ssl-alias",
            reason: format!(
                "'{alias}' has upper-case letters; Java keystores keep aliases in lower case, use '{}' here and in carbon.xml",
                alias.to_lowercase()
            ),
        });
    }
    Ok(alias.to_owned())
}

/// Fails before the slow key generation when the output would be refused anyway.
fn refuse_existing_set(out: &Path, force: bool) -> Result<()> {
    if force || !out.is_dir() {
        return Ok(());
    }
    let probe = [
        "ca.crt",
        "ca_private.pem",
        "wso2carbon.jks",
        "wso2certs.jks",
        "client-truststore.jks",
    ];
    let existing: Vec<_> = probe.into_iter().filter(|name| out.join(name).exists()).collect();
    if existing.is_empty() {
        return Ok(());
    }
    Err(Error::OutputExists {
        path: out.to_path_buf(),
        existing: existing.join(", "),
    })
}

/// Runs `work`, showing `what` on stderr meanwhile when stderr is a terminal.
fn with_progress<T>(what: &str, work: impl FnOnce() -> T) -> T {
    let show = std::io::stderr().is_terminal();
    if show {
        eprint!("iospki: {what}...");
    }
    let result = work();
    if show {
        eprint!("\r\x1b[2K");
    }
    result
}

fn report(out: &Path, outcome: &Outcome) {
    println!("wrote {} files to {}/", outcome.plan.files.len(), out.display());
    for file in &outcome.plan.files {
        println!("  {:<24} {:04o}  {}", file.name, file.mode, file.description);
    }
    for merge in &outcome.merges {
        let list = |aliases: &[String]| {
            if aliases.is_empty() {
                "none".to_owned()
            } else {
                aliases.join(", ")
            }
        };
        println!(
            "merged {}: added {}; replaced {}; kept {} existing entr{}",
            merge.store,
            list(&merge.added),
            list(&merge.replaced),
            merge.kept,
            if merge.kept == 1 { "y" } else { "ies" }
        );
        if !merge.own_key_password.is_empty() {
            println!(
                "  keys that keep their own key password: {}",
                merge.own_key_password.join(", ")
            );
        }
    }
    println!("issued:");
    for cert in &outcome.issued {
        println!(
            "  {:<4} serial {}  not after {}  SHA-256 {}",
            cert.name,
            cert.serial_hex,
            cert.not_after.date(),
            cert.sha256
        );
    }
}
