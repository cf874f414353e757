"""Cold start of ``rpnschema validate``, side by side with check-jsonschema and pydantic's import.

Every command is a fresh process; the commands alternate within each round (so the load of a
shared machine hits all of them alike) and the medians are compared. Each command's time is the
child's own: CPU (user + system, the steadier figure on a loaded machine) and wall clock.

- ``from pydantic import BaseModel``: ``python -c`` with this interpreter;
- ``rpnschema validate -q FILE`` and the same on 100 files (the examples, copied round-robin);
- ``check-jsonschema --schemafile schemas/rpnschema.schema.json`` on the same file and files;
- with ``--base CHECKOUT``, also ``python -m rpnschema validate -q FILE`` run in that checkout
  (for a before/after comparison, e.g. ``git archive main rpnschema | tar -x -C /tmp/base``),
  next to the same command run in this tree, both with this interpreter.

The three ratios of issue #17 are printed last: one file against check-jsonschema, 100 files
against check-jsonschema, one file against the pydantic import.

Run: ``python benchmarks/bench_cold_validate.py [--spec FILE] [--rounds N]
[--check-jsonschema EXE] [--base CHECKOUT]``.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_validate import SCHEMA, hundred_files  # the same files as its cold start

ROOT = Path(__file__).resolve().parents[1]
PYDANTIC = "from pydantic import BaseModel"


def run_child(cmd: list[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system) of one run of ``cmd``."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd
    )
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = 0  # reaped by wait4
    return wall, usage.ru_utime + usage.ru_stime


def find_check_jsonschema() -> str | None:
    beside = Path(sys.executable).with_name("check-jsonschema")
    return str(beside) if beside.exists() else shutil.which("check-jsonschema")


def rpnschema_command() -> list[str]:
    """How a user runs this tree's ``rpnschema``: the console script, else ``python -m``."""
    script = Path(sys.executable).with_name("rpnschema")
    return [str(script)] if script.exists() else [sys.executable, "-m", "rpnschema"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=ROOT / "examples" / "dual_lphm_mnist.yaml")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--check-jsonschema", default=find_check_jsonschema())
    parser.add_argument("--base", type=Path, help="a checkout to compare this tree with")
    args = parser.parse_args()
    if not args.check_jsonschema:
        parser.error("check-jsonschema not found: pass --check-jsonschema EXE")
    spec = str(args.spec.resolve())
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cj = [args.check_jsonschema, "--schemafile", str(SCHEMA)]
    ours = rpnschema_command()
    with tempfile.TemporaryDirectory() as tmp:
        many = hundred_files(Path(tmp))
        commands: dict[str, tuple[list[str], Path]] = {
            "pydantic import": ([sys.executable, "-c", PYDANTIC], ROOT),
            "rpnschema, 1 file": ([*ours, "validate", "-q", spec], ROOT),
            "check-jsonschema, 1 file": ([*cj, spec], ROOT),
            "rpnschema, 100 files": ([*ours, "validate", "-q", *many], ROOT),
            "check-jsonschema, 100 files": ([*cj, *many], ROOT),
        }
        if args.base:  # `python -m` imports the rpnschema of the folder it runs in
            for name, tree in (("this tree (python -m)", ROOT), ("base (python -m)", args.base)):
                compileall.compile_dir(tree.resolve() / "rpnschema", quiet=1)
                cmd = [sys.executable, "-m", "rpnschema", "validate", "-q", spec]
                commands[name] = (cmd, tree.resolve())
        for cmd, cwd in commands.values():  # warm the byte-code and file caches
            run_child(cmd, env, cwd)
        wall: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, (cmd, cwd) in commands.items():
                w, c = run_child(cmd, env, cwd)
                wall[name].append(w)
                cpu[name].append(c)
    med_wall = {k: statistics.median(v) for k, v in wall.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"cold start, medians of {args.rounds} interleaved rounds ({Path(spec).name}):")
    print(f"  {'command':32s} {'CPU ms':>8s} {'wall ms':>8s}")
    for name in commands:
        print(f"  {name:32s} {med_cpu[name] * 1000:8.1f} {med_wall[name] * 1000:8.1f}")
    print(f"  {'ratio':32s} {'CPU':>8s} {'wall':>8s}  target")
    one, many_ = "rpnschema, 1 file", "rpnschema, 100 files"
    ratios = (
        ("1 file / check-jsonschema", one, "check-jsonschema, 1 file", "0.35"),
        ("100 files / check-jsonschema", many_, "check-jsonschema, 100 files", "0.35"),
        ("1 file / pydantic import", one, "pydantic import", "2.5"),
    )
    if args.base:
        ratios += (("this tree / base", "this tree (python -m)", "base (python -m)", ""),)
    for label, num, den, target in ratios:
        c, w = med_cpu[num] / med_cpu[den], med_wall[num] / med_wall[den]
        goal = f"<= {target}x" if target else ""
        print(f"  {label:32s} {c:7.2f}x {w:7.2f}x  {goal}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
