//! What an operator reads: every command's `--help` (Examples at the end, wrapped to the terminal), the man pages
//! as the real groff renders them, and the completion script as a real bash loads and runs it.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::util::{iospki, iospki_env, run_in, scratch};

/// Every command that has a help and a page of its own, as its words.
const COMMANDS: [&str; 16] = [
    "",
    "init",
    "inspect",
    "verify",
    "check",
    "rotate",
    "bundle",
    "genkey",
    "apns",
    "apns csr",
    "apns vendor-csr",
    "apns sign",
    "apns check-request",
    "apns import",
    "completions",
    "man",
];

fn words(command: &str) -> Vec<&str> {
    command.split_whitespace().collect()
}

/// `iospki COMMAND FLAG` on a terminal `columns` wide.
fn help(command: &str, flag: &str, columns: usize) -> String {
    let dir = scratch("help-and-man-empty");
    let mut args = words(command);
    args.push(flag);
    iospki_env(&dir, args, &[("COLUMNS", &columns.to_string())]).success()
}

/// The example command lines of a help or a rendered page (a trailing backslash continues one), as text.
fn examples(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if line.starts_with("iospki ") {
            let mut example = line.to_owned();
            while let Some(head) = example.strip_suffix('\\') {
                example = format!("{head} {}", lines.next().unwrap_or_default());
            }
            found.push(example.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    found
}

#[test]
fn every_help_ends_with_examples_of_its_own_command() {
    for command in COMMANDS {
        let long = help(command, "--help", 100);
        let (_, tail) = long
            .rsplit_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("iospki {command} --help: no Examples section:\n{long}"));
        assert!(
            !tail.contains("\n\nOptions:") && !tail.contains("Usage:"),
            "iospki {command}: Examples not last"
        );
        let found = examples(tail);
        assert!(
            !found.is_empty(),
            "iospki {command} --help: no example command line:\n{tail}"
        );
        let own = format!("iospki {command}").trim_end().to_owned();
        for example in &found {
            assert!(
                example.starts_with(&own),
                "iospki {command} --help shows another command's example: {example}"
            );
        }
        let short = help(command, "-h", 100);
        assert!(
            !short.contains("Examples:"),
            "iospki {command} -h is not short:\n{short}"
        );
        assert!(
            short.lines().count() < long.lines().count(),
            "iospki {command}: -h as long as --help"
        );
    }
}

#[test]
fn help_wraps_to_the_terminal() {
    let widest = |text: &str| text.lines().map(|line| line.chars().count()).max().unwrap_or_default();
    for columns in [80, 100, 160] {
        for command in COMMANDS {
            for flag in ["-h", "--help"] {
                let text = help(command, flag, columns);
                assert!(
                    widest(&text) <= columns,
                    "iospki {command} {flag}: a line of {} columns on a terminal of {columns}:\n{text}",
                    widest(&text)
                );
            }
        }
    }
    // Not a fixed width: a wide terminal gets long lines.
    assert!(widest(&help("init", "--help", 160)) > 100);
}

#[test]
fn long_help_keeps_what_the_readme_tables_say() {
    let cases: [(&str, &[&str]); 8] = [
        (
            "init",
            &[
                "a UTF-8 BOM",
                "passwords.store_file",
                "Java 8u301",
                "2048 to 8192",
                "EC, Ed25519 and DSA",
            ],
        ),
        (
            "verify",
            &["36500 days", "owner 0:0", "KeyAlias", "severity, location, what, fix"],
        ),
        (
            "check",
            &[
                "iospki_certificate_not_after_seconds",
                "OUTLIVES ITS ISSUER",
                "months and years",
            ],
        ),
        (
            "rotate",
            &["cacert-SERIAL", "DIR/backup/TIME/", "changed", "three rolling rounds"],
        ),
        ("bundle", &["kubectl apply --server-side", "site.yml", "SHA256SUMS"]),
        ("inspect", &["wso2carbon and changeit", "Integrity: NOT checked"]),
        ("genkey", &["2048 to 8192", "0600", "not a regular file"]),
        (
            "apns import",
            &["alias mdm-push", "mdm-push-topic.txt", "wso2-ios-platform.txt"],
        ),
    ];
    for (command, details) in cases {
        // Unwrapped, so that a phrase is not cut by a line end.
        let long = help(command, "--help", 100)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let short = help(command, "-h", 100)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for detail in details {
            assert!(
                long.contains(detail),
                "iospki {command} --help lacks {detail:?}:\n{long}"
            );
        }
        assert!(
            !short.contains(details[0]),
            "iospki {command} -h holds the details of --help"
        );
    }
}

/// Writes the man pages into a new `DIR/man1` and returns it.
fn man_pages(name: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    let man1 = dir.join("share/man/man1");
    let out = iospki(&dir, ["man", man1.to_str().unwrap()]).success();
    assert!(out.contains("wrote 16 man pages"), "{out}");
    man1
}

/// The lines of the section `heading` of a rendered page, up to the next heading (a line that is not indented).
fn section(page: &str, heading: &str) -> String {
    let mut lines = page.lines().skip_while(|line| *line != heading).skip(1);
    let body = lines
        .by_ref()
        .take_while(|line| line.is_empty() || line.starts_with(' '));
    body.collect::<Vec<_>>().join("\n")
}

fn page_name(command: &str) -> String {
    let mut name = vec!["iospki"];
    name.extend(words(command));
    format!("{}.1", name.join("-"))
}

#[test]
fn man_pages_render_in_groff_without_warnings_and_hold_the_examples() {
    let man1 = man_pages("man-pages-render");
    assert_eq!(fs::metadata(&man1).unwrap().permissions().mode() & 0o7777, 0o755);
    let mut written: Vec<String> = fs::read_dir(&man1)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    let mut expected: Vec<String> = COMMANDS.iter().map(|c| page_name(c)).collect();
    expected.sort();
    assert_eq!(written, expected);
    for command in COMMANDS {
        let page = man1.join(page_name(command));
        assert_eq!(
            fs::metadata(&page).unwrap().permissions().mode() & 0o7777,
            0o644,
            "{}",
            page.display()
        );
        let page_arg = page.to_str().unwrap();
        let checked = run_in(&man1, "groff", ["-man", "-ww", "-z", page_arg], &[]);
        assert_eq!(checked.success(), "");
        assert_eq!(checked.stderr(), "", "groff warns about {}", page.display());
        let rendered = run_in(&man1, "groff", ["-man", "-ww", "-Tutf8", "-P", "-cbou", page_arg], &[]);
        assert_eq!(rendered.stderr(), "", "groff warns about {}", page.display());
        // groff 1.23 renders \- as U+2212 on a UTF-8 terminal.
        let text = rendered.success().replace('\u{2212}', "-");
        for heading in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXAMPLES"] {
            assert!(
                text.lines().any(|l| l == heading),
                "{}: no {heading}:\n{text}",
                page.display()
            );
        }
        let name_line = format!("{} - ", page_name(command).trim_end_matches(".1"));
        let name = section(&text, "NAME").split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            name.starts_with(&name_line),
            "{}: NAME is not {name_line:?}:\n{text}",
            page.display()
        );
        let from_help = examples(&help(command, "--help", 100));
        assert_eq!(
            examples(&section(&text, "EXAMPLES")),
            from_help,
            "{}: the page's examples are not the help's",
            page.display()
        );
    }
}

