"""1,000 England replicates from Python against the command line.

Times `stpsim run baseline --replicates 1000 --no-charts` (the simulation,
summaries and CSV files) and `stpsim.run("baseline", replicates=1000)` (the
simulation, summaries and data frames), best of a few repeats each, and the
latter again with `Results.write` so both produce the same files. The target
is Python within 10% of the command line. A benchmark, not a test: run it on
a quiet machine.

    python python/examples/benchmark_england.py [--replicates N] [--repeats K] [--stpsim PATH]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

import stpsim

ROOT = Path(__file__).resolve().parents[2]


def best(f, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--stpsim", default=os.environ.get("STPSIM_BIN", str(ROOT / "target" / "release" / "stpsim")))
    a = ap.parse_args()
    n, k, threads = a.replicates, a.repeats, a.threads

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [a.stpsim, "run", "baseline", "--replicates", str(n), "--seed", "2016", "--threads", str(threads),
               "--quiet", "--no-charts", "--out", str(Path(tmp) / "cli")]
        cli = best(lambda: subprocess.run(cmd, check=True), k)
        py = best(lambda: stpsim.run("baseline", replicates=n, seed=2016, threads=threads), k)
        py_files = best(lambda: stpsim.run("baseline", replicates=n, seed=2016, threads=threads).write(Path(tmp) / "py"), k)
        same = (Path(tmp) / "cli" / "timeseries.csv").read_bytes() == (Path(tmp) / "py" / "timeseries.csv").read_bytes()

    print(f"{n} England replicates of baseline, {threads} threads, best of {k}:")
    print(f"  command line (files)          {cli:8.2f} s")
    print(f"  Python (data frames)          {py:8.2f} s   {py / cli - 1:+.1%}")
    print(f"  Python (data frames + files)  {py_files:8.2f} s   {py_files / cli - 1:+.1%}")
    print(f"  timeseries.csv identical: {same}")
    print("  within 10% of the command line:", "yes" if py <= 1.10 * cli else "NO")


if __name__ == "__main__":
    main()
