//! `iospki man`: the man pages, iospki.1 and one per subcommand, made from the same definitions as the help.
//!
//! Each page is its own atomic write into DIR, not one swap of DIR as `init` publishes a set: DIR is typically
//! a man1 directory that other packages' pages share, which iospki must leave as it is.

use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory as _;
use iospki::error::{Error, Result};
use iospki::ops::{PUBLIC_MODE, write_file};

use crate::cli::{Cli, ManArgs};
use crate::print::info;

/// Mode of a DIR iospki creates: man pages are for everyone to read.
const DIR_MODE: u32 = 0o755;

pub fn run(args: ManArgs) -> Result<ExitCode> {
    let pages = pages().map_err(|e| Error::io("man page", e))?;
    // Checked before anything is written, so that a refusal leaves DIR as it was.
    let existing: Vec<&str> = pages
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| args.dir.join(name).symlink_metadata().is_ok())
        .collect();
    if !existing.is_empty() && !args.force {
        return Err(Error::OutputExists {
            path: args.dir.clone(),
            existing: existing.join(", "),
        });
    }
    create_dir(&args.dir)?;
    for (name, page) in &pages {
        write_file(&args.dir.join(name), page, PUBLIC_MODE, args.force)?;
    }
    info!(
        "wrote {} man pages to {} (iospki.1 and one per subcommand)",
        pages.len(),
        args.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Creates `dir` with mode 0755 unless it exists; an error when it exists and is not a directory.
fn create_dir(dir: &Path) -> Result<()> {
    match dir.metadata() {
        Ok(meta) if meta.is_dir() => return Ok(()),
        Ok(_) => {
            let reason = "exists and is not a directory; give a directory for the man pages";
            return Err(Error::io(dir, std::io::Error::other(reason)));
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(dir, e)),
        Err(_) => {}
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
        .map_err(|e| Error::io(dir, e))?;
    // The umask may have narrowed the mode.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(DIR_MODE)).map_err(|e| Error::io(dir, e))
}

/// Every page as (file name, roff), iospki.1 first.
pub fn pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    let mut pages = Vec::new();
    // The footer names the program, as other pages do ("iospki 0.1.0"), not the subcommand, whose own --version
    // flag (init's, verify's) is a product's release.
    let source = format!("iospki {}", command.get_version().unwrap_or_default());
    add_pages(&command, &source, &mut pages)?;
    Ok(pages)
}

/// The page of `command`, then those of its subcommands, depth first, each with the footer `source`.
fn add_pages(command: &clap::Command, source: &str, pages: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(command.clone()).source(source.to_owned());
    pages.push((man.get_filename(), page(&man, command)?));
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        // The program's version, for the page's VERSION section, without a flag of that name.
        let sub = sub
            .clone()
            .version(env!("CARGO_PKG_VERSION"))
            .disable_version_flag(true);
        add_pages(&sub, source, pages)?;
    }
    Ok(())
}

/// clap_mangen's sections with the Examples of `command`'s long help as an EXAMPLES section, laid out as the
/// help lays them out, before VERSION (clap_mangen would put them, filled into one paragraph, under EXTRA).
fn page(man: &clap_mangen::Man, command: &clap::Command) -> std::io::Result<Vec<u8>> {
    let mut sections = vec![
        rendered(|w| man.render_title(w))?,
        rendered(|w| man.render_name_section(w))?,
        rendered(|w| man.render_synopsis_section(w))?,
        rendered(|w| man.render_description_section(w))?,
    ];
    if command.get_arguments().any(|arg| !arg.is_hide_set()) {
        sections.push(rendered(|w| man.render_options_section(w))?);
    }
    if command.has_subcommands() {
        sections.push(rendered(|w| man.render_subcommands_section(w))?);
    }
    if let Some(examples) = command.get_after_long_help() {
        sections.push(examples_section(&examples.to_string()).to_roff().into_bytes());
    }
    if command.get_version().is_some() {
        sections.push(rendered(|w| man.render_version_section(w))?);
    }
    // Each rendering opens with the same preamble (it defines the apostrophe string): once is enough.
    let preamble = roff::Roff::new().render();
    let mut page = Vec::new();
    for (i, text) in sections.iter().enumerate() {
        let body = text.strip_prefix(preamble.as_bytes()).filter(|_| i > 0);
        page.extend_from_slice(body.unwrap_or(text));
    }
    Ok(page)
}

/// What `render` writes.
fn rendered(render: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> std::io::Result<Vec<u8>> {
    let mut text = Vec::new();
    render(&mut text)?;
    Ok(text)
}

/// The help's "Examples:" text as an EXAMPLES section, its lines kept as they are (no filling).
fn examples_section(help: &str) -> roff::Roff {
    let mut roff = roff::Roff::new();
    roff.control("SH", ["EXAMPLES"]).control("nf", []);
    for line in help.lines().skip_while(|line| line.trim() != "Examples:").skip(1) {
        roff.text([roff::roman(line)]);
    }
    roff.control("fi", []);
    roff
}
