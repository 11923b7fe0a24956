//! The Ansible project run as root on nodes whose homes belong to the server's account (uid 65534 here, acting
//! through setpriv), which plants what it can to make the root run write, keep or show something for it:
//! set-uid and set-gid programs, a FIFO and hard links as stores, links for directories below the home, a home
//! in a directory of its own, a backup directory in the home, and a directory swapped for a link while the run
//! goes on. Nothing outside the homes changes, no set-uid or set-gid file is left, backups are content alone,
//! 0600 and root's, and every run that must refuse fails naming the path.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::ansible::{NODES, PASSWORD, changed, fleet, install_by_hand, playbook};
use crate::util::{Run, run_in, tool};

/// The server's account: it owns the homes, root runs the playbooks.
const ACCOUNT: u32 = 65534;

/// `setpriv` arguments that run what follows as the account, with no supplementary group.
const AS_ACCOUNT: [&str; 3] = ["--reuid=65534", "--regid=65534", "--clear-groups"];

/// Runs the shell `script` as the account, in `dir`.
fn as_account(dir: &Path, script: &str) -> Run {
    let mut args = AS_ACCOUNT.to_vec();
    args.extend(["sh", "-ec", script]);
    run_in(dir, "setpriv", args, &[])
}

/// The fleet `name` with every node's bundle installed by hand, each home and all in it the account's, and
/// `DIR/outside`: root's files where the account's links point.
fn hostile_fleet(name: &str) -> PathBuf {
    let dir = fleet(name, PASSWORD, None);
    install_by_hand(&dir);
    let homes = NODES.map(|node| format!("homes/{node}"));
    tool(
        &dir,
        "chown",
        [&["-R", "65534:65534"], homes.each_ref().map(String::as_str).as_slice()].concat(),
    );
    let security = dir.join("outside/resources/security");
    fs::create_dir_all(&security).unwrap();
    fs::write(security.join("wso2carbon.jks"), "root's own store\n").unwrap();
    fs::write(dir.join("outside/shadow"), "root-only secret\n").unwrap();
    fs::set_permissions(dir.join("outside/shadow"), fs::Permissions::from_mode(0o600)).unwrap();
    dir
}

/// Every entry below `dir`, links not followed: its path, type and mode, owner, and bytes or link target.
fn snapshot(dir: &Path) -> Vec<(String, u32, u32, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let bytes = if meta.is_symlink() {
                fs::read_link(&path).unwrap().into_os_string().into_encoded_bytes()
            } else if meta.is_dir() {
                stack.push(path.clone());
                Vec::new()
            } else if meta.is_file() {
                fs::read(&path).unwrap()
            } else {
                Vec::new()
            };
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            out.push((name, meta.mode(), meta.uid(), bytes));
        }
    }
    out.sort();
    out
}

/// Asserts that no entry below `dir`'s homes, backups (when a run made them) and outside has a set-uid or
/// set-gid bit.
fn assert_no_setid(dir: &Path) {
    let mut args: Vec<&str> = ["homes", "backups", "outside"]
        .into_iter()
        .filter(|sub| dir.join(sub).exists())
        .collect();
    args.extend(["-perm", "/6000"]);
    let found = tool(dir, "find", args);
    assert_eq!(found, "", "set-uid or set-gid files are left");
}

/// Asserts that every directory in `dir/backups/NODE` is 0700 and every file 0600, each root's; returns the
/// files kept, by path below their run's directory, with their bytes.
fn kept(dir: &Path, node: &str) -> Vec<(String, Vec<u8>)> {
    let backups = dir.join("backups").join(node);
    let mut files = Vec::new();
    for (name, mode, uid, bytes) in snapshot(&backups) {
        let want = if mode & 0o170000 == 0o040000 { 0o40700 } else { 0o100600 };
        assert_eq!((mode, uid), (want, 0), "{node}: backups/{name}");
        if want == 0o100600 {
            files.push((name.split_once('/').unwrap().1.to_owned(), bytes));
        }
    }
    files.sort();
    files
}

