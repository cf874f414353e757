"""``rpnschema hash SPEC...`` and ``rpnschema diff A B``: compare specs after normalization."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from rpnschema.canonical import spec_hash
from rpnschema.cli.app import app
from rpnschema.cli.common import (
    DEFAULT_LIMITS,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    SPEC_GLOBS,
    Exclude,
    Glob,
    check_file,
    spec_paths,
)
from rpnschema.diff import diff, render_text
from rpnschema.report import render_text as render_report
from rpnschema.spec.model import ModelSpec


class DiffFormat(str, Enum):
    text = "text"
    json = "json"


def _load(path: Path, failure: int) -> ModelSpec:
    """The normalized spec of ``path``; errors are printed and exit with ``failure`` (or 2)."""
    report, result = check_file(path, DEFAULT_LIMITS, strict=False)
    if result is None or result.spec is None:
        typer.echo(render_report([report], show_notices=False), err=True, nl=False)
        raise typer.Exit(EXIT_USAGE if report.io_error else failure)
    return result.spec


@app.command("hash")
def hash_command(
    spec_files: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Spec files (JSON or YAML) or directories (every spec file under them, see "
            "--glob); '-' reads stdin.",
        ),
    ],
    glob: Glob = None,
    exclude: Exclude = None,
) -> None:
    """Print the SHA-256 of each file's canonical normalized spec (the hash `build --out`
    stores), one `HASH  FILE` line per file as sha256sum does.

    Specs that differ only in formatting, key order, comments, shorthands or defaults spelled
    out have the same hash. A file that fails is reported on stderr and the others are still
    hashed. Exit code 0, 1 when a spec is invalid, 2 when a file cannot be read (or both).
    """
    worst = EXIT_OK
    for spec_file in spec_paths(spec_files, glob or SPEC_GLOBS, exclude or ()):
        report, result = check_file(spec_file, DEFAULT_LIMITS, strict=False)
        if result is None or result.spec is None:
            typer.echo(render_report([report], show_notices=False), err=True, nl=False)
            worst = max(worst, EXIT_USAGE if report.io_error else EXIT_INVALID)
            continue
        typer.echo(f"{spec_hash(result.spec)}  {spec_file}")
    raise typer.Exit(worst)


@app.command("diff")
def diff_command(
    a: Annotated[Path, typer.Argument(metavar="A", help="The old spec (JSON or YAML).")],
    b: Annotated[Path, typer.Argument(metavar="B", help="The new spec (JSON or YAML).")],
    format: Annotated[DiffFormat, typer.Option("--format", "-f", help="Output format.")] = (
        DiffFormat.text
    ),
) -> None:
    """Show the architectural difference of two specs after normalization: layers, heads and
    components added (+), removed (-) or changed (~), with dims and parameter-count deltas.

    Exit code (like `diff` and `git diff --exit-code`): 0 when the normalized specs are equal,
    1 when they differ, 2 when either file cannot be read or is not a valid spec.
    """
    old, new = _load(a, EXIT_USAGE), _load(b, EXIT_USAGE)
    result = diff(old, new)
    if format is DiffFormat.json:
        typer.echo(json.dumps(result.to_data(), indent=2))
    else:
        typer.echo(render_text(result), nl=False)
    raise typer.Exit(EXIT_OK if result.equal else EXIT_INVALID)
