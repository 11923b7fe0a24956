//! `iospki verify`.

use std::process::ExitCode;

use iospki::error::{Error, Result};
use iospki::ops::ProductId;
use iospki::ops::verify::{Target, VerifyRequest};

use crate::cli::VerifyArgs;

pub fn run(args: VerifyArgs) -> Result<ExitCode> {
    let store_password = super::given_password(args.password_file.as_deref())?;
    let target = match (args.apns, args.home, args.bundle) {
        (Some(dir), _, _) => Target::Apns(dir),
        (None, Some(home), _) => Target::Home(home, home_product(args.product, args.version.as_deref())?),
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

/// The product `--product` and `--version` name for `--home`.
fn home_product(product: ProductId, version: Option<&str>) -> Result<ProductId> {
    ProductId::find(product.key(), version, None, None)
        .map_err(|e| Error::invalid(format!("--{}", e.setting), e.reason))
}
