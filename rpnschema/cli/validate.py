"""``rpnschema validate FILE...``: check specs, report every problem with its location."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rpnschema.cli.app import app
from rpnschema.cli.common import (
    DEFAULT_LIMITS,
    From,
    MaxCount,
    MaxDepth,
    MaxDim,
    MaxFileBytes,
    MaxNodes,
    MaxParameters,
    ReportFormat,
    Set,
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
    max_count: MaxCount = DEFAULT_LIMITS.max_count,
    max_nodes: MaxNodes = DEFAULT_LIMITS.max_nodes,
    max_depth: MaxDepth = DEFAULT_LIMITS.max_depth,
    max_file_bytes: MaxFileBytes = DEFAULT_LIMITS.max_file_bytes,
    overrides: Set = None,
    source: From = Source.auto,
) -> None:
    """Validate spec files: structure, allocations, dimensions and budgets.

    Exit code 0 when every file is valid, 1 when any is invalid, 2 when a file cannot be read
    or parsed.
    """
    limits = Limits(
        max_parameters=max_parameters,
        max_dim=max_dim,
        max_count=max_count,
        max_nodes=max_nodes,
        max_depth=max_depth,
        max_file_bytes=max_file_bytes,
    )
    reports = [check_file(f, limits, strict, source, overrides or ())[0] for f in files]
    typer.echo(REPORTERS[format.value](reports, show_notices=not quiet), nl=False)
    raise typer.Exit(exit_code(reports))
