"""Wall time, peak RSS and exit code of ``rpnschema validate`` on each adversarial input class.

Run: ``python benchmarks/bench_hardening.py [--before "COMMAND"] [--timeout S]``. Each input of
:data:`rpnschema.adversarial.CLASSES` is written to a temporary file and validated by a fresh
process of this checkout's CLI (``after``) and, with ``--before``, of another command line (a
shell-quoted string), e.g. an older checkout exported with ``git archive 0d1921f rpnschema |
tar -x -C /tmp/before`` and run as ``"env PYTHONPATH=/tmp/before .venv/bin/python -m
rpnschema"``; the two alternate so that machine noise hits both alike. Wall and CPU time
(user + system) and peak RSS are the child's own (``os.wait4``); a run past ``--timeout`` is
killed and shown as ``> T s``. The first row is the floor: a small valid example.
Prints a Markdown table (see BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rpnschema.adversarial import CLASSES  # noqa: E402

AFTER = [sys.executable, "-m", "rpnschema"]


def measure(command: list[str], path: Path, timeout: float) -> tuple[float, float, int, int | None]:
    """(wall seconds, CPU seconds, peak RSS in KiB, exit code or None when killed at the
    timeout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*command, "validate", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        cwd=path.parent,  # not the checkout: ``python -m`` puts the working directory first
    )
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        os.killpg(proc.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, kill)
    timer.start()
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if b"Traceback" in err and not killed.is_set():
        print(f"  traceback: {err.decode(errors='replace').strip().splitlines()[-1]}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss, None if killed.is_set() else proc.returncode


def _cell(seconds: float, cpu: float, kib: int, code: int | None, timeout: float) -> str:
    if code is None:
        return f"> {timeout:.0f} s (killed) | {cpu:.2f} s | {kib / 1024:.0f} MiB | —"
    return f"{seconds:.2f} s | {cpu:.2f} s | {kib / 1024:.0f} MiB | {code}"


def write_documents(directory: Path, names: list[str]) -> None:
    """Write each class's document as ``directory/<name><suffix>``."""
    for name in names:
        suffix, text = CLASSES[name][1]()
        (directory / f"{name}{suffix}").write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", help="another rpnschema command line to compare with")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--only", nargs="*", help="class names to run")
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    names = args.only or list(CLASSES)
    if args.write is not None:
        write_documents(args.write, names)
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        # Another process writes the documents: Linux carries a parent's peak RSS over fork and
        # exec into the child's, so this process must stay small while it measures.
        subprocess.run([sys.executable, __file__, "--write", tmp, "--only", *names], check=True)
        # The floor: starting the CLI and validating a small valid example.
        baseline = ROOT / "examples" / "iris_perceptron.yaml"
        before = measure(shlex.split(args.before), baseline, args.timeout) if args.before else None
        after = measure(AFTER, baseline, args.timeout)
        size = baseline.stat().st_size
        rows.append(("baseline", "a valid example (the CLI's start-up)", size, before, after))
        for name in names:
            description = CLASSES[name][0]
            path = next(Path(tmp).glob(f"{name}.*"))
            before = measure(shlex.split(args.before), path, args.timeout) if args.before else None
            after = measure(AFTER, path, args.timeout)
            size = path.stat().st_size
            print(f"{name}: before {before}, after {after}", file=sys.stderr)
            rows.append((name, description, size, before, after))
    head = "| input class | bytes |"
    if args.before:
        head += " before: wall | CPU | peak RSS | exit |"
    head += " after: wall | CPU | peak RSS | exit |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for name, description, size, before, after in rows:
        line = f"| {name}: {description} | {size:,} |"
        if before is not None:
            line += f" {_cell(*before, args.timeout)} |"
        line += f" {_cell(*after, args.timeout)} |"
        print(line)


if __name__ == "__main__":
    main()