/// Asserts that `run` failed and that its output names `what`.
fn assert_refused(run: &Run, what: &str) {
    let out = run.stdout();
    assert_ne!(run.code(), Some(0), "{what}: the run went on:\n{out}");
    assert!(out.contains(what), "no {what:?} in the output:\n{out}");
}

const SECURITY: &str = "repository/resources/security";

#[test]
fn set_uid_stores_a_fifo_and_hard_links_planted_by_the_account_leave_it_nothing() {
    let dir = hostile_fleet("ansible-hostile-plants");
    let pem = "homes/nginx/ssl/es-chain.pem";
    as_account(
        &dir,
        &format!(
            "cp /bin/true homes/publisher-1/{SECURITY}/wso2carbon.jks; \
             chmod 6755 homes/publisher-1/{SECURITY}/wso2carbon.jks; \
             chmod 2755 homes/publisher-2/SETTINGS.txt; \
             rm homes/store-2/{SECURITY}/client-truststore.jks; \
             mkfifo homes/store-2/{SECURITY}/client-truststore.jks; \
             rm {pem}"
        ),
    )
    .success();
    // What a node without fs.protected_hardlinks lets the account do: names of root's file in its home.
    let shadow = dir.join("outside/shadow");
    fs::hard_link(
        &shadow,
        dir.join(format!("homes/publisher-2/{SECURITY}/wso2carbon.jks.new")),
    )
    .unwrap();
    fs::rename(
        dir.join(format!("homes/publisher-2/{SECURITY}/wso2carbon.jks.new")),
        dir.join(format!("homes/publisher-2/{SECURITY}/wso2carbon.jks")),
    )
    .unwrap();
    fs::hard_link(&shadow, dir.join(pem)).unwrap();
    let outside = snapshot(&dir.join("outside"));

    let run = playbook(&dir, &["site.yml", "--diff"]);
    let fifo = format!("homes/store-2/{SECURITY}/client-truststore.jks is a FIFO");
    assert_refused(&run, &fifo);
    // A home reached through a link root made, relative to a directory of root's: followed.
    std::os::unix::fs::symlink("homes/nginx", dir.join("nginx-home")).unwrap();
    let home = format!("iospki_home={}/nginx-home", dir.display());
    let run = playbook(&dir, &["site.yml", "--diff", "--limit", "nginx", "-e", &home]);
    let out = run.success();
    assert!(out.contains("(a file with 2 names: not shown)"), "{out}");
    assert!(!out.contains("root-only secret"), "the diff showed root's file:\n{out}");

    assert!(
        snapshot(&dir.join("outside")) == outside,
        "a file outside the homes changed"
    );
    assert_no_setid(&dir);
    let bundles = dir.join("bundles");
    for (node, path) in [
        ("publisher-1", format!("{SECURITY}/wso2carbon.jks")),
        ("publisher-2", "SETTINGS.txt".to_owned()),
        ("publisher-2", format!("{SECURITY}/wso2carbon.jks")),
        ("nginx", "ssl/es-chain.pem".to_owned()),
    ] {
        let meta = fs::symlink_metadata(dir.join("homes").join(node).join(&path)).unwrap();
        let want = fs::read(bundles.join(node).join(&path)).unwrap();
        assert!(
            fs::read(dir.join("homes").join(node).join(&path)).unwrap() == want,
            "{node}: {path}"
        );
        assert_eq!(
            (meta.uid(), meta.gid(), meta.nlink()),
            (ACCOUNT, ACCOUNT, 1),
            "{node}: {path}"
        );
    }
    let kept_p1 = kept(&dir, "publisher-1");
    assert_eq!(kept_p1.len(), 1, "{kept_p1:?}");
    assert!(
        kept_p1[0].1 == fs::read("/bin/true").unwrap(),
        "the planted program's bytes, kept 0600"
    );
    let kept_p2: Vec<String> = kept(&dir, "publisher-2").into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        kept_p2,
        ["SETTINGS.txt".to_owned(), format!("{SECURITY}/wso2carbon.jks")]
    );
    assert!(kept(&dir, "nginx")[0].1 == b"root-only secret\n", "root's, 0600");
    assert_eq!(
        as_account(&dir, "ls backups").code(),
        Some(2),
        "the account reads no backup"
    );

    let out = playbook(&dir, &["site.yml", "--limit", "!store-2"]).success();
    assert!(changed(&out).iter().all(|(_, count)| *count == 0), "{out}");
}

