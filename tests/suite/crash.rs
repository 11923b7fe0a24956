//! Crash safety: `init` and `rotate` killed with SIGKILL at random moments, 50 times each (IOSPKI_KILL_RUNS to
//! change), leave either nothing new / the old complete set, or the new complete set that verify accepts.

use crate::util;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{demo_key, iospki, listing, scratch};
use rand::RngExt;

fn runs() -> usize {
    std::env::var("IOSPKI_KILL_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(50)
}

/// Runs iospki in `dir` and kills it after `delay`; returns whether it had finished by itself.
fn run_and_kill(dir: &Path, args: &[&str], delay: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iospki"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    let finished = child.try_wait().unwrap().is_some();
    if !finished {
        child.kill().unwrap(); // SIGKILL
    }
    child.wait().unwrap();
    finished
}

fn timed(dir: &Path, args: &[&str]) -> Duration {
    let start = Instant::now();
    iospki(dir, args).success();
    start.elapsed()
}

/// The set's files and bytes, without backups.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    listing(dir)
        .into_iter()
        .filter(|n| n != "backup")
        .map(|n| (n.clone(), std::fs::read(dir.join(&n)).unwrap()))
        .collect()
}

fn sound(dir: &Path) -> bool {
    let options = iospki::ops::verify::Options {
        store_password: iospki::io::secret::Password::new("wso2carbon"),
        ssl_alias: "wso2carbon".into(),
        within: time::Duration::ZERO,
        now: iospki::formats::issue::now(),
    };
    iospki::ops::verify::verify_output(dir, &options).is_ok_and(|report| report.problems() == 0)
}

#[test]
fn init_killed_anywhere_leaves_nothing_or_a_complete_set() {
    let dir = scratch("crash-init");
    let key = demo_key();
    let args = ["init", "--key", key.to_str().unwrap(), "--key-bits", "2048"];
    let typical = timed(&dir, &args);
    std::fs::remove_dir_all(dir.join("output")).unwrap();
    let (mut nothing, mut complete) = (0, 0);
    for run in 0..runs() {
        let delay = typical.mul_f64(rand::rng().random_range(0.0..1.3));
        run_and_kill(&dir, &args, delay);
        let out = dir.join("output");
        if out.exists() {
            assert_eq!(
                listing(&out).len(),
                util::INIT_FILES.len(),
                "run {run}: partial set after {delay:?}"
            );
            assert!(sound(&out), "run {run}: a set verify rejects after {delay:?}");
            complete += 1;
            std::fs::remove_dir_all(&out).unwrap();
        } else {
            nothing += 1;
        }
    }
    eprintln!("init: {nothing} runs killed before publishing, {complete} complete");
    assert!(
        nothing > 0 && complete > 0,
        "the kills did not straddle the publication: {nothing} / {complete}"
    );
}

#[test]
fn rotate_killed_anywhere_leaves_the_old_or_the_new_complete_set() {
    let dir = scratch("crash-rotate");
    iospki(
        &dir,
        ["init", "--key", demo_key().to_str().unwrap(), "--key-bits", "2048"],
    )
    .success();
    let out = dir.join("output");
    let args = ["rotate", "--ssl"];
    let typical = timed(&dir, &args);
    let (mut old, mut new) = (0, 0);
    for run in 0..runs() {
        let before = snapshot(&out);
        let delay = typical.mul_f64(rand::rng().random_range(0.0..1.3));
        run_and_kill(&dir, &args, delay);
        let after = snapshot(&out);
        if after == before {
            old += 1;
        } else {
            assert_eq!(after.len(), before.len(), "run {run}: files missing after {delay:?}");
            assert!(sound(&out), "run {run}: a mixed or broken set after {delay:?}");
            let cert = |set: &[(String, Vec<u8>)], name: &str| set.iter().find(|(n, _)| n == name).unwrap().1.clone();
            assert_ne!(
                cert(&after, "ia.crt"),
                cert(&before, "ia.crt"),
                "run {run}: changed without a new certificate"
            );
            assert_eq!(
                cert(&after, "ra.crt"),
                cert(&before, "ra.crt"),
                "run {run}: the RA changed"
            );
            new += 1;
        }
    }
    eprintln!("rotate: {old} runs left the old set, {new} the new one");
    // The next run clears what the killed runs left beside the output.
    iospki(&dir, ["rotate", "--ssl"]).success();
    let leftovers: Vec<_> = listing(&dir)
        .into_iter()
        .filter(|n| n.starts_with(".output.iospki-"))
        .collect();
    assert!(leftovers.is_empty(), "staging directories left behind: {leftovers:?}");
    assert!(
        old > 0 && new > 0,
        "the kills did not straddle the publication: {old} / {new}"
    );
}
