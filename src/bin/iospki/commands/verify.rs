//! `iospki verify`.

use std::process::ExitCode;

use iospki::error::Result;
use iospki::ops::apns::verify_import;
use iospki::ops::verify::{Options, verify_bundle, verify_bundles, verify_home, verify_output};

use crate::cli::VerifyArgs;

pub fn run(args: VerifyArgs) -> Result<ExitCode> {
    let options = Options {
        store_password: super::password_or_default(args.password_file.as_deref(), None)?,
        ssl_alias: args.ssl_alias.to_lowercase(),
        within: args.within,
        now: iospki::formats::issue::now(),
    };
    let product = args.product.product();
    let report = match (&args.apns, &args.home, args.bundle.as_slice()) {
        (Some(dir), _, _) => verify_import(dir, &options.store_password, options.within, options.now)?,
        (None, Some(home), _) => verify_home(home, product, &options)?,
        (None, None, [bundle]) => verify_bundle(bundle, &options)?,
        (None, None, []) => verify_output(&args.dir, &options)?,
        (None, None, bundles) => verify_bundles(bundles, &options)?,
    };
    super::print_report(&report, args.json, &[])
}
