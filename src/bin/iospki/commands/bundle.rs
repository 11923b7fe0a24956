//! `iospki bundle`.

use std::process::ExitCode;

use iospki::bundle::{archive, k8s};
use iospki::cluster::Cluster;
use iospki::error::{Error, Result};
use iospki::output::Lock;
use iospki::set::Set;

use crate::cli::{BundleArgs, BundleFormat};
use crate::print::out;

pub fn run(args: BundleArgs) -> Result<ExitCode> {
    let choice = kubernetes_names(&args)?;
    // Read under the set's lock, so that a rotation cannot swap the set between two of its files.
    let set = {
        let _lock = Lock::take(&args.dir)?;
        Set::read(&args.dir)?
    };
    let names = choice.map(|choice| choice.names(set.product()));
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

/// The names `--format k8s` was given, checked before any file is read. A tar bundle has none, and refuses the
/// options that set them rather than ignore them.
fn kubernetes_names(args: &BundleArgs) -> Result<Option<k8s::NameChoice>> {
    if args.format == BundleFormat::K8s {
        let prefix = args.name_prefix.as_deref();
        let flag = |e: Error| match e {
            Error::InvalidOption { option, reason } => Error::InvalidOption {
                option: format!("--{}", option.replace(' ', "-")),
                reason,
            },
            other => other,
        };
        return k8s::NameChoice::new(args.namespace.as_deref(), prefix)
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
    let Some(path) = &args.config else {
        return Ok(set.cluster().clone());
    };
    let cluster = iospki::config::load(path)?.settings()?.cluster;
    let (described, made) = (cluster.product(), set.product());
    if described.id != made.id {
        let reason = format!(
            "describes a cluster of {}, but the set in {} is for {}",
            described.name,
            args.dir.display(),
            made.name
        );
        return Err(Error::invalid("--config", reason));
    }
    Ok(cluster)
}
