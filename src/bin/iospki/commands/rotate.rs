//! `iospki rotate`.

use std::process::ExitCode;

use iospki::error::Result;
use iospki::ops::rotate::{CertRole, KEY_KEPT, RotateReport, RotateRequest};

use crate::cli::RotateArgs;
use crate::print::info;

pub fn run(args: RotateArgs) -> Result<ExitCode> {
    let request = RotateRequest {
        store_password: super::given_password(args.password_file.as_deref())?,
        password_file: args.password_file.clone(),
        chosen: [
            (args.ca, CertRole::Ca),
            (args.ra, CertRole::Ra),
            (args.ssl, CertRole::Ssl),
            (args.primary, CertRole::Primary),
            (args.internal, CertRole::Internal),
        ]
        .into_iter()
        .filter_map(|(chosen, role)| chosen.then_some(role))
        .collect(),
        rekey: args.rekey,
        within: args.within,
        dry_run: args.dry_run,
        dir: args.dir.clone(),
    };
    let report = iospki::ops::rotate::run(&request)?;
    print(&args, &report)?;
    let Some(verified) = &report.verified else {
        return Ok(ExitCode::SUCCESS);
    };
    let verdict = super::written_verdict(verified, "rotation");
    if let Some(next) = report.next.as_ref().filter(|_| !args.json) {
        super::next::after_rotation(next)?;
    }
    Ok(verdict)
}

fn print(args: &RotateArgs, report: &RotateReport) -> Result<()> {
    if args.json {
        return crate::print::json(report);
    }
    if report.changes.is_empty() {
        info!(
            "nothing to renew in {}: no certificate expires within the window",
            args.dir.display()
        );
        return Ok(());
    }
    for change in &report.changes {
        let key = match (change.new_key, args.rekey && change.role.key_never_replaced()) {
            (true, _) => ", new key".to_owned(),
            (false, true) => format!(", {KEY_KEPT}"),
            (false, false) => String::new(),
        };
        info!(
            "renew {} ({}): serial {} -> {}, SHA-256 {}, not after {}{key}",
            change.alias, change.role, change.old_serial, change.new_serial, change.sha256, change.not_after
        );
    }
    if !report.encrypted_again.is_empty() {
        info!(
            "Secure Vault: {} encrypted again under the new key that decrypts them",
            report.encrypted_again.join(", ")
        );
    }
    match (args.dry_run, &report.backup) {
        (true, _) => info!("dry run: nothing written"),
        (false, Some(backup)) => info!(
            "wrote the new set to {}; the previous set is in {backup}/",
            args.dir.display()
        ),
        (false, None) => {}
    }
    Ok(())
}
