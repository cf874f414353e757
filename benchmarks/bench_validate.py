"""Validation benchmarks: in-process throughput and CLI cold start.

Run: ``python benchmarks/bench_validate.py [--rounds N]``. Cold-start figures are measured side
by side in one run (the commands alternate, so machine noise hits both alike) and reported as
medians and ratios, never as absolute claims.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
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


SCHEMA = ROOT / "schemas" / "rpnschema.schema.json"


def hundred_files(folder: Path) -> list[str]:
    """100 spec files (the examples, copied round-robin) for the many-files comparison."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(100):
        src = EXAMPLES[i % len(EXAMPLES)]
        dst = folder / f"{i:03d}_{src.name}"
        dst.write_text(src.read_text())
        paths.append(str(dst))
    return paths


def cold_start(
    rounds: int, check_jsonschema: str | None, tmp: Path
) -> tuple[dict[str, float], dict[str, float]]:
    """Median wall time and median CPU time (user + system, which a loaded machine disturbs
    less) of each command, interleaved. ``check_jsonschema``: that executable validates the
    same files against the shipped JSON Schema, side by side."""
    exe = shutil.which("rpnschema") or str(Path(sys.executable).with_name("rpnschema"))
    spec = str(EXAMPLES[0])
    many = hundred_files(tmp)
    commands = {
        "python -c 'import pydantic'": [sys.executable, "-c", "import pydantic"],
        "python -c 'from pydantic import BaseModel'": [
            sys.executable,
            "-c",
            "from pydantic import BaseModel",
        ],
        "python -c 'pass'": [sys.executable, "-c", "pass"],
        f"rpnschema validate {Path(spec).name}": [exe, "validate", "-q", spec],
        f"rpnschema validate examples/* ({len(EXAMPLES)} files)": [
            exe,
            "validate",
            "-q",
            *map(str, EXAMPLES),
        ],
        "rpnschema validate (100 files)": [exe, "validate", "-q", *many],
    }
    if check_jsonschema:
        cj = [check_jsonschema, "--schemafile", str(SCHEMA)]
        commands[f"check-jsonschema {Path(spec).name}"] = [*cj, spec]
        commands["check-jsonschema (100 files)"] = [*cj, *many]
    times: dict[str, list[float]] = {k: [] for k in commands}
    cpu: dict[str, list[float]] = {k: [] for k in commands}
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    for _ in range(rounds):
        for name, cmd in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(cmd, check=False, capture_output=True, env=env)
            times[name].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    wall = {k: statistics.median(v) for k, v in times.items()}
    return wall, {k: statistics.median(v) for k, v in cpu.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument(
        "--check-jsonschema",
        default=shutil.which("check-jsonschema"),
        help="check-jsonschema executable to compare with (default: the one on PATH, if any)",
    )
    args = parser.parse_args()
    data_rate, text_rate = throughput(args.seconds)
    print(f"in-process validation over {len(EXAMPLES)} examples:")
    print(f"  from parsed data : {data_rate:8.0f} specs/s")
    print(f"  from text        : {text_rate:8.0f} specs/s")
    with tempfile.TemporaryDirectory() as tmp:
        wall, cpu = cold_start(args.rounds, args.check_jsonschema, Path(tmp))
    for label, medians in (("wall", wall), ("CPU", cpu)):
        base = medians["python -c 'from pydantic import BaseModel'"]
        print(f"cold start, {label} time, median of {args.rounds} interleaved runs:")
        for name, t in medians.items():
            print(f"  {name:55s} {t * 1000:7.1f} ms  {t / base:5.2f}x BaseModel import")
        one = f"check-jsonschema {EXAMPLES[0].name}"
        if one in medians:
            ours = f"rpnschema validate {EXAMPLES[0].name}"
            print(f"  rpnschema / check-jsonschema, one file: {medians[ours] / medians[one]:.2f}x")
            many = medians["rpnschema validate (100 files)"]
            ratio = many / medians["check-jsonschema (100 files)"]
            print(f"  rpnschema / check-jsonschema, 100 files: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
