//! `iospki rotate`.

use std::process::ExitCode;

use iospki::error::Result;
use iospki::io::output::Lock;
use iospki::model::settings::PasswordSource;
use iospki::ops::rotate::{Change, RotateOptions, Rotation, plan};
use iospki::vocab::roles::CertRole;

use super::next::Written;
use crate::cli::RotateArgs;
use crate::print::info;

pub fn run(args: RotateArgs) -> Result<ExitCode> {
    let options = RotateOptions {
        store_password: super::password_or_default(args.password_file.as_deref(), None)?,
        chosen: [
            (args.ca, CertRole::Ca),
            (args.ra, CertRole::Ra),
            (args.ssl, CertRole::Ssl),
        ]
        .into_iter()
        .filter_map(|(chosen, role)| chosen.then_some(role))
        .collect(),
        rekey: args.rekey,
        within: args.within,
        now: iospki::formats::issue::now(),
    };
    // Held from reading the set to publishing the new one: two rotations never lose each other's change. The set
    // exists, so `rotate .` names it by its real name.
    let dir = args.dir.canonicalize().unwrap_or_else(|_| args.dir.clone());
    let lock = Lock::take(&dir)?;
    let rotation = plan(&dir, &options)?;
    let publish = !args.dry_run && rotation.plan.is_some();
    if publish && let Some(plan) = &rotation.plan {
        plan.publish_locked(&dir, true, &lock)?;
    }
    report(&args, &rotation, publish)?;
    if !publish {
        return Ok(ExitCode::SUCCESS);
    }
    // By its name: a working directory inside the set is the old one now.
    let verified = super::verify_written(&dir, options.store_password, rotation.ssl_alias.clone(), "rotation")?;
    if verified == ExitCode::SUCCESS && !args.json {
        // As the operator named it, unless that name is relative to the set itself (`rotate .`).
        let named = if args.dir.file_name().is_some() {
            &args.dir
        } else {
            &dir
        };
        let set = Written {
            dir: named,
            cluster: &rotation.cluster,
            password: args.password_file.clone().map(PasswordSource::File),
            ssl_alias: &rotation.ssl_alias,
        };
        super::next::after_rotation(&set, rotation.earlier_ca.as_deref())?;
    }
    Ok(verified)
}

/// What `--json` prints (schema `iospki.rotate/1`).
#[derive(serde::Serialize)]
struct Report<'a> {
    schema: &'static str,
    /// Whether the new set was written.
    changed: bool,
    dry_run: bool,
    changes: &'a [Change],
    /// Where the previous set went, inside DIR.
    backup: Option<&'a str>,
}

fn report(args: &RotateArgs, rotation: &Rotation, published: bool) -> Result<()> {
    if args.json {
        return crate::print::json(&Report {
            schema: iospki::ops::rotate::SCHEMA,
            changed: published,
            dry_run: args.dry_run,
            changes: &rotation.changes,
            backup: rotation.backup.as_deref(),
        });
    }
    if rotation.changes.is_empty() {
        info!(
            "nothing to renew in {}: no certificate expires within the window",
            args.dir.display()
        );
        return Ok(());
    }
    for change in &rotation.changes {
        let key = if change.new_key { ", new key" } else { "" };
        info!(
            "renew {} ({}): serial {} -> {}, SHA-256 {}, not after {}{key}",
            change.alias, change.role, change.old_serial, change.new_serial, change.sha256, change.not_after
        );
    }
    match (args.dry_run, &rotation.backup) {
        (true, _) => info!("dry run: nothing written"),
        (false, Some(backup)) => info!(
            "wrote the new set to {}; the previous set is in {backup}/",
            args.dir.display()
        ),
        (false, None) => {}
    }
    Ok(())
}
