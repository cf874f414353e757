"""Validation benchmarks: in-process throughput and CLI cold start.

Run: ``python benchmarks/bench_validate.py [--rounds N]``. Cold-start figures are measured side
by side in one run (the commands alternate, so machine noise hits both alike) and reported as
medians and ratios, never as absolute claims.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*") if p.suffix in (".yaml", ".json"))


def throughput(seconds: float) -> tuple[float, float]:
    """(specs/s from parsed data, specs/s from text incl. YAML/JSON parsing) over the examples."""
    from rpnschema import io, validate_data, validate_text

    texts = [(p.read_text(), p.name) for p in EXAMPLES]
    docs = [io.parse(t, file=n) for t, n in texts]
    for doc in docs:  # warm up
        assert validate_data(doc.data, document=doc).ok

    def rate(fn) -> float:
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            fn()
            count += len(EXAMPLES)
        return count / (time.perf_counter() - start)

    data_rate = rate(lambda: [validate_data(d.data) for d in docs])
    text_rate = rate(lambda: [validate_text(t, file=n) for t, n in texts])
    return data_rate, text_rate


def cold_start(rounds: int) -> dict[str, float]:
    """Median wall time of each command, interleaved."""
    exe = shutil.which("rpnschema") or str(Path(sys.executable).with_name("rpnschema"))
    spec = str(EXAMPLES[0])
    commands = {
        "python -c 'import pydantic'": [sys.executable, "-c", "import pydantic"],
        "python -c 'pass'": [sys.executable, "-c", "pass"],
        f"rpnschema validate {Path(spec).name}": [exe, "validate", "-q", spec],
        f"rpnschema validate examples/* ({len(EXAMPLES)} files)": [
            exe,
            "validate",
            "-q",
            *map(str, EXAMPLES),
        ],
    }
    times: dict[str, list[float]] = {k: [] for k in commands}
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    for _ in range(rounds):
        for name, cmd in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, check=False, capture_output=True, env=env)
            times[name].append(time.perf_counter() - start)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    data_rate, text_rate = throughput(args.seconds)
    print(f"in-process validation over {len(EXAMPLES)} examples:")
    print(f"  from parsed data : {data_rate:8.0f} specs/s")
    print(f"  from text        : {text_rate:8.0f} specs/s")
    medians = cold_start(args.rounds)
    base = medians["python -c 'import pydantic'"]
    print(f"cold start, median of {args.rounds} interleaved runs:")
    for name, t in medians.items():
        print(f"  {name:55s} {t * 1000:7.1f} ms  {t / base:5.2f}x import pydantic")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
