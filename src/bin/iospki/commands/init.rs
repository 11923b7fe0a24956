//! `iospki init`.

use std::io::IsTerminal;
use std::process::ExitCode;

use iospki::cluster::Cluster;
use iospki::error::{Error, Result};
use iospki::init::{InitOptions, Keys, Outcome};
use iospki::merge::Existing;
use iospki::secret::Password;
use iospki::subject::Subject;

use crate::cli::InitArgs;

pub fn run(args: InitArgs) -> Result<ExitCode> {
    let options = InitOptions {
        cluster: Cluster::new(&args.domain, args.ssl_cn.as_deref())?,
        subject: Subject::default(),
        ssl_alias: ssl_alias(&args.ssl_alias)?,
        store_password: super::store_password(args.password_file.as_deref())?,
        protection: args.p12_profile,
        issuance: Default::default(),
    };
    options.check()?;
    let ca_key = iospki::key::load(&args.key, || {
        super::key_password(args.key_password_file.as_deref(), &args.key)
    })?;
    let mut existing = existing_stores(&args, &options)?;
    refuse_existing_set(&args)?;
    let keys = with_progress(
        &format!("generating the RA and SSL keys (2 x RSA-{})", args.key_bits),
        || Keys::generate(ca_key, usize::from(args.key_bits)),
    )?;
    // An earlier set's ledger keeps its serials from being issued again (init --force).
    let ledger = if args.out.is_dir() {
        iospki::ledger::Ledger::load(&args.out)?
    } else {
        None
    };
    let outcome = iospki::init::plan(&options, &keys, existing.as_mut(), ledger, iospki::issue::now())?;
    outcome.plan.publish(&args.out, args.force)?;
    report(&args, &outcome);
    Ok(ExitCode::SUCCESS)
}

/// The stores to merge into, read before the slow key generation so that a wrong password fails fast.
fn existing_stores(args: &InitArgs, options: &InitOptions) -> Result<Option<Existing>> {
    let Some(dir) = &args.merge_from else {
        return Ok(None);
    };
    let same = |a: &std::path::Path, b: &std::path::Path| {
        a.canonicalize()
            .ok()
            .zip(b.canonicalize().ok())
            .is_some_and(|(a, b)| a == b)
    };
    if same(dir, &args.out) {
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
fn refuse_existing_set(args: &InitArgs) -> Result<()> {
    if args.force || !args.out.is_dir() {
        return Ok(());
    }
    let probe = [
        "ca.crt",
        "ca_private.pem",
        "wso2carbon.jks",
        "wso2certs.jks",
        "client-truststore.jks",
    ];
    let existing: Vec<_> = probe.into_iter().filter(|name| args.out.join(name).exists()).collect();
    if existing.is_empty() {
        return Ok(());
    }
    Err(Error::OutputExists {
        path: args.out.clone(),
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

fn report(args: &InitArgs, outcome: &Outcome) {
    println!("wrote {} files to {}/", outcome.plan.files.len(), args.out.display());
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