#[test]
fn man_keeps_other_pages_and_replaces_its_own_only_with_force() {
    let man1 = man_pages("man-pages-force");
    let dir = man1.parent().unwrap();
    fs::write(man1.join("ls.1"), "another package's page\n").unwrap();
    fs::write(man1.join("iospki-init.1"), "an old page\n").unwrap();
    let err = iospki(dir, ["man", man1.to_str().unwrap()]).fails_with(2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("iospki: ") && err.contains("iospki-init.1") && err.contains("pass --force"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(man1.join("iospki-init.1")).unwrap(), "an old page\n");

    iospki(dir, ["man", man1.to_str().unwrap(), "--force"]).success();
    assert!(
        fs::read_to_string(man1.join("iospki-init.1"))
            .unwrap()
            .contains(".SH EXAMPLES")
    );
    assert_eq!(
        fs::read_to_string(man1.join("ls.1")).unwrap(),
        "another package's page\n"
    );
    assert_eq!(
        fs::metadata(man1.join("iospki-init.1")).unwrap().permissions().mode() & 0o7777,
        0o644
    );
}

#[test]
fn man_writes_through_no_link_and_into_no_file() {
    let man1 = man_pages("man-pages-link");
    let dir = man1.parent().unwrap();
    // A page that is a link to a file elsewhere: --force must not write through it.
    let target = dir.join("precious");
    fs::write(&target, "keep me\n").unwrap();
    fs::remove_file(man1.join("iospki-check.1")).unwrap();
    std::os::unix::fs::symlink(&target, man1.join("iospki-check.1")).unwrap();
    let err = iospki(dir, ["man", man1.to_str().unwrap(), "--force"]).fails_with(2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("iospki-check.1") && err.contains("not a regular file"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&target).unwrap(), "keep me\n");

    let file = dir.join("not-a-dir");
    fs::write(&file, "x").unwrap();
    let err = iospki(dir, ["man", file.to_str().unwrap()]).fails_with(2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not-a-dir") && err.contains("not a directory"), "{err}");
    assert_eq!(fs::read_to_string(&file).unwrap(), "x");
}

/// What bash's completion function of iospki offers for the command line `words`, the last being completed,
/// after sourcing the script in a bare bash.
fn bash_completes(script: &Path, words: &[&str]) -> Vec<String> {
    let array: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        r#"source '{script}' || exit 3
spec=$(complete -p iospki) || exit 4
function=$(sed -n 's/.*-F \([^ ]*\).*/\1/p' <<<"$spec")
COMP_WORDS=({words})
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="${{COMP_WORDS[*]}}"
COMP_POINT=${{#COMP_LINE}}
"$function" iospki "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#,
        script = script.display(),
        words = array.join(" "),
    );
    let dir = script.parent().unwrap();
    run_in(dir, "bash", ["--norc", "--noprofile", "-c", &program], &[])
        .success()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_loads_the_completions_and_completes_commands_and_flags() {
    let dir = scratch("completions-bash");
    let script = dir.join("iospki.bash");
    fs::write(&script, iospki(&dir, ["completions", "bash"]).success()).unwrap();
    let spec = run_in(
        &dir,
        "bash",
        [
            "--norc",
            "--noprofile",
            "-c",
            "source iospki.bash && complete -p iospki",
        ],
        &[],
    );
    assert!(spec.success().contains("-F "), "{}", spec.stdout());

    let commands = bash_completes(&script, &["iospki", ""]);
    for command in [
        "init",
        "verify",
        "check",
        "rotate",
        "bundle",
        "apns",
        "completions",
        "man",
    ] {
        assert!(
            commands.iter().any(|c| c == command),
            "iospki <TAB> lacks {command}: {commands:?}"
        );
    }
    let flags = bash_completes(&script, &["iospki", "init", "--p"]);
    for flag in ["--product", "--password-file", "--p12-profile"] {
        assert!(
            flags.iter().any(|f| f == flag),
            "iospki init --p<TAB> lacks {flag}: {flags:?}"
        );
    }
    assert!(flags.iter().all(|f| f.starts_with("--p")), "{flags:?}");
    let apns = bash_completes(&script, &["iospki", "apns", ""]);
    for command in ["csr", "sign", "check-request", "import"] {
        assert!(
            apns.iter().any(|c| c == command),
            "iospki apns <TAB> lacks {command}: {apns:?}"
        );
    }
    let products = bash_completes(&script, &["iospki", "init", "--product", ""]);
    assert_eq!(products, ["iot", "is", "es", "appm", "apim"]);
    let shells = bash_completes(&script, &["iospki", "completions", ""]);
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        assert!(
            shells.iter().any(|s| s == shell),
            "iospki completions <TAB> lacks {shell}: {shells:?}"
        );
    }
}

#[test]
fn completions_of_an_unknown_shell_are_refused_in_one_line() {
    let dir = scratch("completions-unknown");
    let err = iospki(&dir, ["completions", "tcsh"]).fails_with(2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("tcsh") && err.contains("bash") && err.contains("see iospki completions --help"),
        "{err}"
    );
}
