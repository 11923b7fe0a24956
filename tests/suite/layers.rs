//! The library's layers as docs/ARCHITECTURE.md draws them: each module imports only its own layer and those
//! below, and no two modules import each other, directly or round a circle. Read from the sources, so that a new
//! `use` that breaks the rule fails here rather than in a reviewer's head.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom first. `error` is the library's one error type: every layer returns it, and its variants
/// carry the typed causes of the layers below `ops` (the key-derivation budget's), so it is checked for circles
/// only.
const LAYERS: [&str; 6] = ["vocab", "io", "formats", "model", "wso2", "ops"];

/// Every module of src/ but the binary, by its path (`formats::key::load`), with the `crate::` paths its code
/// (not its comments or unit tests) names.
fn modules() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeMap::new();
    for file in rust_files(&src) {
        let relative = file.strip_prefix(&src).unwrap().with_extension("");
        let parts: Vec<_> = relative.iter().map(|p| p.to_str().unwrap().to_owned()).collect();
        if parts[0] == "bin" || parts == ["lib"] {
            continue;
        }
        let name = parts.join("::").trim_end_matches("::mod").to_owned();
        modules.insert(name, crate_paths(&std::fs::read_to_string(&file).unwrap()));
    }
    modules
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The `crate::a::b` paths of `source` outside comments and its `mod tests`.
fn crate_paths(source: &str) -> BTreeSet<String> {
    let code = source.split("#[cfg(test)]\nmod tests").next().unwrap();
    let mut paths = BTreeSet::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for (at, _) in line.match_indices("crate::") {
            if line[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            let rest = &line[at + "crate::".len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            paths.insert(rest[..end].trim_end_matches(':').to_owned());
        }
    }
    paths
}

fn layer(module: &str) -> Option<usize> {
    let top = module.split("::").next().unwrap();
    LAYERS.iter().position(|l| *l == top)
}

/// The module of `modules` that `path` names: its longest prefix that is one.
fn owner<'a>(path: &str, modules: &'a BTreeMap<String, BTreeSet<String>>) -> Option<&'a str> {
    let parts: Vec<_> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .find_map(|n| modules.get_key_value(&parts[..n].join("::")).map(|(k, _)| k.as_str()))
}

#[test]
fn no_module_imports_a_layer_above_its_own() {
    let modules = modules();
    let mut upward = Vec::new();
    for (module, paths) in &modules {
        let Some(own) = layer(module) else { continue };
        for path in paths {
            if layer(path).is_some_and(|target| target > own) {
                upward.push(format!("{module} -> {path}"));
            }
        }
    }
    assert!(upward.is_empty(), "imports from a higher layer:\n{}", upward.join("\n"));
    assert!(modules.contains_key("formats::x509") && modules.contains_key("ops::init"));
}

#[test]
fn no_modules_import_each_other_round_a_circle() {
    let modules = modules();
    let edges: BTreeMap<&str, BTreeSet<&str>> = modules
        .iter()
        .map(|(module, paths)| {
            let targets = paths.iter().filter_map(|p| owner(p, &modules)).filter(|t| t != module);
            (module.as_str(), targets.collect())
        })
        .collect();
    for start in edges.keys() {
        if let Some(circle) = circle_through(start, &edges) {
            panic!("an import circle: {}", circle.join(" -> "));
        }
    }
}

/// A path of imports from `start` back to itself, if there is one (depth-first, each module visited once).
fn circle_through<'a>(start: &'a str, edges: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Option<Vec<&'a str>> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![vec![start]];
    while let Some(path) = stack.pop() {
        for next in &edges[path.last().unwrap()] {
            if *next == start {
                return Some([path.as_slice(), &[start]].concat());
            }
            if seen.insert(*next) {
                stack.push([path.as_slice(), &[*next]].concat());
            }
        }
    }
    None
}

/// The binary is a front end of `ops`: it parses flags, calls one operation and prints its report, so it names
/// nothing of the library but `ops` and `error` (what else it shows, `ops` re-exports).
#[test]
fn the_binary_names_only_the_operations_and_the_error() {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bin");
    let mut named = BTreeSet::new();
    for file in rust_files(&bin) {
        let source = std::fs::read_to_string(&file).unwrap();
        for (at, _) in source.match_indices("iospki::") {
            let rest = &source[at + "iospki::".len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            named.insert(rest[..end].to_owned());
        }
    }
    assert!(named.contains("ops"), "{named:?}");
    named.retain(|module| module != "ops" && module != "error");
    assert!(
        named.is_empty(),
        "src/bin names these library modules besides ops and error: {named:?}"
    );
}
