//! `iospki check`.

use std::process::ExitCode;

use iospki::check::{Inventory, Status, inventory, prometheus};
use iospki::error::Result;
use iospki::output::{PUBLIC_MODE, write_file};

use crate::cli::CheckArgs;
use crate::print::{out, stderr};

pub fn run(args: CheckArgs) -> Result<ExitCode> {
    let password = super::given_password(args.password_file.as_deref())?;
    let now = iospki::issue::now();
    let said = |error: &iospki::error::Error| super::file_error(error, "iospki check");
    let inventory = inventory(&args.paths, password.as_ref(), args.within, args.backups, now, &said);
    if let Some(path) = &args.prometheus {
        write_file(path, prometheus(&inventory, now).as_bytes(), PUBLIC_MODE, true)?;
    }
    for error in &inventory.errors {
        stderr!("{error}");
    }
    let code = match (inventory.errors.is_empty(), inventory.expiring()) {
        (false, _) => ExitCode::from(2),
        (true, true) => ExitCode::from(1),
        (true, false) => ExitCode::SUCCESS,
    };
    crate::print::verdict(code, print(&inventory, args.json))
}

/// The inventory as JSON, or one line per certificate.
fn print(inventory: &Inventory, json: bool) -> Result<()> {
    if json {
        return crate::print::json(inventory);
    }
    for item in &inventory.items {
        let status = match item.status {
            Status::Ok => "ok",
            Status::Expiring => "EXPIRING",
            Status::Expired => "EXPIRED",
        };
        let alias = item.alias.as_deref().map(|a| format!(" [{a}]")).unwrap_or_default();
        let outlives = if item.outlives_issuer {
            "  OUTLIVES ITS ISSUER"
        } else {
            ""
        };
        out!(
            "{status:<8} {:>6} days  {}  {}{alias}  {}{outlives}",
            item.days_left,
            item.not_after,
            item.file,
            item.subject
        );
    }
    Ok(())
}
