"""Console examples in the hand-written docs pages: run each ``$`` line, show its real output."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from rpnschema.reference._shared import ROOT

# --- console examples in the hand-written pages --------------------------------------------------

_CONSOLE = re.compile(r"^```console\n(.*?)^```$", re.S | re.M)


#: Output as in a plain terminal, whatever the environment says about colours and sizes.
_PLAIN: dict[str, str | None] = {
    "NO_COLOR": "1",
    "FORCE_COLOR": None,
    "TTY_COMPATIBLE": None,
    "TTY_INTERACTIVE": None,
    "COLUMNS": None,
    "LINES": None,
}


def _run_line(command: str, cwd: Path, last: int) -> tuple[str, int]:
    """Run one ``$`` line of a console example in ``cwd``: its output and exit code."""
    from typer.testing import CliRunner

    from rpnschema.cli.app import app

    words = shlex.split(command, comments=True)  # a trailing "# ..." explains the line
    if words == ["echo", "$?"]:
        return f"{last}\n", 0
    if words[0] == "cat" and len(words) == 2:
        return (cwd / words[1]).read_text(), 0
    if words[0] == "python":
        env = {
            **{k: v for k, v in os.environ.items() if k not in _PLAIN},
            "NO_COLOR": "1",
            "PYTHONPATH": os.pathsep.join(
                [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
        }
        done = subprocess.run(
            [sys.executable, *words[1:]], cwd=cwd, env=env, capture_output=True, text=True
        )
        return done.stdout + done.stderr, done.returncode
    if words[0] != "rpnschema":
        raise ValueError(f"console examples run rpnschema, python, cat or echo $?: {command!r}")
    from rpnschema import plugins

    old, loaded = Path.cwd(), set(plugins.registered_names())
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, words[1:], prog_name="rpnschema", env=_PLAIN)
    finally:
        os.chdir(old)
        for name in set(plugins.registered_names()) - loaded:  # --plugin: for this line only
            plugins.unregister(name)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise RuntimeError(f"{command!r} raised {result.exception!r}") from result.exception
    return result.output, result.exit_code


def run_console(block: str, cwd: Path) -> str:
    """A console example with the output of each of its ``$`` lines replaced by the real one."""
    out: list[str] = []
    last = 0
    for line in block.splitlines():
        if not line.startswith("$ "):
            continue
        output, last = _run_line(line[2:], cwd, last)
        out += [line, *(o.rstrip() for o in output.rstrip("\n").splitlines())]
    return "\n".join(out) + "\n"


def sandbox(tmp: Path) -> Path:
    """A directory where ``examples/``, ``schemas/`` and ``tests/`` are those of the checkout."""
    for name in ("examples", "schemas", "tests"):
        (tmp / name).symlink_to(ROOT / name, target_is_directory=True)
    return tmp


def refresh_console(text: str, cwd: Path) -> str:
    """A page with every console example's output regenerated, running them in order in cwd."""
    return _CONSOLE.sub(lambda m: "```console\n" + run_console(m.group(1), cwd) + "```", text)
