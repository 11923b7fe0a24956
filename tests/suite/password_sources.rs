//! Passwords as operators pass them: a FIFO with a writer behind it, `<(pass show ...)` in a real bash, `-` for
//! standard input; devices refused; every "needed" or "wrong" error naming the ways to give one; ./iospki.toml
//! read by init and bundle without --config, and said so.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use crate::util::{self, Run, demo_key, iospki, iospki_env, iospki_here, run_in, scratch, tool};

/// The store password of [`set`].
const PASSWORD: &str = "Zw7-not-the-default";

/// A set made with [`PASSWORD`], shared by the tests; the directory holds it in `output/`.
fn set() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch("password-sources-set");
        fs::write(dir.join("store.pass"), format!("{PASSWORD}\n")).unwrap();
        util::demo_init(&dir, &["--password-file", "store.pass"]).success();
        dir
    })
}

fn output() -> String {
    set().join("output").display().to_string()
}

/// Runs iospki with `args` (absolute paths) from an empty directory, `input` on its standard input.
fn with_stdin(args: &[&str], input: &[u8]) -> Run {
    util::run_with_stdin(util::elsewhere(), env!("CARGO_BIN_EXE_iospki"), args, &[], Some(input))
}

fn sound(run: &Run) {
    let stdout = run.success();
    assert!(stdout.ends_with(": 0 problem(s), 0 warning(s)\n"), "{stdout}");
}

#[test]
fn a_fifo_password_file_is_read_once_its_writer_writes() {
    let dir = scratch("password-sources-fifo");
    tool(&dir, "mkfifo", ["-m", "0600", "pw.fifo"]);
    let fifo = dir.join("pw.fifo");
    let writer = std::thread::spawn(move || {
        // Late on purpose: iospki waits for the writer instead of reading an empty pipe.
        std::thread::sleep(Duration::from_millis(300));
        fs::write(fifo, format!("{PASSWORD}\n")).unwrap();
    });
    sound(&iospki(
        set(),
        [
            "verify",
            "output",
            "--password-file",
            dir.join("pw.fifo").to_str().unwrap(),
        ],
    ));
    writer.join().unwrap();
}

#[test]
fn process_substitution_in_bash_gives_the_password() {
    let script = r#"exec "$0" verify "$1" --password-file <(printf '%s\n' "$2")"#;
    let bin = env!("CARGO_BIN_EXE_iospki");
    sound(&run_in(
        &scratch("password-sources-bash"),
        "bash",
        ["-c", script, bin, &output(), PASSWORD],
        &[],
    ));
    // The same pipe giving two lines, or nothing, is refused as a file would be.
    let two = r#"exec "$0" verify "$1" --password-file <(printf 'a\nb\n')"#;
    let refused = run_in(set(), "bash", ["-c", two, bin, &output()], &[]).fails_with(2);
    assert!(refused.contains("password file has more than one line"), "{refused}");
    let empty = r#"exec "$0" verify "$1" --password-file <(true)"#;
    let refused = run_in(set(), "bash", ["-c", empty, bin, &output()], &[]).fails_with(2);
    assert!(
        refused.starts_with("iospki: /dev/fd/") && refused.contains(": password is empty"),
        "{refused}"
    );
    let endless = r#"exec "$0" verify "$1" --password-file <(yes)"#;
    let refused = run_in(set(), "bash", ["-c", endless, bin, &output()], &[]).fails_with(2);
    assert!(
        refused.contains("too large to be a password (at most 65536)"),
        "{refused}"
    );
}

#[test]
fn a_dash_reads_the_password_from_standard_input_once() {
    let out = output();
    sound(&with_stdin(
        &["verify", &out, "--password-file", "-"],
        format!("{PASSWORD}\n").as_bytes(),
    ));
    let two = with_stdin(&["verify", &out, "--password-file", "-"], b"one\ntwo\n").fails_with(2);
    assert_eq!(
        two,
        "iospki: standard input: password file has more than one line; put the password alone on one line\n"
    );
    // Standard input holds one password: the second "-" of a command is refused, not read as empty.
    let key = demo_key();
    let new = set().join("merged");
    let twice = [
        "init",
        "--key",
        key.to_str().unwrap(),
        "--password-file",
        "-",
        "--merge-from",
        &out,
        "--merge-password-file",
        "-",
        "--out",
        new.to_str().unwrap(),
    ];
    let refused = with_stdin(&twice, format!("{PASSWORD}\n").as_bytes()).fails_with(2);
    assert!(
        refused.starts_with("iospki: standard input: was read already for another password"),
        "{refused}"
    );
    assert!(!new.exists());
}

