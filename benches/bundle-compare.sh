#!/usr/bin/env bash
# `iospki bundle` of the largest cluster (1000 hosts: 997 workers and the three default hosts; 1000 nodes with nginx, as the gateway host is no node)
# against `tar -czf` packing the same trees, whole processes in the same run, and bundle's peak memory.
# Usage: benches/bundle-compare.sh [ROUNDS] [OTHER_IOSPKI]   (needs hyperfine and GNU time: apt-get install
# hyperfine time). OTHER_IOSPKI, an earlier build, is measured beside this one (peak memory and time).
# Baselines: one `tar -czf NODE.tar.gz -C NODE .` per node, the same archives bundle makes; and one
# `tar -czf` of all the trees, which has no process per node to pay. Each round alternates which command goes
# first; medians over all runs. Prints a Markdown table (also written to target/bundle-compare/results.md).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
other=${2:-}
runs=3
cargo build --release --quiet
bin=$PWD/target/release/iospki
key=$PWD/examples/demo-throwaway-iots310_wso2_com.key
out=$PWD/target/bundle-compare
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
rm -f "$out"/*.json

cd "$work"
python3 -c '
print("key_bits = 2048\n[hosts]")
print("workers = [" + ", ".join(f"\"w{i}.iot.example.org\"" for i in range(997)) + "]")' > iospki.toml
"$bin" init --config iospki.toml --key "$key" >/dev/null 2>&1
"$bin" bundle --out trees >/dev/null
(cd trees && ls -d */ | tr -d / > ../nodes)
test "$(wc -l < nodes)" -eq 1000

per_node="cd $work/trees && while read -r n; do tar -czf $work/tar/\$n.tar.gz -C \$n .; done < $work/nodes"
all_trees="tar -czf $work/all.tar.gz -C $work/trees ."
ours="$bin bundle --out $work/b"
commands=("$per_node" "$all_trees" "$ours")
[ -n "$other" ] && commands+=("$other bundle --out $work/b")
# Earlier outputs are moved aside, not removed: ext4 makes a new inode cost more while many were deleted in the
# last minute (ialloc.c, recently_deleted), which ten thousand files removed just before would charge to bundle.
# They are removed between rounds, a minute before the next.
prepare="mkdir -p $work/old && for f in b tar all.tar.gz; do [ ! -e $work/\$f ] || mv $work/\$f $work/old/\$RANDOM\$RANDOM; done && mkdir $work/tar && sync"
for round in $(seq 1 "$rounds"); do
    rm -rf "$work/old" && sync && sleep 65
    order=("${commands[@]}")
    if ! ((round % 2)); then order=(); for ((i=${#commands[@]}-1; i>=0; i--)); do order+=("${commands[$i]}"); done; fi
    hyperfine --style none --shell bash --runs "$runs" --prepare "$prepare" \
        --export-json "$out/round-$round.json" "${order[@]}" >/dev/null
done

peak() { mv "$work/b" "$work/old/peak$RANDOM"; /usr/bin/time -f %M "$1" bundle --out "$work/b" 2>&1 >/dev/null | tail -1; }
peak_ours=$(peak "$bin")
peak_other=$([ -n "$other" ] && peak "$other" || echo "")

python3 - "$out" "$bin" "$other" "$peak_ours" "$peak_other" "$(nproc)" "$(uname -m)" <<'PY' | tee "$out/results.md"
import glob, json, os, statistics, sys
out, bin, other, peak_ours, peak_other, cores, arch = sys.argv[1:]
times = {}
for path in glob.glob(os.path.join(out, "round-*.json")):
    for result in json.load(open(path))["results"]:
        command = result["command"]
        name = ("tar per node" if "while read" in command else "tar of all trees" if "all.tar.gz" in command
                else "iospki bundle" if command.startswith(bin + " ") else "earlier iospki bundle")
        times.setdefault(name, []).extend(result["times"])
median = {name: statistics.median(t) for name, t in times.items()}
print(f"Machine: {cores} cores, {arch}; 1000 nodes; medians over all runs of every round.\n")
print("| command | median | iospki bundle / it |")
print("| --- | ---: | ---: |")
for name in ["tar per node", "tar of all trees", "earlier iospki bundle", "iospki bundle"]:
    if name in median:
        print(f"| {name} | {median[name]:.2f} s | {median['iospki bundle'] / median[name]:.2f}x |")
print(f"\nPeak memory (max RSS) of iospki bundle: {int(peak_ours) / 1024:.1f} MiB", end="")
print(f"; earlier build: {int(peak_other) / 1024:.1f} MiB." if peak_other else ".")
PY
