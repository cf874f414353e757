"""Architecture pictures in the hand-written docs pages, drawn by ``rpnschema graph``.

A ```` ```mermaid ```` block whose first line is ``%% rpnschema graph ARGS`` (a mermaid comment)
holds that command's output: ``--write`` replaces the rest of the block with the real one, and
tests/test_docs.py fails when a picture is stale. mkdocs-material renders the blocks.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from rpnschema.reference.console import _run_line

_MERMAID = re.compile(r"^```mermaid\n(%% (rpnschema graph [^\n]*))\n(.*?)^```$", re.S | re.M)


def diagram_commands(text: str) -> list[str]:
    """The ``rpnschema graph`` commands of a page's pictures, in order."""
    return [m.group(2) for m in _MERMAID.finditer(text)]


def refresh_diagrams(text: str, cwd: Path) -> str:
    """A page with every picture redrawn by its command (run in ``cwd``)."""

    def draw(match: re.Match[str]) -> str:
        header, command = match.group(1), match.group(2)
        if "-f" in shlex.split(command) or "--format" in command:
            raise ValueError(f"a picture is drawn in mermaid, the default format: {command!r}")
        output, code = _run_line(command, cwd, 0)
        if code != 0:
            raise ValueError(f"{command!r} exited with {code}:\n{output}")
        return f"```mermaid\n{header}\n{output.rstrip()}\n```"

    return _MERMAID.sub(draw, text)
