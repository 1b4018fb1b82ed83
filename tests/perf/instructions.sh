#!/usr/bin/env bash
# Instructions and mispredicted branches per resident-tick of the resident pass, counted
# by callgrind: deterministic, where wall time on a shared machine varies by tens of per
# cent from run to run. Use it to compare two versions of the engine (run it at each
# commit); `civitas bench` gives the wall-time figures. Not run by CI.
#
#   tests/perf/instructions.sh [AGENTS] [SCENARIO]      (default 20000, the baseline)
#   CIVITAS_BINARY=/path/to/civitas tests/perf/instructions.sh      (another build)
#
# Needs valgrind (`apt-get install valgrind`) and a release build (`cargo build
# --release`). One replicate on one thread; only the instructions executed inside
# `civitas_engine::pass::resident_pass` (and what it calls) are counted, so set-up,
# output and plots do not dilute the figure. About 40 s for 20,000 agents.
set -euo pipefail
cd "$(dirname "$0")/../.."
agents=${1:-20000}
scenario=${2:-scenarios/baseline.toml}
binary=${CIVITAS_BINARY:-target/release/civitas}
command -v valgrind >/dev/null || { echo "instructions.sh: needs valgrind" >&2; exit 2; }
[ -x "$binary" ] || { echo "instructions.sh: build first: cargo build --release" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

valgrind --tool=callgrind --branch-sim=yes \
  --toggle-collect='civitas_engine::pass::resident_pass' \
  --callgrind-out-file="$work/callgrind.out" \
  "$binary" run "$scenario" --agents "$agents" --replicates 1 --threads 1 \
  --out "$work/run" >/dev/null 2>"$work/log"
# Ticks: the distinct `tick` values of the run's time series (third column). Resident-ticks
# are counted with the starting population (the open population drifts by a few per cent).
ticks=$(awk -F, 'NR > 1 { print $3 }' "$work"/run/*/timeseries.csv | sort -u | wc -l)
read -r ir _ bcm _ bim < <(sed -n 's/^==[0-9]*== Collected : //p' "$work/log")
if [ "${ir:-0}" -eq 0 ]; then
  echo "instructions.sh: nothing counted: is civitas_engine::pass::resident_pass still the pass?" >&2
  exit 1
fi
awk -v ir="$ir" -v miss="$((bcm + bim))" -v n="$agents" -v t="$ticks" 'BEGIN {
  rt = n * t
  printf "%d agents x %d ticks: %.1f instructions and %.3f mispredicted branches per resident-tick\n", n, t, ir / rt, miss / rt
}'
