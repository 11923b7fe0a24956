//! What iospki must not lose: a change of another run on the same set (rotations run together), a filesystem
//! mounted inside the output directory, a device or pipe where a file is to go, a directory that is its own
//! parent under another name, and where a full disk stopped it. Mounts are made in a private mount namespace
//! (`unshare -rm`), so that nothing of the machine's own is touched.

use std::fs;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::util::{demo_key, demo_set, iospki, iospki_here, run_in, scratch, tool};

fn serial(dir: &Path, file: &str) -> String {
    tool(dir, "openssl", ["x509", "-in", file, "-noout", "-serial"])
}

/// Two rotations with new keys and a bundle, started together five times: both renewals land every time, and
/// the bundle pairs every key with its certificate.
#[test]
fn rotations_run_together_lose_neither_change() {
    let dir = demo_set("race-rotations");
    let out = dir.join("output");
    for round in 0..5 {
        let (ra, ssl) = (serial(&out, "ra.crt"), serial(&out, "ia.crt"));
        let bundles = format!("bundles-{round}");
        let spawn = |args: &[&str]| {
            Command::new(env!("CARGO_BIN_EXE_iospki"))
                .args(args)
                .current_dir(&dir)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let children = [
            spawn(&["rotate", "output", "--ra", "--rekey"]),
            spawn(&["bundle", "output", "--out", &bundles]),
            spawn(&["rotate", "output", "--ssl", "--rekey"]),
        ];
        for child in children {
            let done = child.wait_with_output().unwrap();
            assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
        }
        assert_ne!(serial(&out, "ra.crt"), ra, "round {round}: the RA renewal was lost");
        assert_ne!(serial(&out, "ia.crt"), ssl, "round {round}: the SSL renewal was lost");
        let verified = iospki(&dir, ["verify", "output"]).success();
        assert!(verified.contains(": 0 problem(s)"), "{verified}");
        // The bundle read one whole set, whichever: each key with its own certificate.
        let manager = format!("{bundles}/mgt.iots310.wso2.com.tar.gz");
        let verified = iospki(&dir, ["verify", "--bundle", &manager]).success();
        assert!(verified.contains(": 0 problem(s)"), "{verified}");
    }
}

/// Runs `script` with sh in a private mount namespace in `dir`, `$IOSPKI` the built binary; returns its output.
fn in_mount_namespace(dir: &Path, script: &str) -> crate::util::Run {
    let full = format!("set -u\n{script}");
    run_in(
        dir,
        "unshare",
        ["-rm", "sh", "-c", &full],
        &[("IOSPKI", env!("CARGO_BIN_EXE_iospki"))],
    )
}

#[test]
fn a_filesystem_mounted_in_the_output_directory_is_neither_carried_nor_emptied() {
    let dir = demo_set("mount-in-output");
    let shown = in_mount_namespace(
        &dir,
        "mkdir output/share && mount -t tmpfs none output/share && echo precious > output/share/keep\n\
         \"$IOSPKI\" rotate output --ssl; echo \"exit $?\"\n\
         cat output/share/keep; ls -A . | grep -c iospki || true",
    );
    let out = shown.success();
    let stderr = shown.stderr();
    assert!(
        stderr.contains("output/share: is a mount point inside the output directory"),
        "{stderr}"
    );
    assert_eq!(
        out, "exit 2\nprecious\n0\n",
        "the mount's file, and no staging directory left"
    );
}

#[test]
fn a_mount_point_as_the_output_is_refused_with_a_sentence_before_any_work() {
    let dir = scratch("mount-as-output");
    let key = demo_key();
    let script = format!(
        "mkdir mnt && mount -t tmpfs none mnt && echo precious > mnt/keep\n\
         \"$IOSPKI\" init --key '{}' --key-bits 2048 --out \"$PWD/mnt\" --force; echo \"exit $?\"\n\
         ls -A mnt",
        key.display()
    );
    let shown = in_mount_namespace(&dir, &script);
    assert_eq!(shown.success(), "exit 2\nkeep\n", "nothing written into the mount");
    let stderr = shown.stderr();
    assert!(
        stderr.contains("mnt: is a mount point; iospki publishes a set by swapping a new directory into its place"),
        "{stderr}"
    );
    assert!(!stderr.contains("busy"), "{stderr}");
}

#[test]
fn a_leftover_staging_directory_with_a_mount_inside_is_not_emptied() {
    let dir = demo_set("mount-in-staging");
    let shown = in_mount_namespace(
        &dir,
        "mkdir -p .output.iospki-left/m && mount -t tmpfs none .output.iospki-left/m && echo precious > .output.iospki-left/m/keep\n\
         \"$IOSPKI\" rotate output --ssl; echo \"exit $?\"\n\
         cat .output.iospki-left/m/keep",
    );
    let out = shown.success();
    assert!(
        shown.stderr().contains(".output.iospki-left/m: is a mount point"),
        "{}",
        shown.stderr()
    );
    assert_eq!(out, "exit 2\nprecious\n");
}

#[test]
fn a_bind_mount_of_the_output_is_neither_merged_from_nor_written_into_its_parent() {
    let dir = demo_set("bind-aliases");
    let key = demo_key();
    let script = format!(
        "mkdir node parent-alias && mount --bind output node && mount --bind . parent-alias\n\
         \"$IOSPKI\" init --key {key} --key-bits 2048 --merge-from node --out output --force; echo \"exit $?\"\n\
         \"$IOSPKI\" init --key {key} --key-bits 2048 --out parent-alias; echo \"exit $?\"",
        key = key.display()
    );
    let shown = in_mount_namespace(&dir, &script);
    assert_eq!(shown.success(), "exit 2\nexit 2\n");
    let stderr = shown.stderr();
    assert!(stderr.contains("--merge-from: is the output directory"), "{stderr}");
    assert!(
        stderr.contains("parent-alias: is the directory that holds it"),
        "{stderr}"
    );
}

#[test]
fn a_full_disk_is_reported_at_the_output_and_leaves_nothing() {
    let dir = scratch("full-disk");
    let key = demo_key();
    let script = format!(
        "mkdir small && mount -t tmpfs -o size=64k none small\n\
         \"$IOSPKI\" init --key {} --key-bits 2048 --out small/output; echo \"exit $?\"\nls -A small",
        key.display()
    );
    let shown = in_mount_namespace(&dir, &script);
    assert_eq!(shown.success(), "exit 2\n", "nothing left in the full filesystem");
    let stderr = shown.stderr();
    assert!(stderr.contains("iospki: small/output/"), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(!stderr.contains(".iospki-"), "{stderr}");
}

#[test]
fn outputs_that_are_their_own_parent_or_not_regular_files_are_refused() {
    let dir = scratch("own-parent");
    let key = demo_key();
    let key = key.to_str().unwrap();
    fs::create_dir(dir.join("w")).unwrap();
    for out in [".", "w/..", "/"] {
        let refused = iospki_here(&dir, ["init", "--key", key, "--key-bits", "2048", "--out", out]).fails_with(2);
        assert!(
            refused.contains("give the output by a name of its own"),
            "{out}: {refused}"
        );
    }
    tool(&dir, "mkfifo", ["pipe"]);
    std::os::unix::fs::symlink("/dev/null", dir.join("link")).unwrap();
    for out in ["pipe", "link"] {
        let refused = iospki(&dir, ["genkey", "--out", out, "--bits", "2048", "--force"]).fails_with(2);
        assert!(refused.contains("is not a regular file"), "{out}: {refused}");
    }
    assert!(fs::symlink_metadata(dir.join("pipe")).unwrap().file_type().is_fifo());
    assert_eq!(fs::read_link(dir.join("link")).unwrap(), Path::new("/dev/null"));
}

#[test]
fn what_the_output_holds_of_its_own_is_never_followed_nor_copied_blindly() {
    let dir = demo_set("output-links-and-pipes");
    let elsewhere = dir.join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    iospki(&dir, ["bundle", "output", "--out", "bundles"]).success();
    // A node's bundle directory made a link to somewhere else: bundle would write through it.
    fs::remove_dir_all(dir.join("bundles/nginx")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.join("bundles/nginx")).unwrap();
    let refused = iospki(&dir, ["bundle", "output", "--out", "bundles"]).fails_with(2);
    assert!(
        refused.contains("bundles/nginx: is a symbolic link where iospki writes files of its own"),
        "{refused}"
    );
    assert_eq!(
        fs::read_dir(&elsewhere).unwrap().count(),
        0,
        "nothing written through the link"
    );
    // A pipe in the set's directory: carrying it across would block on opening it.
    tool(&dir, "mkfifo", ["output/pipe"]);
    let refused = iospki(&dir, ["rotate", "output", "--ssl"]).fails_with(2);
    assert!(
        refused.contains("output/pipe: is a device, pipe or socket"),
        "{refused}"
    );
    // Bundling from the current directory locks it by its real name.
    let out = dir.join("output");
    fs::remove_file(out.join("pipe")).unwrap();
    iospki_here(&out, ["bundle", ".", "--out", "../bundles-from-dot"]).success();
    // And rotating it from inside: the new set is published under its name and verified there.
    let rotated = iospki_here(&out, ["rotate", ".", "--ssl"]);
    rotated.success();
    assert!(!rotated.stderr().contains("after rotation"), "{}", rotated.stderr());
}
