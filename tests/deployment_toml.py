"""deployment.toml as the tests read it, with Python's tomllib (a TOML 1.0 parser, not iospki's).

    python3 tests/deployment_toml.py json FILE
        FILE parsed, as JSON on standard output.
    python3 tests/deployment_toml.py merge SHIPPED OURS OUT
        What an operator does with deployment-security.toml: SHIPPED without the tables OURS defines (each such
        header and its lines up to the next table header; TOML allows a table once), then OURS appended; the
        result written to OUT, then parsed to prove it is TOML.

A table of OURS that SHIPPED only has commented out (#[keystore.internal]) stays there as a comment.
"""

import json
import re
import sys
import tomllib

HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def tables(text):
    """The names of the tables a TOML text defines by header."""
    return {m.group(1) for m in map(HEADER.match, text.splitlines()) if m}


def without(text, names):
    """`text` without the tables in `names`, each from its header to the next header."""
    kept, dropping = [], False
    for line in text.splitlines(keepends=True):
        match = HEADER.match(line)
        if match:
            dropping = match.group(1) in names
        if not dropping:
            kept.append(line)
    return "".join(kept)


def main(args):
    if args[:1] == ["json"] and len(args) == 2:
        with open(args[1], "rb") as f:
            json.dump(tomllib.load(f), sys.stdout, indent=1, sort_keys=True)
        return 0
    if args[:1] == ["merge"] and len(args) == 4:
        with open(args[1], encoding="utf-8") as f:
            shipped = f.read()
        with open(args[2], encoding="utf-8") as f:
            ours = f.read()
        merged = without(shipped, tables(ours)).rstrip("\n") + "\n\n" + ours
        tomllib.loads(merged)
        with open(args[3], "w", encoding="utf-8") as f:
            f.write(merged)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
