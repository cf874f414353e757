"""Render validation results for people (text) and machines (json).

The JSON document is stable (``"format": "rpnschema-report", "version": 1``): one entry per
file with its diagnostics, each carrying file, line, column, path, code, severity, message,
expected, found and suggestion.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rpnschema.errors import Diagnostic


@dataclass
class FileReport:
    """What validation found for one input file."""

    file: str
    diagnostics: list[Diagnostic]
    failed: bool
    io_error: bool = False
    layers: int | None = None
    parameters: int | None = None


def _count(diags: Sequence[Diagnostic], severity: str) -> int:
    return sum(1 for d in diags if d.severity == severity)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _detail(d: Diagnostic) -> list[str]:
    lines = []
    if d.expected is not None or d.found is not None:
        parts = []
        if d.expected is not None:
            parts.append(f"expected {d.expected}")
        if d.found is not None:
            parts.append(f"found {d.found}")
        lines.append("    " + "; ".join(parts))
    if d.suggestion:
        lines.append(f"    hint: {d.suggestion}")
    return lines


def render_text(reports: Sequence[FileReport], *, show_notices: bool = True) -> str:
    out: list[str] = []
    for r in reports:
        shown = [d for d in r.diagnostics if show_notices or d.severity != "notice"]
        for d in shown:
            where = d.file or r.file
            if d.line is not None:
                where += f":{d.line}:{d.column}"
            out.append(f"{where}: {d.severity} {d.code.value} {d.pointer}: {d.message}")
            if d.severity != "notice":
                out.extend(_detail(d))
        errors, warnings, notices = (
            _count(r.diagnostics, s) for s in ("error", "warning", "notice")
        )
        if r.io_error:
            out.append(f"{r.file}: cannot be read")
        elif r.failed:
            out.append(
                f"{r.file}: invalid ({_plural(errors, 'error')}, {_plural(warnings, 'warning')}, "
                f"{_plural(notices, 'notice')})"
            )
        else:
            extra = f", {_plural(notices, 'notice')}" if notices else ""
            out.append(
                f"{r.file}: ok ({_plural(r.layers or 0, 'layer')}, "
                f"{r.parameters:,} parameters{extra})"
            )
    return "\n".join(out) + ("\n" if out else "")


def render_json(reports: Sequence[FileReport], *, show_notices: bool = True) -> str:
    files = []
    for r in reports:
        files.append(
            {
                "file": r.file,
                "valid": not r.failed,
                "io_error": r.io_error,
                "layers": r.layers,
                "parameters": r.parameters,
                "diagnostics": [
                    d.to_dict() for d in r.diagnostics if show_notices or d.severity != "notice"
                ],
            }
        )
    summary = {
        "files": len(reports),
        "invalid": sum(1 for r in reports if r.failed),
        "errors": sum(_count(r.diagnostics, "error") for r in reports),
        "warnings": sum(_count(r.diagnostics, "warning") for r in reports),
        "notices": sum(_count(r.diagnostics, "notice") for r in reports),
    }
    doc = {
        "format": "rpnschema-report",
        "version": 1,
        "valid": not any(r.failed for r in reports),
        "summary": summary,
        "files": files,
    }
    return json.dumps(doc, indent=2) + "\n"


REPORTERS: dict[str, Callable[..., str]] = {"text": render_text, "json": render_json}
