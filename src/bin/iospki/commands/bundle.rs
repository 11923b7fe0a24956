//! `iospki bundle`.

use std::process::ExitCode;

use clap::ValueEnum as _;

use iospki::error::{Error, Result};
use iospki::ops::bundle::{self, BundleReport, BundleRequest, Format, NameChoice, Node, Progress, WrittenFile};

use crate::cli::{BundleArgs, BundleFormat};
use crate::print::{Counter, info};

pub fn run(args: BundleArgs) -> Result<ExitCode> {
    let choice = kubernetes_names(&args)?;
    let format = match args.format {
        BundleFormat::Tar => Format::Tar,
        BundleFormat::K8s => Format::K8s(choice),
        BundleFormat::Ansible => Format::Ansible,
    };
    let counter = Counter::new();
    let show = |progress: Progress<'_>| match progress {
        Progress::Writing(files) => counter.show(format_args!("writing {files} files to {}/", args.out.display())),
        Progress::Node { done, of, name } => counter.show(format_args!("bundling node {done} of {of}: {name}")),
    };
    let report = bundle::run(BundleRequest {
        dir: args.dir.clone(),
        out: args.out.clone(),
        format,
        config: super::config_file(args.config.as_deref()),
        progress: &show,
    })?;
    drop(counter);
    if args.json {
        crate::print::json(&written(&args, &report))?;
        return Ok(ExitCode::SUCCESS);
    }
    let out_dir = args.out.display();
    let nodes = report.cluster.nodes();
    match args.format {
        BundleFormat::Tar => {
            for node in &nodes {
                info!("{out_dir}/{}.tar.gz  {}", node.name, node.role.name());
            }
        }
        BundleFormat::K8s => list(&report.files, &args)?,
        BundleFormat::Ansible => {
            list(&report.files, &args)?;
            for node in &nodes {
                info!("{out_dir}/files/{}/  {}", node.name, node.role.name());
            }
        }
    }
    let format = args
        .format
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default();
    info!("bundled {} nodes into {out_dir}/ ({format})", nodes.len());
    Ok(ExitCode::SUCCESS)
}

/// What `--json` prints (schema `iospki.bundle/1`): the nodes, and every file written.
#[derive(serde::Serialize)]
struct Written {
    schema: &'static str,
    format: &'static str,
    out: String,
    nodes: Vec<WrittenNode>,
    files: Vec<WrittenEntry>,
}

#[derive(serde::Serialize)]
struct WrittenNode {
    name: String,
    role: &'static str,
}

#[derive(serde::Serialize)]
struct WrittenEntry {
    path: String,
    /// Octal, as `ls -l` and `chmod` take it.
    mode: String,
    description: &'static str,
}

fn written(args: &BundleArgs, report: &BundleReport) -> Written {
    let format = match args.format {
        BundleFormat::Tar => "tar",
        BundleFormat::K8s => "k8s",
        BundleFormat::Ansible => "ansible",
    };
    let node = |node: &Node| WrittenNode {
        name: node.name.to_string(),
        role: node.role.name(),
    };
    let file = |file: &WrittenFile| WrittenEntry {
        path: args.out.join(&file.name).display().to_string(),
        mode: format!("{:04o}", file.mode),
        description: file.description,
    };
    Written {
        schema: iospki::ops::bundle::SCHEMA,
        format,
        out: args.out.display().to_string(),
        nodes: report.cluster.nodes().iter().map(node).collect(),
        files: report.files.iter().map(file).collect(),
    }
}

/// One line per file of `plan`, leaving out the nodes' files (an Ansible project's `files/`).
fn list(files: &[WrittenFile], args: &BundleArgs) -> Result<()> {
    for file in files.iter().filter(|f| !f.name.starts_with("files/")) {
        info!("{}/{}  {}", args.out.display(), file.name, file.description);
    }
    Ok(())
}

/// The names `--format k8s` was given, checked before any file is read. The other formats have none, and refuse
/// the options that set them rather than ignore them.
fn kubernetes_names(args: &BundleArgs) -> Result<NameChoice> {
    if args.format != BundleFormat::K8s {
        let option = match (&args.namespace, &args.name_prefix) {
            (Some(_), _) => "--namespace",
            (_, Some(_)) => "--name-prefix",
            _ => return NameChoice::new(None, None),
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
    NameChoice::new(args.namespace.as_deref(), args.name_prefix.as_deref()).map_err(flag)
}
