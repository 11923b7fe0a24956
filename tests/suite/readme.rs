//! The README's quickstart, run verbatim: every ```sh block of its "Quickstart" section, in order, by bash with
//! `set -e` in an empty directory, with this build's iospki first on the PATH. What a new operator copies works.

use std::path::Path;

use crate::util::{run_in, scratch};

/// The ```sh blocks of the README's section whose heading starts with `heading`.
fn shell_blocks(heading: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with(heading))
        .unwrap_or_else(|| panic!("README has no section {heading:?}"));
    section
        .split("```sh\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap().to_owned())
        .collect()
}

#[test]
fn the_quickstart_runs_verbatim_and_its_bundles_verify() {
    let blocks = shell_blocks("Quickstart");
    assert_eq!(blocks.len(), 2, "the set-up block and the renewal block");
    let dir = scratch("readme-quickstart");
    let binary = Path::new(env!("CARGO_BIN_EXE_iospki")).parent().unwrap();
    let path = format!("{}:{}", binary.display(), std::env::var("PATH").unwrap());
    let script = format!("set -euo pipefail\n{}", blocks.concat());
    let run = run_in(&dir, "bash", ["-c", script.as_str()], &[("PATH", path.as_str())]);
    let stdout = run.success();
    assert!(stdout.contains("5 bundles: 0 problem(s), 0 warning(s)"), "{stdout}");
    assert!(stdout.contains("nothing to renew in output"), "{stdout}");
    assert!(dir.join("output/wso2carbon.jks").is_file() && dir.join("bundles/nginx.tar.gz").is_file());
}
