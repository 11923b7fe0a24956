//! `iospki bundle`.

use std::process::ExitCode;

use iospki::bundle::{archive, k8s};
use iospki::cluster::{Cluster, DEFAULT_DOMAIN};
use iospki::error::{Error, Result};
use iospki::ledger::{self, Ledger};

use crate::cli::{BundleArgs, BundleFormat};

/// The objects' name prefix when --name-prefix is not given.
const NAME_PREFIX: &str = "iots";

pub fn run(args: BundleArgs) -> Result<ExitCode> {
    let names = kubernetes_names(&args)?;
    let cluster = cluster(&args)?;
    match names {
        None => {
            archive::plan(&args.dir, &cluster)?.publish(&args.out, true)?;
            for (node, role) in iospki::bundle::nodes(&cluster) {
                println!("{}/{node}.tar.gz  {}", args.out.display(), role.name());
            }
        }
        Some(names) => {
            let plan = k8s::plan(&args.dir, &cluster, &names)?;
            plan.publish(&args.out, true)?;
            for file in &plan.files {
                println!("{}/{}  {}", args.out.display(), file.name, file.description);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The names of `--format k8s`, checked before any file is read. A tar bundle has none, and refuses the options
/// that set them rather than ignore them.
fn kubernetes_names(args: &BundleArgs) -> Result<Option<k8s::Names>> {
    if args.format == BundleFormat::K8s {
        let prefix = args.name_prefix.as_deref().unwrap_or(NAME_PREFIX);
        return k8s::Names::new(args.namespace.as_deref(), prefix).map(Some);
    }
    let option = match (&args.namespace, &args.name_prefix) {
        (Some(_), _) => "--namespace",
        (_, Some(_)) => "--name-prefix",
        _ => return Ok(None),
    };
    Err(Error::InvalidOption {
        option,
        reason: "is for --format k8s".into(),
    })
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
