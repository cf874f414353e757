"""CI benchmark: `rpnschema validate` vs `check-jsonschema` on the same 100 spec files.

Both are run as fresh processes (cold start, as in CI), alternating, and the medians are
compared. rpnschema does strictly more (structure plus dimensions, allocations and budgets).
Run: ``python benchmarks/bench_ci.py [--rounds N] [--files N]``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schemas" / "rpnschema.schema.json"


def make_files(directory: Path, count: int) -> list[Path]:
    """``count`` spec files: the examples, renamed, with varied seeds."""
    examples = sorted(p for p in (ROOT / "examples").glob("*.yaml"))
    files = []
    for i in range(count):
        src = examples[i % len(examples)]
        text = src.read_text().replace("\nseed: ", f"\nseed: {i}")
        path = directory / f"spec_{i:03d}.yaml"
        path.write_text(text)
        files.append(path)
    return files


def _tool(name: str) -> str:
    return shutil.which(name) or str(Path(sys.executable).with_name(name))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--files", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = [str(p) for p in make_files(Path(tmp), args.files)]
        commands = {
            "rpnschema validate": [_tool("rpnschema"), "validate", "-q", *files],
            "check-jsonschema": [_tool("check-jsonschema"), "--schemafile", str(SCHEMA), *files],
        }
        times: dict[str, list[float]] = {k: [] for k in commands}
        for _ in range(args.rounds):
            for name, cmd in commands.items():
                start = time.perf_counter()
                out = subprocess.run(cmd, capture_output=True, text=True)
                times[name].append(time.perf_counter() - start)
                if out.returncode != 0:
                    print(f"{name} failed:\n{out.stdout}{out.stderr}", file=sys.stderr)
                    return 1
    medians = {k: statistics.median(v) for k, v in times.items()}
    base = medians["check-jsonschema"]
    print(f"{args.files} spec files, cold start, median of {args.rounds} alternating runs:")
    for name, t in medians.items():
        print(f"  {name:20s} {t * 1000:8.1f} ms  {t / base:5.2f}x check-jsonschema")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
