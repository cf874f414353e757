"""``rpnschema validate FILE...``: check specs, report every problem with its location."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rpnschema.cli.app import app
from rpnschema.cli.common import (
    DEFAULT_LIMITS,
    From,
    MaxDim,
    MaxParameters,
    ReportFormat,
    Source,
    Strict,
    check_file,
    exit_code,
)
from rpnschema.infer import Limits
from rpnschema.report import REPORTERS


@app.command()
def validate(
    files: Annotated[
        list[Path], typer.Argument(help="Spec files (JSON or YAML); '-' reads standard input.")
    ],
    format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ReportFormat.text,
    strict: Strict = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Hide notices (what normalization inferred).")
    ] = False,
    max_parameters: MaxParameters = DEFAULT_LIMITS.max_parameters,
    max_dim: MaxDim = DEFAULT_LIMITS.max_dim,
    source: From = Source.auto,
) -> None:
    """Validate spec files: structure, allocations, dimensions and budgets.

    Exit code 0 when every file is valid, 1 when any is invalid, 2 when a file cannot be read
    or parsed.
    """
    limits = Limits(max_parameters=max_parameters, max_dim=max_dim)
    reports = [check_file(f, limits, strict, source)[0] for f in files]
    typer.echo(REPORTERS[format.value](reports, show_notices=not quiet), nl=False)
    raise typer.Exit(exit_code(reports))
