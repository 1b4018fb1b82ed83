"""Parquet against CSV for one run: file sizes and pandas reading times.

Runs a scenario once with ``--format both`` (the bundled baseline by default: 100,000
agents x 40 replicates) and reads each table both ways with pandas, several times, keeping
the fastest. Prints the figures and exits non-zero when ``timeseries`` is not at least
``--min-ratio`` times smaller and faster to read as Parquet (5 by default)::

    cargo build --release -p civitas-cli
    python3 tests/perf/parquet_vs_csv.py --civitas target/release/civitas

Needs pandas and pyarrow (``pip install pandas pyarrow``); not the civitas package.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

TABLES = ["timeseries", "summary", "target_values", "parameters"]


def fastest(read, repeats):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        read()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--civitas", default="target/release/civitas", help="the civitas binary")
    parser.add_argument("--scenario", help="scenario file (default: the bundled baseline)")
    parser.add_argument("--repeats", type=int, default=3, help="reads per file; the fastest counts")
    parser.add_argument("--min-ratio", type=float, default=5.0)
    parser.add_argument("--out", help="keep the run here instead of a temporary folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out or tmp)
        cmd = [args.civitas, "run"] + ([args.scenario] if args.scenario else [])
        cmd += ["--format", "both", "--out", str(out), "--force"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        run = next(p for p in out.iterdir() if (p / "manifest.json").exists())
        print(f"run: {run.name} (pandas {pd.__version__})")
        print(f"{'table':<14}{'CSV MB':>9}{'Parquet MB':>12}{'smaller':>9}"
              f"{'CSV s':>8}{'Parquet s':>11}{'faster':>8}")
        worst = float("inf")
        for name in TABLES:
            csv, parquet = run / f"{name}.csv", run / f"{name}.parquet"
            if not csv.exists():
                continue
            size = csv.stat().st_size / parquet.stat().st_size
            t_csv = fastest(lambda: pd.read_csv(csv), args.repeats)
            t_pq = fastest(lambda: pd.read_parquet(parquet), args.repeats)
            speed = t_csv / t_pq
            print(f"{name:<14}{csv.stat().st_size / 1e6:>9.2f}{parquet.stat().st_size / 1e6:>12.2f}"
                  f"{size:>8.1f}x{t_csv:>8.3f}{t_pq:>11.3f}{speed:>7.1f}x")
            if name == "timeseries":
                worst = min(size, speed)
        if worst < args.min_ratio:
            print(f"timeseries: {worst:.1f}x is below {args.min_ratio}x", file=sys.stderr)
            return 1
        return 0


if __name__ == "__main__":
    sys.exit(main())