#[test]
fn links_below_the_home_and_homes_or_backups_the_account_can_swap_are_refused_and_nothing_outside_changes() {
    let dir = hostile_fleet("ansible-hostile-links");
    let outside = dir.join("outside");
    let o = outside.display();
    as_account(
        &dir,
        &format!(
            "mv homes/publisher-1/repository homes/publisher-1/repository.real; \
             ln -s {o} homes/publisher-1/repository; \
             mv homes/publisher-2/{SECURITY} homes/publisher-2/{SECURITY}.real; \
             ln -s {o}/resources/security homes/publisher-2/{SECURITY}; \
             ln -sf {o}/resources/security/wso2carbon.jks homes/store-1/{SECURITY}/wso2carbon.jks; \
             ln -s {o} homes/store-2/iospki-backup"
        ),
    )
    .success();
    // A home in a directory the account owns: it could swap the home itself for a link.
    fs::create_dir(dir.join("shared")).unwrap();
    fs::rename(dir.join("homes/nginx"), dir.join("shared/nginx")).unwrap();
    tool(&dir, "chown", ["65534:65534", "shared"]);
    // A sticky directory anyone may write, as /tmp: an entry the account owns there it may swap, root's it may not.
    fs::create_dir_all(dir.join("sticky/theirs")).unwrap();
    fs::create_dir(dir.join("sticky/roots")).unwrap();
    tool(&dir, "chmod", ["1777", "sticky"]);
    tool(&dir, "chown", ["65534:65534", "sticky/theirs"]);
    for parent in ["theirs", "roots"] {
        let copy = format!("sticky/{parent}/nginx");
        tool(&dir, "cp", ["-a", "shared/nginx", copy.as_str()]);
    }
    let (before, homes) = (snapshot(&outside), snapshot(&dir.join("homes")));

    let home = |node: &str| dir.join("homes").join(node).display().to_string();
    let link = "is a symbolic link, not a directory";
    let backup_in_home = format!("iospki_backup_dir={}/iospki-backup", home("store-2"));
    let nginx_home = format!("iospki_home={}/shared/nginx", dir.display());
    let cases = [
        (
            "publisher-1",
            vec![],
            format!("{}/repository {link}", home("publisher-1")),
        ),
        (
            "publisher-2",
            vec![],
            format!("{}/{SECURITY} {link}", home("publisher-2")),
        ),
        (
            "store-1",
            vec![],
            format!(
                "{}/{SECURITY}/wso2carbon.jks is a symbolic link, not a regular file",
                home("store-1")
            ),
        ),
        (
            "store-2",
            vec!["-e", backup_in_home.as_str()],
            format!("{} is owned by uid 65534", home("store-2")),
        ),
        (
            "nginx",
            vec!["-e", nginx_home.as_str()],
            format!("{}/shared is owned by uid 65534", dir.display()),
        ),
    ];
    let sticky_theirs = format!("iospki_home={}/sticky/theirs/nginx", dir.display());
    let sticky = format!("{}/sticky is owned by uid 0 with mode 1777", dir.display());
    for (node, extra, message) in cases
        .iter()
        .chain([&("nginx", vec!["-e", sticky_theirs.as_str()], sticky)])
    {
        let mut args = vec!["site.yml", "--limit", node];
        args.extend(extra);
        assert_refused(&playbook(&dir, &args), message);
    }
    let sticky_roots = format!("iospki_home={}/sticky/roots/nginx", dir.display());
    playbook(&dir, &["site.yml", "--limit", "nginx", "-e", sticky_roots.as_str()]).success();
    assert!(snapshot(&outside) == before, "a file outside the homes changed");
    assert!(snapshot(&dir.join("homes")) == homes, "a refused run changed a home");
    assert_no_setid(&dir);
}

