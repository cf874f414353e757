"""Cold-start `rpnschema validate SPEC` of two checkouts, side by side (CPU seconds).

Each run is a fresh interpreter (this venv's python) started in a checkout's root, so that it
imports that checkout's ``rpnschema``; the checkouts alternate and the medians are compared.
Byte code is compiled first in both, as an installed package has it. Used to check that the
compression family (built only when a document names one) leaves specs without one as fast.

Run: ``python benchmarks/bench_cold_validate.py BASE_CHECKOUT [--spec FILE] [--rounds N]``
(e.g. ``git worktree add /tmp/base main`` for BASE_CHECKOUT).
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_CODE = (
    "import sys, time\n"
    "from rpnschema.cli import main\n"
    "sys.argv = ['rpnschema', 'validate', sys.argv[1]]\n"
    "try:\n    main()\nexcept SystemExit:\n    pass\n"
    "print('CPU', time.process_time())\n"
)


def cpu_seconds(checkout: Path, spec: Path) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run(
        [sys.executable, "-c", _CODE, str(spec)],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    return float(out.rsplit("CPU", 1)[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path, help="the checkout to compare against")
    parser.add_argument("--spec", type=Path, default=ROOT / "examples" / "iris_perceptron.yaml")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    checkouts = {"base": args.base.resolve(), "this": ROOT}
    for path in checkouts.values():
        compileall.compile_dir(path / "rpnschema", quiet=1)
    times: dict[str, list[float]] = {name: [] for name in checkouts}
    for _ in range(args.rounds):
        for name, path in checkouts.items():
            times[name].append(cpu_seconds(path, args.spec.resolve()))
    base, this = (statistics.median(times[n]) for n in ("base", "this"))
    print(f"cold `rpnschema validate {args.spec.name}`, CPU seconds, median of {args.rounds}:")
    print(f"  base {base:.3f}  this {this:.3f}  ratio this/base {this / base:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
