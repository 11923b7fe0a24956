//! `iospki bundle`.

use std::process::ExitCode;

use iospki::bundle::{archive, k8s};
use iospki::cluster::Cluster;
use iospki::defaults::K8S_NAME_PREFIX;
use iospki::error::{Error, Result};
use iospki::set::Set;

use crate::cli::{BundleArgs, BundleFormat};
use crate::print::out;

pub fn run(args: BundleArgs) -> Result<ExitCode> {
    let names = kubernetes_names(&args)?;
    let set = Set::read(&args.dir)?;
    let cluster = cluster(&args, &set)?;
    let plan = match &names {
        None => archive::plan(&set, &cluster)?,
        Some(names) => k8s::plan(&set, &cluster, names)?,
    };
    plan.publish(&args.out, true)?;
    match names {
        None => {
            for node in cluster.nodes() {
                out!("{}/{}.tar.gz  {}", args.out.display(), node.name, node.role.name());
            }
        }
        Some(_) => {
            for file in &plan.files {
                out!("{}/{}  {}", args.out.display(), file.name, file.description);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The names of `--format k8s`, checked before any file is read. A tar bundle has none, and refuses the options
/// that set them rather than ignore them.
fn kubernetes_names(args: &BundleArgs) -> Result<Option<k8s::Names>> {
    if args.format == BundleFormat::K8s {
        let prefix = args.name_prefix.as_deref().unwrap_or(K8S_NAME_PREFIX);
        let flag = |e: Error| match e {
            Error::InvalidOption { option, reason } => Error::InvalidOption {
                option: format!("--{}", option.replace(' ', "-")),
                reason,
            },
            other => other,
        };
        return k8s::Names::new(args.namespace.as_deref(), prefix)
            .map(Some)
            .map_err(flag);
    }
    let option = match (&args.namespace, &args.name_prefix) {
        (Some(_), _) => "--namespace",
        (_, Some(_)) => "--name-prefix",
        _ => return Ok(None),
    };
    Err(Error::invalid(option, "is for --format k8s"))
}

/// The cluster whose nodes get bundles: the description's, else the one the set was made for.
fn cluster(args: &BundleArgs, set: &Set) -> Result<Cluster> {
    match &args.config {
        Some(path) => Ok(iospki::config::load(path)?.settings()?.cluster),
        None => Ok(set.cluster().clone()),
    }
}