/// The account's loop, in Python for renameat2: swaps the directory `A` and the link `B` atomically, so that
/// `A` is always one or the other, until `STOP` exists or two minutes passed; prints the number of swaps.
const SWAPPER: &str = "import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
a, b, stop = (arg.encode() for arg in sys.argv[1:4])
end, swaps = time.monotonic() + 120, 0
while time.monotonic() < end and not os.path.exists(stop):
    if libc.renameat2(-100, a, -100, b, 2) != 0:
        sys.exit('renameat2: errno %d' % ctypes.get_errno())
    swaps += 1
print(swaps)
";

/// The swapper run as the account on `dir/A` and `dir/B`, stopped by `dir/stop`.
fn swapper(dir: &Path, a: &Path, b: &Path) -> Child {
    Command::new("setpriv")
        .args(AS_ACCOUNT)
        .args(["/usr/bin/python3", "-c", SWAPPER])
        .args([a, b, &dir.join("stop")])
        .stdout(Stdio::piped())
        .spawn()
        .expect("setpriv")
}

#[test]
fn a_directory_swapped_for_a_link_while_the_run_writes_reaches_nothing_outside() {
    let dir = hostile_fleet("ansible-hostile-race");
    let outside = dir.join("outside");
    let before = snapshot(&outside);
    let servers = &NODES[..4];
    let mut loops = Vec::new();
    for node in servers {
        let repository = dir.join("homes").join(node).join("repository");
        let script = format!(
            "echo planted > resources/security/wso2carbon.jks; ln -s {} resources-link",
            outside.join("resources").display()
        );
        as_account(&repository, &script).success();
        loops.push(swapper(
            &dir,
            &repository.join("resources"),
            &repository.join("resources-link"),
        ));
    }
    let mut refused = 0;
    for node in servers {
        let run = playbook(&dir, &["site.yml", "--limit", node]);
        if run.code() != Some(0) {
            let out = run.stdout();
            let at = format!("{node}/repository/resources");
            assert!(
                out.contains(&format!("{at} is a symbolic link")) || out.contains(&format!("{at} was swapped")),
                "{out}"
            );
            refused += 1;
        }
    }
    fs::write(dir.join("stop"), "").unwrap();
    for child in loops {
        let out = child.wait_with_output().unwrap();
        let swaps: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0);
        assert!(out.status.success() && swaps > 0, "the swapper: {out:?}");
    }
    // Whether a racing run met the link depends on the machine's load; a run that finds it in place always must.
    if refused == 0 {
        let repository = dir.join("homes").join(servers[0]).join("repository");
        if !fs::symlink_metadata(repository.join("resources"))
            .unwrap()
            .file_type()
            .is_symlink()
        {
            fs::rename(repository.join("resources"), repository.join("resources-real")).unwrap();
            fs::rename(repository.join("resources-link"), repository.join("resources")).unwrap();
        }
        let run = playbook(&dir, &["site.yml", "--limit", servers[0]]);
        let out = run.stdout();
        assert_ne!(run.code(), Some(0), "{out}");
        let at = format!("{}/repository/resources is a symbolic link", servers[0]);
        assert!(out.contains(&at), "{out}");
    }
    assert!(snapshot(&outside) == before, "a file outside the homes changed");
    assert_no_setid(&dir);
}
