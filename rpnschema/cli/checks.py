"""Checking spec files for the commands, without the CLI framework: ``rpnschema validate``'s
common case runs on this alone (see :mod:`rpnschema.cli.fast`)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any

from rpnschema.errors import Diagnostic, LoadError
from rpnschema.infer import Limits
from rpnschema.report import FileReport
from rpnschema.validate import Result, validate_data, validate_file

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class Source(str, Enum):
    auto = "auto"
    native = "native"
    tinybig = "tinybig"


def _validate(path: Path | str, limits: Limits, source: str, overrides: Sequence[str]) -> Result:
    if source == "native" and not overrides:
        return validate_file(path, limits=limits)
    from rpnschema import io
    from rpnschema.interop import detect_tinybig

    document = io.load(path, limits=limits)
    paths: list[Any] = []
    if overrides:
        from rpnschema.overrides import apply_overrides

        document, paths = apply_overrides(document, overrides)
    if source == "tinybig" or (source == "auto" and detect_tinybig(document.data)):
        from rpnschema.interop.tinybig import validate_tinybig

        result = validate_tinybig(document, limits=limits)
    else:
        result = validate_data(document.data, document=document, limits=limits)
    if overrides:
        from rpnschema.overrides import mark

        result.diagnostics = mark(result.diagnostics, paths, overrides)
    return result


def check_file(
    path: Path | str,
    limits: Limits,
    strict: bool,
    source: Source | str = "auto",
    overrides: Sequence[str] = (),
) -> tuple[FileReport, Result | None]:
    """Validate one file into a report; I/O and syntax problems become an io_error report.

    ``source``: ``native``, ``tinybig`` (a tinybig config, reported at its own paths) or
    ``auto`` (tinybig when :func:`~rpnschema.interop.tinybig.detect_tinybig` says so).
    ``overrides``: ``PATH=VALUE`` texts (see :mod:`rpnschema.overrides`); a malformed one is a
    usage error."""
    name = str(path)
    try:
        result = _validate(path, limits, Source(source).value, overrides)
    except LoadError as e:
        d: Diagnostic = e.diagnostic
        return FileReport(name, [d], failed=True, io_error=True), None
    if result.unreadable:
        return FileReport(name, result.diagnostics, failed=True, io_error=True), None
    spec = result.spec
    report = FileReport(
        name,
        result.diagnostics,
        failed=result.fails(strict),
        layers=len(spec.layers or []) if spec else None,
        parameters=spec.parameters if spec else None,
    )
    return report, result


#: The file names a directory argument (and the pre-commit hook) treats as specs.
SPEC_GLOBS = ("*.rpn.yaml", "*.rpn.yml", "*.rpn.json")


def exit_code(reports: list[FileReport]) -> int:
    if any(r.io_error for r in reports):
        return EXIT_USAGE
    if any(r.failed for r in reports):
        return EXIT_INVALID
    return EXIT_OK
