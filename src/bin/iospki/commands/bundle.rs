//! `iospki bundle`.

use std::process::ExitCode;

use iospki::cluster::{Cluster, DEFAULT_DOMAIN};
use iospki::error::{Error, Result};
use iospki::ledger::{self, Ledger};

use crate::cli::BundleArgs;

pub fn run(args: BundleArgs) -> Result<ExitCode> {
    let cluster = cluster(&args)?;
    let plan = iospki::bundle::plan(&args.dir, &cluster)?;
    plan.publish(&args.out, true)?;
    for (node, role) in iospki::bundle::nodes(&cluster) {
        println!("{}/{node}.tar.gz  {}", args.out.display(), role.name());
    }
    Ok(ExitCode::SUCCESS)
}

/// The cluster whose nodes get bundles: the description's, else the one the set was made for.
fn cluster(args: &BundleArgs) -> Result<Cluster> {
    if let Some(path) = &args.config {
        let file = iospki::config::load(path)?;
        let domain = file.domain.unwrap_or_else(|| DEFAULT_DOMAIN.into());
        return Cluster::with_hosts(&domain, file.ssl_common_name.as_deref(), file.hosts);
    }
    let ledger = Ledger::load(&args.dir)?.ok_or_else(|| Error::Unreadable {
        path: args.dir.join(ledger::FILE),
        reason: "not found: give --config, or bundle a set written by iospki init".into(),
    })?;
    let settings = ledger.settings;
    Cluster::with_hosts(&settings.domain, Some(&settings.ssl_common_name), settings.hosts)
}
