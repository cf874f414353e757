"""``rpnschema validate FILE...``: check specs, report every problem with its location."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rpnschema.cli.app import app
from rpnschema.cli.common import (
    DEFAULT_LIMITS,
    SPEC_GLOBS,
    Exclude,
    From,
    Glob,
    ReportFormat,
    Set,
    Source,
    Strict,
    check_file,
    exit_code,
    spec_paths,
    with_limits,
)
from rpnschema.infer import Limits
from rpnschema.report import REPORTERS


@app.command()
@with_limits
def validate(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Spec files (JSON or YAML) or directories (every spec file under them, "
            "see --glob); '-' reads standard input.",
        ),
    ],
    format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ReportFormat.text,
    strict: Strict = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Hide notices (what normalization inferred).")
    ] = False,
    overrides: Set = None,
    source: From = Source.auto,
    glob: Glob = None,
    exclude: Exclude = None,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Validate spec files: structure, allocations, dimensions and budgets.

    A directory stands for every spec file under it (recursively): by default the files named
    *.rpn.yaml, *.rpn.yml or *.rpn.json, the names the pre-commit hook checks too.

    Exit code 0 when every file is valid, 1 when any is invalid, 2 when a file cannot be read
    or parsed.
    """
    paths = spec_paths(files, glob or SPEC_GLOBS, exclude or ())
    reports = [check_file(f, limits, strict, source, overrides or ())[0] for f in paths]
    typer.echo(REPORTERS[format.value](reports, show_notices=not quiet), nl=False)
    raise typer.Exit(exit_code(reports))
