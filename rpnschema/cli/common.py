"""Options and helpers shared by the commands."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from rpnschema.errors import Diagnostic, LoadError
from rpnschema.infer import Limits
from rpnschema.report import FileReport
from rpnschema.validate import Result, validate_file

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class ReportFormat(str, Enum):
    text = "text"
    json = "json"


MaxParameters = Annotated[
    int,
    typer.Option(min=1, help="Parameter budget: larger specs are rejected before allocating."),
]
MaxDim = Annotated[int, typer.Option(min=1, help="Largest expansion size D any head may have.")]
Strict = Annotated[
    bool, typer.Option("--strict", help="Fail on notices and warnings too (explicit specs only).")
]

DEFAULT_LIMITS = Limits()


def check_file(path: Path | str, limits: Limits, strict: bool) -> tuple[FileReport, Result | None]:
    """Validate one file into a report; I/O and syntax problems become an io_error report."""
    name = str(path)
    try:
        result = validate_file(path, limits=limits)
    except LoadError as e:
        d: Diagnostic = e.diagnostic
        return FileReport(name, [d], failed=True, io_error=True), None
    spec = result.spec
    report = FileReport(
        name,
        result.diagnostics,
        failed=result.failed(strict),
        layers=len(spec.layers or []) if spec else None,
        parameters=spec.parameters if spec else None,
    )
    return report, result


def exit_code(reports: list[FileReport]) -> int:
    if any(r.io_error for r in reports):
        return EXIT_USAGE
    if any(r.failed for r in reports):
        return EXIT_INVALID
    return EXIT_OK
