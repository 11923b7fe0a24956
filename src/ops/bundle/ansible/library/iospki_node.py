#!/usr/bin/python
# Written by iospki bundle --format ansible. Installs a node's files under iospki_home as root without trusting
# anything the account that owns the home could have made there: the server's account can replace any directory
# below the home with a link, or plant a set-uid program, a FIFO or a hard link as a store, at any moment, also
# while this runs. So every path below the home is walked one directory at a time from the home's descriptor,
# never following a link (O_NOFOLLOW on each component, not a check before the write); a file is read only if it
# is a regular file, and written as a new file beside it, renamed over the old one (never opened and truncated,
# so a hard link is not written through), with the bundle's mode and the files' owner, set on its descriptor.
# The files a run replaces are kept, their content alone, 0600 and the running user's, in a directory of
# iospki_backup_dir made by this run, where every directory from / on is root's and writable by no one else.
# The home's own path may hold links, when only root could have made them: every directory on the way to it is
# root's (or the running user's) and writable by no one else (a sticky one such as /tmp for an entry root owns:
# only an entry's owner can rename or remove it there), or the run stops.
# With password (a Secure Vault set, before the restart), it writes that alone as the home's password-tmp, the same
# way: a link or FIFO there is refused, and the new file is renamed over the name.

DOCUMENTATION = r"""
module: iospki_node
short_description: install iospki's files under a server home that another account owns
description: See the head of this file. Supports check mode and diff (the public files only). With password, it
  writes that alone, as password-tmp in the home, for a server whose set uses Secure Vault.
"""

import base64
import errno
import grp
import hashlib
import os
import pwd
import secrets
import stat
import time

from ansible.module_utils.basic import AnsibleModule

# No file iospki writes is near this: a larger one is not kept or compared but refused.
MAX_SIZE = 64 << 20
# More links than this on the way to a directory is a loop.
MAX_LINKS = 40
# Runs of one round in one second that get a directory of their own before the run gives up.
MAX_RUNS_PER_SECOND = 100
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
NEW_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
# Where Secure Vault's DefaultSecretCallbackHandler reads the keystore password at start, below the home.
PASSWORD_TMP = "password-tmp"


class Refused(Exception):
    """A path this run must not touch; the message names it and says why."""


class Missing(Refused):
    """A directory on the way to a path is not there (and was not to be made)."""


