//! `iospki verify`.

use std::process::ExitCode;

use iospki::error::Result;
use iospki::verify::{Options, verify_bundle, verify_bundles, verify_home, verify_output};

use crate::cli::VerifyArgs;
use crate::print::out;

pub fn run(args: VerifyArgs) -> Result<ExitCode> {
    let options = Options {
        store_password: super::password_or_default(args.password_file.as_deref(), None)?,
        ssl_alias: args.ssl_alias.to_lowercase(),
        within: args.within,
        now: iospki::issue::now(),
    };
    let product = iospki::product::ProductId::from(args.product).product();
    let report = match (&args.home, args.bundle.as_slice()) {
        (Some(home), _) => verify_home(home, product, &options)?,
        (None, [bundle]) => verify_bundle(bundle, &options)?,
        (None, []) => verify_output(&args.dir, &options)?,
        (None, bundles) => verify_bundles(bundles, &options)?,
    };
    if args.json {
        out!(
            "{}",
            serde_json::to_string_pretty(&report).expect("the report serializes")
        );
    } else {
        for finding in &report.findings {
            out!("{finding}");
        }
        let problems = report.problems();
        let warnings = report.findings.len() - problems;
        out!("{}: {problems} problem(s), {warnings} warning(s)", report.target);
    }
    Ok(if report.problems() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
