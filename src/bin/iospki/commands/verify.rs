//! `iospki verify`.

use std::process::ExitCode;

use iospki::error::Result;
use iospki::ops::verify::{Target, VerifyRequest};

use crate::cli::VerifyArgs;

pub fn run(args: VerifyArgs) -> Result<ExitCode> {
    let store_password = super::given_password(args.password_file.as_deref())?;
    let target = match (args.apns, args.home, args.bundle) {
        (Some(dir), _, _) => Target::Apns(dir),
        (None, Some(home), _) => Target::Home(home, args.product),
        (None, None, bundles) if bundles.is_empty() => Target::Output(args.dir),
        (None, None, bundles) => Target::Bundles(bundles),
    };
    let report = iospki::ops::verify::run(VerifyRequest {
        target,
        store_password,
        ssl_alias: args.ssl_alias.to_lowercase(),
        within: args.within,
    })?;
    super::print_report(&report, args.json, &[])
}
