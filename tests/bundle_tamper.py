"""Makes tampered copies of an iospki bundle with Python's tarfile, for tests/suite/bundle_tampered.rs.

    python3 bundle_tamper.py MANAGER.tar.gz NGINX.tar.gz

Writes, in the current directory, one archive per way an attacker or a careless operator could change a bundle
after `iospki bundle` made it: what `tar -xzpf` would then install differs from what bundle wrote.
"""

import copy
import gzip
import hashlib
import io
import sys
import tarfile

SECURITY = "repository/resources/security/"


def members(path):
    """The entries of an archive with their bytes (None for what is not a regular file)."""
    with tarfile.open(path) as archive:
        return [(m, archive.extractfile(m).read() if m.isfile() else None) for m in archive.getmembers()]


def write(name, entries):
    """A gzip'ed tar of `entries` in order."""
    with tarfile.open(name, "w:gz", format=tarfile.GNU_FORMAT) as archive:
        for member, data in entries:
            archive.addfile(member, io.BytesIO(data) if data is not None else None)


def edited(entries, path, **changes):
    """`entries` with the member at `path` changed (type, mode, uid, ...); its data dropped if no longer a file."""
    out = []
    for member, data in entries:
        if member.name == path:
            member = copy.copy(member)
            for key, value in changes.items():
                setattr(member, key, value)
            if not member.isfile():
                member.size, data = 0, None
        out.append((member, data))
    return out


def special(path, kind, **fields):
    member = tarfile.TarInfo(path)
    member.type = kind
    for key, value in fields.items():
        setattr(member, key, value)
    return member, None


def with_checksums(entries):
    """`entries` with SHA256SUMS listing every regular file, as bundle writes it."""
    files = [(m, d) for m, d in entries if m.isfile() and m.name != "SHA256SUMS"]
    text = "".join(f"{hashlib.sha256(d).hexdigest()}  {m.name}\n" for m, d in files).encode()
    out = []
    for member, data in entries:
        if member.name == "SHA256SUMS":
            member = copy.copy(member)
            member.size, data = len(text), text
        out.append((member, data))
    return out


def main(manager_path, nginx_path):
    manager, nginx = members(manager_path), members(nginx_path)
    store = SECURITY + "wso2carbon.jks"

    other = [(copy.copy(m), b"not the key store" if m.name == store else d) for m, d in manager if m.name == store]
    other[0][0].size = len(other[0][1])
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        archive.addfile(other[0][0], io.BytesIO(other[0][1]))
    with open(manager_path, "rb") as first, open("second-member.tar.gz", "wb") as out:
        out.write(first.read() + gzip.compress(buffer.getvalue()))

    write("symlink.tar.gz", manager + [special(SECURITY + "client-truststore.jks", tarfile.SYMTYPE, linkname="/etc/shadow")])
    write("hardlink.tar.gz", edited(manager, "INSTALL.txt", type=tarfile.LNKTYPE, linkname=store))
    write("fifo.tar.gz", edited(manager, "repository/conf/certificate-config.xml", type=tarfile.FIFOTYPE))
    write("chardev.tar.gz", edited(manager, "conf/iot-api-config.xml", type=tarfile.CHRTYPE, devmajor=1, devminor=5))
    write("directory.tar.gz", [special(SECURITY.rstrip("/"), tarfile.DIRTYPE, mode=0o777)] + manager)
    write("setuid.tar.gz", edited(manager, store, mode=0o4755))
    write("world-writable.tar.gz", edited(manager, "repository/conf/certificate-config.xml", mode=0o666))
    write("owner.tar.gz", edited(manager, SECURITY + "wso2certs.jks", uid=1000, gid=1000))
    write("nginx-key-0644.tar.gz", edited(nginx, "ssl/iots.key", mode=0o644))
    extra = [(m, d) for m, d in nginx if m.name.startswith("ssl/")]
    write("nginx-in-manager.tar.gz", with_checksums(manager[:-1] + extra + manager[-1:]))
    stores = [(m, d) for m, d in manager if m.name.startswith(SECURITY)]
    write("manager-in-nginx.tar.gz", with_checksums(nginx[:-1] + stores + nginx[-1:]))

    config = "repository/conf/certificate-config.xml"
    outside = []
    for member, data in manager:
        if member.name == config:
            data = data.replace(b"${carbon.home}/repository/resources/security/wso2certs.jks", b"/dev/zero")
            member = copy.copy(member)
            member.size = len(data)
        outside.append((member, data))
    write("outside.tar.gz", with_checksums(outside))

    write("owner-name.tar.gz", edited(manager, store, uname="nobody", gname="nogroup"))
    write("trailing-slash.tar.gz", edited(manager, store, name=store + "/"))
    long = SECURITY + "x" * 120
    write("long-link.tar.gz", manager + [special(long, tarfile.REGTYPE, size=0)])
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for member, data in manager:
            archive.addfile(member, io.BytesIO(data) if data is not None else None)
    with open("after-end.tar.gz", "wb") as out:
        out.write(gzip.compress(bytes(1024) + buffer.getvalue()))

    flood = "".join(f"{'0' * 64}  missing/{i}\n" for i in range(300_000)).encode()
    flooded = []
    for member, data in manager:
        if member.name == "SHA256SUMS":
            member = copy.copy(member)
            member.size, data = len(flood), flood
        flooded.append((member, data))
    write("sums-flood.tar.gz", flooded)

    # Names that would print lines of their own, or reorder one: a line end, a carriage return, a bidi override.
    forged = "x\nevil.tar.gz: 0 problem(s), 0 warning(s)\r\u202egz.rat"
    write("forged-lines.tar.gz", manager + [special(forged, tarfile.REGTYPE, size=0)])

    # A GNU long name of 80 MiB: small compressed, past the size limit once read.
    long_name = special("x" * (80 << 20), tarfile.REGTYPE, size=0)
    write("long-name.tar.gz", [long_name])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
