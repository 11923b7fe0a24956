//! `iospki bundle`.

use std::process::ExitCode;

use clap::ValueEnum as _;

use iospki::error::{Error, Result};
use iospki::io::output::{Lock, Plan};
use iospki::model::cluster::Cluster;
use iospki::model::set::Set;
use iospki::ops::bundle::{ansible, archive, k8s};

use crate::cli::{BundleArgs, BundleFormat};
use crate::print::{Counter, info};

pub fn run(args: BundleArgs) -> Result<ExitCode> {
    let choice = kubernetes_names(&args)?;
    // Read under the set's lock, so that a rotation cannot swap the set between two of its files.
    // DIR is only read: `bundle .` locks the directory by its real name.
    let set = {
        let _lock = Lock::take(&args.dir.canonicalize().unwrap_or_else(|_| args.dir.clone()))?;
        Set::read(&args.dir)?
    };
    let cluster = cluster(&args, &set)?;
    let counter = Counter::new();
    let plan = match args.format {
        BundleFormat::Tar => archive::plan(&set, &cluster, |done, all, node| {
            counter.show(format_args!("bundling node {done} of {all}: {node}"));
        })?,
        BundleFormat::K8s => k8s::plan(&set, &cluster, &choice.names(set.product()))?,
        BundleFormat::Ansible => ansible::plan(&set, &cluster)?,
    };
    counter.show(format_args!(
        "writing {} files to {}/",
        plan.files.len(),
        args.out.display()
    ));
    plan.publish(&args.out, true)?;
    drop(counter);
    if args.json {
        crate::print::json(&written(&args, &cluster, &plan))?;
        return Ok(ExitCode::SUCCESS);
    }
    let out_dir = args.out.display();
    match args.format {
        BundleFormat::Tar => {
            for node in cluster.nodes() {
                info!("{out_dir}/{}.tar.gz  {}", node.name, node.role.name());
            }
        }
        BundleFormat::K8s => list(&plan, &args)?,
        BundleFormat::Ansible => {
            list(&plan, &args)?;
            for node in cluster.nodes() {
                info!("{out_dir}/files/{}/  {}", node.name, node.role.name());
            }
        }
    }
    let format = args
        .format
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default();
    info!("bundled {} nodes into {out_dir}/ ({format})", cluster.nodes().len());
    Ok(ExitCode::SUCCESS)
}

/// What `--json` prints (schema `iospki.bundle/1`): the nodes, and every file written.
#[derive(serde::Serialize)]
struct Written {
    schema: &'static str,
    format: &'static str,
    out: String,
    nodes: Vec<WrittenNode>,
    files: Vec<WrittenFile>,
}

#[derive(serde::Serialize)]
struct WrittenNode {
    name: String,
    role: &'static str,
}

#[derive(serde::Serialize)]
struct WrittenFile {
    path: String,
    /// Octal, as `ls -l` and `chmod` take it.
    mode: String,
    description: &'static str,
}

fn written(args: &BundleArgs, cluster: &Cluster, plan: &Plan) -> Written {
    let format = match args.format {
        BundleFormat::Tar => "tar",
        BundleFormat::K8s => "k8s",
        BundleFormat::Ansible => "ansible",
    };
    let node = |node: &iospki::model::cluster::Node| WrittenNode {
        name: node.name.to_string(),
        role: node.role.name(),
    };
    let file = |file: &iospki::io::output::PlannedFile| WrittenFile {
        path: args.out.join(&file.name).display().to_string(),
        mode: format!("{:04o}", file.mode),
        description: file.description,
    };
    Written {
        schema: iospki::ops::bundle::SCHEMA,
        format,
        out: args.out.display().to_string(),
        nodes: cluster.nodes().iter().map(node).collect(),
        files: plan.files.iter().map(file).collect(),
    }
}

/// One line per file of `plan`, leaving out the nodes' files (an Ansible project's `files/`).
fn list(plan: &Plan, args: &BundleArgs) -> Result<()> {
    for file in plan.files.iter().filter(|f| !f.name.starts_with("files/")) {
        info!("{}/{}  {}", args.out.display(), file.name, file.description);
    }
    Ok(())
}

/// The names `--format k8s` was given, checked before any file is read. The other formats have none, and refuse
/// the options that set them rather than ignore them.
fn kubernetes_names(args: &BundleArgs) -> Result<k8s::NameChoice> {
    if args.format != BundleFormat::K8s {
        let option = match (&args.namespace, &args.name_prefix) {
            (Some(_), _) => "--namespace",
            (_, Some(_)) => "--name-prefix",
            _ => return k8s::NameChoice::new(None, None),
        };
        return Err(Error::invalid(option, "is for --format k8s"));
    }
    let flag = |e: Error| match e {
        Error::InvalidOption { option, reason } => Error::InvalidOption {
            option: format!("--{}", option.replace(' ', "-")),
            reason,
        },
        other => other,
    };
    k8s::NameChoice::new(args.namespace.as_deref(), args.name_prefix.as_deref()).map_err(flag)
}

/// The cluster whose nodes get bundles: the description's, else the one the set was made for.
fn cluster(args: &BundleArgs, set: &Set) -> Result<Cluster> {
    let Some(path) = super::config_file(args.config.as_deref()) else {
        return Ok(set.cluster().clone());
    };
    let cluster = iospki::model::config::load(&path)?.settings()?.cluster;
    let (described, made) = (cluster.product(), set.product());
    if described.key != made.key {
        let reason = format!(
            "describes a cluster of {}, but the set in {} is for {}",
            described.name,
            args.dir.display(),
            made.name
        );
        return Err(Error::invalid(path.display().to_string(), reason));
    }
    Ok(cluster)
}
