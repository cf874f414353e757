"""``rpnschema validate FILE...`` without the CLI framework, for its common case.

The command line of a CI job or the pre-commit hook (``validate`` followed by spec files, with
``-q``/``--quiet`` or ``--strict`` at most) is checked and reported here with exactly the
functions the Typer command calls, so its output and exit code are the same; importing Typer
and building its command would cost about as much as the validation itself. Anything else (any
other option, a directory, standard input, ``--help``, plugins to load) returns ``None``, and the
Typer application runs instead.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import sys
from pathlib import Path

from rpnschema.cli.checks import check_file, exit_code
from rpnschema.infer import Limits
from rpnschema.report import render_text

_FLAGS = {"-q": "quiet", "--quiet": "quiet", "--strict": "strict"}
#: Click removes ANSI styles from what it writes to anything but a terminal.
_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")


def _plain_files(args: list[str]) -> tuple[list[Path], set[str]] | None:
    """The files and flags of ``args``, or None when they are not the common case."""
    files: list[Path] = []
    flags: set[str] = set()
    for arg in args:
        if arg in _FLAGS:
            flags.add(_FLAGS[arg])
        elif arg.startswith("-") or not os.path.isfile(arg):
            return None
        else:
            files.append(Path(arg))
    return (files, flags) if files else None


def _plain_stdout() -> bool:
    """Whether standard output is what Click would write to as is (a UTF-8 text stream, say)."""
    encoding = getattr(sys.stdout, "encoding", None)
    return bool(encoding) and codecs.lookup(encoding).name != "ascii"


def validate_fast(args: list[str]) -> int | None:
    """Run ``rpnschema validate ARGS`` and return its exit code; None when ``args`` (or the
    environment: plugins to load, shell completion) need the full command line."""
    if "RPNSCHEMA_PLUGINS" in os.environ or any(k.startswith("_RPNSCHEMA") for k in os.environ):
        return None
    parsed = _plain_files(args)
    if parsed is None or not _plain_stdout():
        return None
    files, flags = parsed
    limits = Limits()
    reports = [check_file(f, limits, "strict" in flags)[0] for f in files]
    text = render_text(reports, show_notices="quiet" not in flags)
    if not sys.stdout.isatty():
        text = _ANSI.sub("", text)
    try:
        if text:
            sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as e:  # as Click does: a closed pipe (| head) ends the command quietly
        if e.errno != errno.EPIPE:
            raise
        return _closed_pipe()
    return exit_code(reports)


def _closed_pipe() -> int:
    class _Quiet:
        """Standard output whose flush ignores the closed pipe (Click's PacifyFlushWrapper)."""

        def __init__(self, stream: object) -> None:
            self.stream = stream

        def flush(self) -> None:
            try:
                self.stream.flush()  # type: ignore[attr-defined]
            except OSError as e:
                if e.errno != errno.EPIPE:
                    raise

        def __getattr__(self, name: str) -> object:
            return getattr(self.stream, name)

    sys.stdout = _Quiet(sys.stdout)  # type: ignore[assignment]
    sys.stderr = _Quiet(sys.stderr)  # type: ignore[assignment]
    return 1
