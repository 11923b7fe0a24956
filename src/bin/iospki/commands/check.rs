//! `iospki check`.

use std::process::ExitCode;

use iospki::error::Result;
use iospki::ops::check::{CheckRequest, Inventory, Item, Status, Summary};

use crate::cli::CheckArgs;
use crate::print::{info, out, stderr};

pub fn run(args: CheckArgs) -> Result<ExitCode> {
    let said = |error: &iospki::error::Error| super::file_error(error, "iospki check");
    let inventory = iospki::ops::check::run(&CheckRequest {
        password: super::password_to_open(args.password_file.as_deref())?,
        paths: args.paths,
        within: args.within,
        backups: args.backups,
        public_roots: !args.no_public_roots,
        prometheus: args.prometheus,
        said: &said,
    })?;
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

/// The inventory as JSON, or one line per certificate and the summary; with `-q` only the lines of what is due.
fn print(inventory: &Inventory, json: bool) -> Result<()> {
    if json {
        return crate::print::json(inventory);
    }
    for item in &inventory.items {
        if item.due() {
            out!("{}", line(item));
        } else {
            info!("{}", line(item));
        }
        if crate::print::verbose() {
            out!("{:>15}  serial {}  SHA-256 {}", "", item.serial_hex, item.sha256);
        }
    }
    info!("{}", summary(&inventory.summary, inventory.within_seconds));
    Ok(())
}

/// `EXPIRING     19 days  2026-12-21T10:00:00Z  ia.crt [wso2carbon]  CN=...`.
fn line(item: &Item) -> String {
    let status = match item.status {
        Status::Ok => "ok",
        Status::Expiring => "EXPIRING",
        Status::Expired => "EXPIRED",
    };
    let outlives = if item.outlives_issuer {
        "  OUTLIVES ITS ISSUER"
    } else {
        ""
    };
    format!(
        "{status:<8} {:>6} days  {}  {}  {}{outlives}",
        item.days_left,
        item.not_after,
        name(item),
        item.subject
    )
}

/// The file, and the alias in brackets for a certificate in a keystore.
fn name(item: &Item) -> String {
    match &item.alias {
        Some(alias) => format!("{} [{alias}]", item.file),
        None => item.file.clone(),
    }
}

/// `12 certificates, 2 due within 30 days, the soonest ia.crt [wso2carbon] in 19 days on 2026-12-21`.
fn summary(summary: &Summary, within_seconds: i64) -> String {
    let mut text = counted(summary.certificates as u64, "certificate");
    if summary.public_roots_left_out > 0 {
        text += &format!(
            " ({} left out)",
            counted(summary.public_roots_left_out as u64, "public root")
        );
    }
    let due = match summary.due {
        0 => "none".to_owned(),
        due => due.to_string(),
    };
    text += &format!(", {due} due within {}", window(within_seconds));
    if let Some(item) = &summary.soonest {
        let date = time::OffsetDateTime::from_unix_timestamp(item.not_after_unix)
            .map_or_else(|_| item.not_after.clone(), |t| t.date().to_string());
        let when = match (item.status, item.days_left) {
            (Status::Expired, 0) => "expired today".to_owned(),
            (Status::Expired, days) => format!("expired {} ago", counted(days.unsigned_abs(), "day")),
            (_, 0) => "in less than a day".to_owned(),
            (_, days) => format!("in {}", counted(days.unsigned_abs(), "day")),
        };
        text += &format!(", the soonest {} {when} on {date}", name(item));
    }
    text
}

/// `1 day`, `2 days`.
fn counted(n: u64, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// The window as it is usually given: whole days as `30 days`, else as humantime writes it (`12h`).
fn window(seconds: i64) -> String {
    match u64::try_from(seconds) {
        Ok(s) if s % 86_400 == 0 => counted(s / 86_400, "day"),
        Ok(s) => humantime::format_duration(std::time::Duration::from_secs(s)).to_string(),
        Err(_) => format!("{seconds} s"),
    }
}
