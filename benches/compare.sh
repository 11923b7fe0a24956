#!/usr/bin/env bash
# iospki against the openssl + keytool way, whole processes on the same machine in the same run.
# Usage: benches/compare.sh [ROUNDS]   (needs hyperfine, openssl, keytool, python3; apt-get install hyperfine)
# Each pair runs in ROUNDS hyperfine rounds, alternating which goes first, and the medians are taken over all runs.
# Prints a Markdown table (also written to target/compare/results.md).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
runs=3
cargo build --release --quiet
bin=$PWD/target/release/iospki
key=$PWD/examples/demo-throwaway-iots310_wso2_com.key
out=$PWD/target/compare
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
rm -f "$out"/*.json

# A 150-entry JKS truststore made by keytool: the system's 144 CAs and 6 more.
cp keystores/truststore-cacerts.jks "$work/truststore-150.jks"
for i in 1 2 3 4 5 6; do
    openssl req -x509 -newkey rsa:2048 -nodes -keyout /dev/null -subj "/CN=extra CA $i" -days 30 -out "$work/extra$i.crt" 2>/dev/null
    keytool -importcert -noprompt -storetype JKS -keystore "$work/truststore-150.jks" -storepass changeit \
        -alias "extra-$i" -file "$work/extra$i.crt" >/dev/null 2>&1
done
printf 'changeit\n' > "$work/pw"

# pair NAME "BASELINE COMMAND" "IOSPKI COMMAND"
pair() {
    local name=$1 base=$2 ours=$3
    for round in $(seq 1 "$rounds"); do
        if ((round % 2)); then first=$base second=$ours; else first=$ours second=$base; fi
        hyperfine --style none --runs "$runs" --warmup 1 --export-json "$out/$name-$round.json" "$first" "$second" >/dev/null
    done
}

pair init "bash benches/documented-procedure.sh $work/script $key" "$bin init --key $key --out $work/iospki --force"
pair genrsa "openssl genrsa -out $work/k.pem 4096" "$bin genkey --out $work/k2.pem --force"
pair list150 "keytool -list -v -storetype JKS -keystore $work/truststore-150.jks -storepass changeit" \
    "$bin inspect --password-file $work/pw $work/truststore-150.jks"

# rotate --ssl alone (no baseline: the script has no renewal), each run on a fresh copy of the same set.
mkdir -p "$work/rot-template"
"$bin" init --key "$key" --out "$work/rot-template/output" >/dev/null 2>&1
hyperfine --style none --runs $((rounds * runs)) --warmup 1 \
    --prepare "rm -rf $work/rot && cp -a $work/rot-template $work/rot" \
    --export-json "$out/rotate-only.json" "$bin rotate --ssl $work/rot/output" >/dev/null

peak_kb=$(python3 -c '
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$bin" init --key "$key" --out "$work/peak" --force)

python3 - "$out" "$peak_kb" "$(nproc)" "$(uname -m)" <<'PY' | tee "$out/results.md"
import glob, json, os, statistics, sys
out, peak_kb, cores, arch = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
times = {}
for path in sorted(glob.glob(os.path.join(out, "*.json"))):
    if path.endswith("rotate-only.json"):
        continue
    name = os.path.basename(path).rsplit("-", 1)[0]
    for result in json.load(open(path))["results"]:
        ours = "/iospki " in result["command"]
        times.setdefault((name, ours), []).extend(result["times"])
labels = {
    "init": ("documented openssl + keytool script", "iospki init", "at most 0.2x"),
    "genrsa": ("openssl genrsa 4096", "iospki genkey (RSA-4096)", "at most 1x"),
    "list150": ("keytool -list -v, 150-entry JKS", "iospki inspect, same file", "at most 0.05x"),
}
print(f"Machine: {cores} cores, {arch}; medians over all runs of every round.\n")
print("| job | baseline | median | iospki | median | ratio | target |")
print("| --- | --- | ---: | --- | ---: | ---: | --- |")
for name, (base, ours, target) in labels.items():
    b = statistics.median(times[(name, False)])
    o = statistics.median(times[(name, True)])
    print(f"| {name} | {base} | {b*1000:.0f} ms | {ours} | {o*1000:.1f} ms | {o/b:.3f}x | {target} |")
rotate = statistics.median(json.load(open(os.path.join(out, "rotate-only.json")))["results"][0]["times"])
print(f"| rotate | (none) | | iospki rotate --ssl, keys kept | {rotate*1000:.1f} ms | | under 100 ms |")
print(f"\nPeak memory (max RSS) of `iospki init`: {peak_kb/1024:.1f} MB (target: under 30 MB).")
PY
