"""Cold start of ``rpnschema validate examples/iris_perceptron.yaml`` before and after a change
to the catalog, side by side.

Run: ``python benchmarks/bench_startup_families.py --base REF [--rounds N]``. The base
revision's sources are exported (``git archive REF``) to a temporary folder and run with this
interpreter through PYTHONPATH, so both sides share the Python, the packages and the machine;
the two commands alternate in every round, and the script reports the medians and their ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "examples" / "iris_perceptron.yaml"


def export(ref: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "rpnschema"], check=True, capture_output=True
    ).stdout
    path = into / "base.tar"
    path.write_bytes(archive)
    with tarfile.open(path) as tar:
        tar.extractall(into, filter="data")
    return into


def run(pythonpath: Path, rounds: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    cmd = [sys.executable, "-m", "rpnschema", "validate", "-q", str(SPEC)]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="main", help="git revision to compare with")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = export(args.base, Path(tmp))
        sides = {"base": base, "this tree": ROOT}
        for side in sides.values():  # warm the bytecode caches
            run(side, 1)
        times: dict[str, list[float]] = {k: [] for k in sides}
        for _ in range(args.rounds):
            for name, side in sides.items():
                times[name].append(run(side, 1))
    med = {k: statistics.median(v) for k, v in times.items()}
    for name, value in med.items():
        print(f"{name:10s} median {value:.3f} s over {args.rounds} rounds")
    print(f"ratio this tree / base: {med['this tree'] / med['base']:.3f}")


if __name__ == "__main__":
    main()