#[test]
fn devices_and_sockets_are_refused_as_password_files_and_fifos_as_data() {
    for device in ["/dev/zero", "/dev/null", "/dev/tty"] {
        let refused = iospki(set(), ["verify", "output", "--password-file", device]).fails_with(2);
        assert_eq!(
            refused,
            format!("iospki: {device}: is a device or socket, not a regular file, FIFO or pipe (a password)\n")
        );
    }
    let dir = scratch("password-sources-data-fifo");
    tool(&dir, "mkfifo", ["cert.pem", "key.pem"]);
    let refused = iospki(&dir, ["inspect", "cert.pem"]).fails_with(2);
    assert!(
        refused.contains("cert.pem: is a device, FIFO or socket, not a regular file"),
        "{refused}"
    );
    let refused = iospki(&dir, ["init", "--key", "key.pem", "--out", "out"]).fails_with(2);
    assert!(
        refused.contains("key.pem: is a device, FIFO or socket, not a key file"),
        "{refused}"
    );
    // A directory walk lists regular files only: the FIFO is passed over, never waited for.
    let walked = iospki(&dir, ["check", "."]);
    assert_eq!(
        (walked.code(), walked.stdout()),
        (Some(0), "0 certificates, none due within 30 days\n".to_owned()),
        "{}",
        walked.stderr()
    );
}

#[test]
fn password_errors_name_the_ways_to_give_one() {
    let out = output();
    let ways = "--password-file FILE (- for standard input) or IOSPKI_PASSWORD";
    let needed = iospki(set(), ["inspect", "output/KEYSTORE.p12"]).fails_with(2);
    assert_eq!(
        needed,
        format!("iospki: output/KEYSTORE.p12: a password is needed to read a PKCS#12 file; give it with {ways}\n")
    );
    let wrong = iospki_env(set(), ["rotate", "output", "--ssl"], &[("IOSPKI_PASSWORD", "wrong")]).fails_with(2);
    assert!(
        wrong.ends_with(&format!(
            "store password is wrong or the file was modified; give the right one with {ways}\n"
        )),
        "{wrong}"
    );
    let checked = iospki(set(), ["check", "output"]).fails_with(2);
    assert!(checked.lines().all(|line| line.ends_with(ways)), "{checked}");
    let verified = iospki(set(), ["verify", "output"]);
    verified.fails_with(1);
    let fix = "(iospki verify --password-file FILE, - for standard input, or IOSPKI_PASSWORD;";
    assert!(verified.stdout().contains(fix), "{}", verified.stdout());
    // init names its configuration keys too, and the flag of the stores it merges.
    let key = demo_key();
    let merge = [
        "init",
        "--key",
        key.to_str().unwrap(),
        "--merge-from",
        &out,
        "--out",
        "merged",
    ];
    let refused = iospki(&scratch("password-sources-merge"), merge).fails_with(2);
    assert!(
        refused.contains(
            "give the right one with --password-file FILE (- for standard input), IOSPKI_PASSWORD, or \
             passwords.store_file or passwords.store_env in iospki.toml; the stores of --merge-from take \
             --merge-password-file FILE"
        ),
        "{refused}"
    );
    let import = ["apns", "import", "--cert", "c.pem", "--key", "k.pem", "--out", "o"];
    let dir = scratch("password-sources-apns");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apns");
    fs::copy(fixtures.join("mdm-push.pem"), dir.join("c.pem")).unwrap();
    fs::copy(fixtures.join("push.key"), dir.join("k.pem")).unwrap();
    let refused = iospki(&dir, import).fails_with(2);
    assert!(
        refused
            .contains("needs a password; give it with --password-file FILE (- for standard input) or IOSPKI_PASSWORD"),
        "{refused}"
    );
}

#[test]
fn init_and_bundle_read_iospki_toml_of_the_working_directory_and_say_so() {
    let dir = scratch("password-sources-toml");
    let key = demo_key();
    fs::write(
        dir.join("iospki.toml"),
        "domain = \"here.example.org\"\nkey_bits = 2048\n",
    )
    .unwrap();
    fs::write(
        dir.join("other.toml"),
        "domain = \"there.example.org\"\nkey_bits = 2048\n",
    )
    .unwrap();
    let init = iospki_here(&dir, ["init", "--key", key.to_str().unwrap(), "--out", "here"]);
    init.success();
    assert_eq!(
        init.stderr().lines().next(),
        Some("iospki: using ./iospki.toml (no --config given)")
    );
    let subject = ["x509", "-in", "here/ia.crt", "-noout", "-subject"];
    assert!(tool(&dir, "openssl", subject).contains("CN = here.example.org"));
    let bundle = iospki_here(&dir, ["bundle", "here", "--out", "bundles"]);
    assert!(bundle.success().contains("bundles/mgt.here.example.org.tar.gz"));
    assert_eq!(bundle.stderr(), "iospki: using ./iospki.toml (no --config given)\n");
    // --config wins, and nothing is said.
    let args = [
        "init",
        "--key",
        key.to_str().unwrap(),
        "--config",
        "other.toml",
        "--out",
        "there",
    ];
    let init = iospki_here(&dir, args);
    init.success();
    assert!(!init.stderr().contains("iospki.toml"), "{}", init.stderr());
    let subject = ["x509", "-in", "there/ia.crt", "-noout", "-subject"];
    assert!(tool(&dir, "openssl", subject).contains("CN = there.example.org"));
}
