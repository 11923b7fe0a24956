#!/usr/bin/env bash
# How cost grows with size: JKS write and read (criterion, in-process) and `iospki check` over a directory of
# certificate files (hyperfine, whole process), from 1 to 10,000 (JKS to 100,000). Plots target/growth/growth.png
# (log-log, with a line of slope 1 for reference) and prints the cost per entry, which stays flat when growth is
# linear. JKS cost is SHA-1 over the store's bytes: per entry it steps up once the store outgrows the CPU cache
# (between 1,000 and 10,000 entries), then stays flat, which the 100,000 point shows.
# Usage: benches/growth.sh   (needs gnuplot and hyperfine: apt-get install gnuplot-nox hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$PWD/target/growth
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo bench --quiet --bench keystores -- --quick 'jks/' >/dev/null
cargo build --release --quiet
bin=$PWD/target/release/iospki

# check: N copies of one real certificate file, each a separate file to open, parse and report.
"$bin" init --key examples/demo-throwaway-iots310_wso2_com.key --out "$work/set" --key-bits 2048 >/dev/null 2>&1
for n in 1 10 100 1000 10000; do
    mkdir -p "$work/certs-$n"
    for i in $(seq 1 "$n"); do cp "$work/set/ia.crt" "$work/certs-$n/c$i.crt"; done
    hyperfine -N --style none --runs 5 --warmup 1 --export-json "$out/check-$n.json" "$bin check $work/certs-$n" >/dev/null
done

python3 - "$out" <<'PY'
import json, math, os, statistics, sys
out = sys.argv[1]
crit = os.path.join(os.path.dirname(out), "criterion", "jks")
def jks(op, n):
    path = os.path.join(crit, op, str(n), "new", "estimates.json")
    return json.load(open(path))["median"]["point_estimate"] / 1e6

def check(n):
    path = os.path.join(out, f"check-{n}.json")
    return statistics.median(json.load(open(path))["results"][0]["times"]) * 1000 if os.path.exists(path) else float("nan")

sizes = [1, 10, 100, 1000, 10000, 100000]
rows = [(n, jks("write", n), jks("read", n), check(n)) for n in sizes]
with open(os.path.join(out, "growth.dat"), "w") as f:
    for row in rows:
        f.write(" ".join("nan" if v != v else f"{v}" for v in row) + "\n")
print("| entries | JKS write | JKS read | check (whole process) |")
print("| ---: | ---: | ---: | ---: |")
for n, w, r, c in rows:
    shown = "" if c != c else f"{c:.1f} ms ({c*1000/n:.1f} µs/file)"
    print(f"| {n} | {w:.3f} ms ({w*1000/n:.2f} µs/entry) | {r:.3f} ms ({r*1000/n:.2f} µs/entry) | {shown} |")
# The log-log slope over the last tenfold step measured: 1 is linear, 2 quadratic.
for name, col, a, b in (("JKS write", 1, 4, 5), ("JKS read", 2, 4, 5), ("check", 3, 3, 4)):
    slope = math.log(rows[b][col] / rows[a][col]) / math.log(sizes[b] / sizes[a])
    verdict = "linear" if slope < 1.5 else "QUADRATIC STEP"
    print(f"{name}: log-log slope {slope:.2f} from {sizes[a]:,} to {sizes[b]:,}: {verdict}")
PY

gnuplot <<GP
set terminal pngcairo size 900,560
set output "$out/growth.png"
set logscale xy
set xlabel "entries (JKS) / certificate files (check)"
set ylabel "time (ms)"
set key top left
set grid
set title "iospki: cost against size (log-log; slope 1 = linear)"
plot "$out/growth.dat" using 1:2 with linespoints title "JKS write (in-process)", \
     "$out/growth.dat" using 1:3 with linespoints title "JKS read (in-process)", \
     "$out/growth.dat" using 1:4 with linespoints title "iospki check over a directory", \
     "$out/growth.dat" using 1:(\$1 * 0.01) with lines dashtype 2 title "slope 1 (reference)"
GP
echo "plot: $out/growth.png"