def kind(mode):
    """What a file is, for a message."""
    for test, name in (
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "a file of an unknown kind"


def refuse_entry(parent, name, shown, error, wanted):
    """Refused for the entry `name` of the directory `parent` that could not be opened as `wanted`."""
    try:
        found = kind(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode)
    except OSError:
        raise Refused("%s: %s" % (shown, os.strerror(error.errno)))
    if found == wanted and error.errno not in (errno.ELOOP, errno.ENOTDIR):
        raise Refused("%s: %s" % (shown, os.strerror(error.errno)))
    if found == wanted:
        raise Refused("%s was swapped for a link or another kind of file while this ran: refused" % shown)
    raise Refused(
        "%s is %s, not %s: iospki reads and writes nothing through it, as root would then reach wherever the "
        "server's account points it; make it %s and run again" % (shown, found, wanted, wanted)
    )


def open_dir(parent, name, shown):
    """The directory `name` of `parent`, opened without following a link."""
    try:
        return os.open(name, DIR_FLAGS, dir_fd=parent)
    except FileNotFoundError:
        raise
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            refuse_entry(parent, name, shown, error, "a directory")
        raise Refused("%s: %s" % (shown, error.strerror))


def trusted(fd, shown, entry=None):
    """Refuses the directory `fd` when anyone but root or the running user could change its entries, or, with
    `entry` (the stat of the entry about to be followed), that entry. A sticky directory such as /tmp lets anyone
    add entries but only an entry's owner rename or remove it, so it is trusted for an entry root or the running
    user owns."""
    st = os.fstat(fd)
    ours = (0, os.geteuid())
    sticky_for_ours = st.st_mode & stat.S_ISVTX and entry is not None and entry.st_uid in ours
    if st.st_uid not in ours or (st.st_mode & 0o022 and not sticky_for_ours):
        raise Refused(
            "%s is owned by uid %d with mode %04o: whoever else can write it can swap what lies below it for a "
            "link; make it root's and writable by root alone" % (shown, st.st_uid, stat.S_IMODE(st.st_mode))
        )


def open_path(path, trust_last, create):
    """The directory at the absolute `path`, walked from / one component at a time. Links are followed only in
    directories that root alone can change, so that only root could have made them; every directory on the way,
    and the last one too when `trust_last`, is root's. Missing directories are made 0700 when `create`."""
    if not path.startswith("/"):
        raise Refused("%s is not an absolute path" % path)
    todo = list(reversed([part for part in path.split("/") if part]))
    stack = [(os.open("/", DIR_FLAGS), "/")]
    links = 0
    try:
        while todo:
            name = todo.pop()
            parent, at = stack[-1]
            if name == ".":
                continue
            if name == "..":
                if len(stack) > 1:
                    os.close(stack.pop()[0])
                continue
            shown = at.rstrip("/") + "/" + name
            try:
                st = os.stat(name, dir_fd=parent, follow_symlinks=False)
            except FileNotFoundError:
                trusted(parent, at)
                if not create:
                    raise Missing("%s is not there" % shown)
                os.mkdir(name, 0o700, dir_fd=parent)
                todo.append(name)
                continue
            trusted(parent, at, st)
            if stat.S_ISLNK(st.st_mode):
                links += 1
                if links > MAX_LINKS:
                    raise Refused("%s: more than %d links on the way to %s" % (shown, MAX_LINKS, path))
                target = os.readlink(name, dir_fd=parent)
                if target.startswith("/"):
                    while len(stack) > 1:
                        os.close(stack.pop()[0])
                todo.extend(reversed([part for part in target.split("/") if part]))
                continue
            stack.append((open_dir(parent, name, shown), shown))
        if trust_last:
            trusted(*stack[-1])
        return stack.pop()[0]
    finally:
        for fd, _ in stack:
            os.close(fd)


def parts_of(relative):
    """The components of a file's path below the home, each a plain name."""
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise Refused("%s is not a plain relative path" % relative)
    return parts


def walk(base, base_shown, parts, create, owner):
    """The directory `parts` below `base`, each component opened without following a link, or None when one is
    missing and not `create`; the ones made are 0700 and `owner`'s (uid, gid)."""
    fd, shown = os.dup(base), base_shown
    for name in parts:
        shown += "/" + name
        try:
            child = open_child(fd, name, shown, create, owner)
        finally:
            os.close(fd)
        if child is None:
            return None
        fd = child
    return fd


def open_child(parent, name, shown, create, owner):
    """The directory `name` of `parent` (see walk)."""
    try:
        return open_dir(parent, name, shown)
    except FileNotFoundError:
        if not create:
            return None
    try:
        os.mkdir(name, 0o700, dir_fd=parent)
    except FileExistsError:
        pass
    child = open_dir(parent, name, shown)
    os.fchown(child, *owner)
    return child


class Found:
    """A regular file as it was read: its status and bytes."""

    def __init__(self, st, content):
        self.st, self.content = st, content


def read_file(parent, name, shown):
    """The regular file `name` of `parent`, or None when it is not there. A link, a FIFO or anything else is
    refused, without waiting on it; so is a file larger than MAX_SIZE."""
    try:
        fd = os.open(name, READ_FLAGS, dir_fd=parent)
    except FileNotFoundError:
        return None
    except OSError as error:
        refuse_entry(parent, name, shown, error, "a regular file")
    with os.fdopen(fd, "rb") as opened:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Refused("%s is %s, not a regular file: remove it and run again" % (shown, kind(st.st_mode)))
        content = opened.read(MAX_SIZE + 1)
    if len(content) > MAX_SIZE:
        raise Refused("%s is larger than %d MiB, no file iospki wrote: move it away" % (shown, MAX_SIZE >> 20))
    return Found(st, content)


def write_file(parent, name, content, mode, owner, shown):
    """`content` as the file `name` of `parent`: a new file beside it with `mode` and `owner`, synced, then
    renamed over the old name, so that neither a half-written file nor a hard link is ever written."""
    temp = ".iospki-%s" % secrets.token_hex(8)
    fd = os.open(temp, NEW_FLAGS, 0o600, dir_fd=parent)
    try:
        with os.fdopen(fd, "wb") as opened:
            opened.write(content)
            opened.flush()
            os.fchown(fd, *owner)
            os.fchmod(fd, mode)
            os.fsync(fd)
        os.rename(temp, name, src_dir_fd=parent, dst_dir_fd=parent)
    except OSError as error:
        try:
            os.unlink(temp, dir_fd=parent)
        except OSError:
            pass
        raise Refused("%s: %s" % (shown, error.strerror))
    os.fsync(parent)


def owner_of(params, home_st):
    """The uid and gid of the files: iospki_owner and iospki_group, each by default the home's."""
    uid, gid = home_st.st_uid, home_st.st_gid
    try:
        if params["owner"]:
            uid = pwd.getpwnam(params["owner"]).pw_uid
        if params["group"]:
            gid = grp.getgrnam(params["group"]).gr_gid
    except KeyError as missing:
        raise Refused("iospki_owner or iospki_group: no user or group %s on this node" % missing)
    return uid, gid


class File:
    """One of the node's files: what the bundle has, and what the node has."""

    def __init__(self, spec, encoded, node):
        self.path = spec["path"]
        self.parts = parts_of(self.path)
        self.mode = int(spec["mode"], 8)
        self.secret = bool(spec["secret"])
        self.content = base64.b64decode(encoded, validate=True)
        if hashlib.sha256(self.content).hexdigest() != spec["sha256"]:
            raise Refused("files/%s/%s is not the file iospki bundled: run iospki bundle again" % (node, self.path))
        self.found = None

    def read(self, home, shown_home):
        """The node's file, or None; its directories are walked without following a link."""
        parent = walk(home, shown_home, self.parts[:-1], False, None)
        if parent is None:
            return None
        try:
            return read_file(parent, self.parts[-1], "%s/%s" % (shown_home, self.path))
        finally:
            os.close(parent)

    def differs(self, owner):
        found = self.found
        if found is None:
            return True
        st = found.st
        return (
            found.content != self.content
            or stat.S_IMODE(st.st_mode) != self.mode
            or (st.st_uid, st.st_gid) != owner
        )

    def diff(self, shown_home, node):
        """What --diff shows of a public file: the node's text, unless it has other names too (a hard link
        might show a file of the system's), and the bundle's."""
        before = ""
        if self.found is not None:
            before = text(self.found.content)
            if self.found.st.st_nlink > 1:
                before = "(a file with %d names: not shown)\n" % self.found.st.st_nlink
        return {
            "before_header": "%s/%s" % (shown_home, self.path),
            "after_header": "files/%s/%s" % (node, self.path),
            "before": before,
            "after": text(self.content),
        }


def text(content):
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return "(binary, %d bytes)\n" % len(content)


def backup_run(base, params):
    """A directory of its own for this run in the backup directory `base`: TIME-ROUND, made by this run (mkdir
    fails on one that is there)."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for run in range(1, MAX_RUNS_PER_SECOND + 1):
        name = "%s-%s" % (stamp, params["round"]) + ("" if run == 1 else "-%d" % run)
        try:
            os.mkdir(name, 0o700, dir_fd=base)
        except FileExistsError:
            continue
        shown = "%s/%s" % (params["backup_dir"], name)
        return open_dir(base, name, shown), shown
    raise Refused("%s: %d runs of %s in one second" % (params["backup_dir"], run, params["round"]))


def keep(files, base, params):
    """The node's files in `files`, content alone, 0600 and the running user's, in a new backup run in `base`."""
    run, shown = backup_run(base, params)
    mine = (os.geteuid(), os.getegid())
    try:
        for file in files:
            parent = walk(run, shown, file.parts[:-1], True, mine)
            try:
                write_file(parent, file.parts[-1], file.found.content, 0o600, mine, shown + "/" + file.path)
            finally:
                os.close(parent)
    finally:
        os.close(run)
    return shown


def install(home, shown_home, file, owner):
    """The bundle's file in place, then read back and checked."""
    shown = "%s/%s" % (shown_home, file.path)
    parent = walk(home, shown_home, file.parts[:-1], True, owner)
    try:
        write_file(parent, file.parts[-1], file.content, file.mode, owner, shown)
        file.found = read_file(parent, file.parts[-1], shown)
    finally:
        os.close(parent)
    if file.differs(owner):
        raise Refused("%s changed while it was installed: run again" % shown)


def open_home(params):
    """The node's home, walked as open_path does; its path as messages show it."""
    try:
        home = open_path(params["home"], False, False)
    except Refused as refused:
        raise Refused(
            "iospki_home %s: %s (set iospki_home in host_vars/%s.yml)" % (params["home"], refused, params["node"])
        )
    return home, params["home"].rstrip("/") or "/"


def node(module):
    params = module.params
    if len(params["files"]) != len(params["contents"]):
        raise Refused("files and contents differ in length")
    files = [File(spec, encoded, params["node"]) for spec, encoded in zip(params["files"], params["contents"])]
    home, shown_home = open_home(params)
    try:
        owner = owner_of(params, os.fstat(home))
        for file in files:
            file.found = file.read(home, shown_home)
        changes = [file for file in files if file.differs(owner)]
        result = {
            "changed": bool(changes),
            "files": [file.path for file in changes],
            "diff": [file.diff(shown_home, params["node"]) for file in changes if not file.secret],
        }
        if module.check_mode:
            check_backup_dir(params)
        else:
            update(home, shown_home, changes, owner, params, result)
        return result
    finally:
        os.close(home)


def check_backup_dir(params):
    """In check mode, refuses the backup directory a real run would refuse; one not made yet is fine."""
    try:
        os.close(open_path(params["backup_dir"], True, False))
    except Missing:
        pass
    except Refused as refused:
        raise Refused("iospki_backup_dir %s: %s" % (params["backup_dir"], refused))


def update(home, shown_home, changes, owner, params, result):
    """Keeps the node's files in `changes`, then installs the bundle's. The backup directory is checked on every
    run, so that one root does not own is found before the first file needs it."""
    try:
        base = open_path(params["backup_dir"], True, True)
    except Refused as refused:
        raise Refused("iospki_backup_dir %s: %s" % (params["backup_dir"], refused))
    try:
        replaced = [file for file in changes if file.found is not None]
        if replaced:
            result["backup"] = keep(replaced, base, params)
    finally:
        os.close(base)
    for file in changes:
        install(home, shown_home, file, owner)


def give_password(module):
    """The keystore password, one line, as PASSWORD_TMP in the home, 0600 and the files' owner's, written as every
    file is (a new file beside it, renamed over the name) once what is there is found to be no link, FIFO or
    anything but a regular file. The server reads it at start, then deletes it."""
    params = module.params
    password = params["password"]
    if "\n" in password or "\r" in password or not password:
        raise Refused("iospki_keystore_password is empty or holds a line break: the server reads one line")
    home, shown_home = open_home(params)
    shown = "%s/%s" % (shown_home, PASSWORD_TMP)
    try:
        owner = owner_of(params, os.fstat(home))
        read_file(home, PASSWORD_TMP, shown)
        if not module.check_mode:
            write_file(home, PASSWORD_TMP, (password + "\n").encode("utf-8"), 0o600, owner, shown)
    finally:
        os.close(home)
    return {"changed": True, "written": shown}


def main():
    module = AnsibleModule(
        argument_spec={
            "node": {"type": "str", "required": True},
            "home": {"type": "str", "required": True},
            "files": {"type": "list", "elements": "dict", "default": []},
            "contents": {"type": "list", "elements": "str", "default": [], "no_log": True},
            "owner": {"type": "str", "default": ""},
            "group": {"type": "str", "default": ""},
            "backup_dir": {"type": "str"},
            "round": {"type": "str"},
            "password": {"type": "str", "no_log": True},
        },
        required_one_of=[("password", "backup_dir")],
        required_together=[("backup_dir", "round")],
        supports_check_mode=True,
    )
    try:
        result = give_password(module) if module.params["password"] is not None else node(module)
    except Refused as refused:
        module.fail_json(msg="%s: %s" % (module.params["node"], refused))
    except OSError as error:
        module.fail_json(msg="%s: %s: %s" % (module.params["node"], error.filename, error.strerror))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
