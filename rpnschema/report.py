"""Render validation results for people and for CI.

Formats: ``text`` (default), ``json`` (a stable document: ``"format": "rpnschema-report",
"version": 1``, one entry per file with its diagnostics), ``github`` (GitHub Actions workflow
commands: one annotation per diagnostic), ``sarif`` (SARIF 2.1.0 for code-scanning dashboards)
and ``junit`` (JUnit XML, one test case per file). Every format carries file, line, column,
path, code and message of each diagnostic.

Diagnostics quote the spec (keys, names, values), which is untrusted text. The line-based
formats (``text``, ``github``, ``junit``) show every character that is not printable (newlines,
carriage returns, escape sequences, U+2028, lone surrogates, ...) as its Python escape, so each
diagnostic is exactly one line, and no line can start with a GitHub Actions workflow command
(``::error ...``, ``##[error]``): a spec cannot inject annotations or commands into a CI log.
``json`` and ``sarif`` keep the text exact and rely on JSON's escaping (ASCII output).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from rpnschema.errors import Code, Diagnostic, plural


def printable(text: str) -> str:
    """``text`` with each non-printable character (controls, line and paragraph separators,
    lone surrogates, ...) written as its Python escape (``\\n``, ``\\x1b``, ``\\u2028``)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def no_command(line: str) -> str:
    """A log line that GitHub Actions cannot read as a workflow command (``::name ...::`` or
    ``##[name]``, after leading spaces): its first such colon or hash is escaped."""
    stripped = line.lstrip()
    if stripped.startswith(("::", "##[")):
        at = len(line) - len(stripped)
        return line[:at] + ("\\x3a" if stripped[0] == ":" else "\\x23") + stripped[1:]
    return line


def _shown(text: str | None) -> str | None:
    return None if text is None else printable(text)


def safe_diagnostic(d: Diagnostic) -> Diagnostic:
    """``d`` with its untrusted text (path, message, expected, found, suggestion, file) made
    :func:`printable`."""
    texts = [d.message, d.expected, d.found, d.suggestion, d.file, *d.path]
    if all(not isinstance(t, str) or t.isprintable() for t in texts):
        return d
    return replace(
        d,
        path=tuple(printable(p) if isinstance(p, str) else p for p in d.path),
        message=printable(d.message),
        expected=_shown(d.expected),
        found=_shown(d.found),
        suggestion=_shown(d.suggestion),
        file=_shown(d.file),
    )


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


_plural = plural

#: The closing line of a file that could not be validated, by the code of its one diagnostic.
_UNREADABLE = {
    Code.SYNTAX: "not valid YAML or JSON",
    Code.DUPLICATE_KEY: "not valid YAML or JSON",
    Code.RESOURCE: "over a resource limit",
    Code.SPEC_VERSION: "a spec version this rpnschema cannot read",
}


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


def _summary(r: FileReport) -> str:
    """The closing line for one file: ok (with its size), invalid (with counts), unreadable."""
    errors, warnings, notices = (_count(r.diagnostics, s) for s in ("error", "warning", "notice"))
    if r.io_error:
        first = r.diagnostics[0] if r.diagnostics else None
        syntax = re.match(r"invalid (YAML|JSON)\b", first.message) if first else None
        if syntax:  # the parser that failed says which format the file was read as
            return f"{r.file}: not valid {syntax.group(1)}"
        return f"{r.file}: {_UNREADABLE.get(first.code if first else Code.IO, 'cannot be read')}"
    if r.failed:
        return (
            f"{r.file}: invalid ({_plural(errors, 'error')}, {_plural(warnings, 'warning')}, "
            f"{_plural(notices, 'notice')})"
        )
    extra = f", {_plural(notices, 'notice')}" if notices else ""
    return f"{r.file}: ok ({_plural(r.layers or 0, 'layer')}, {r.parameters:,} parameters{extra})"


def render_text(reports: Sequence[FileReport], *, show_notices: bool = True) -> str:
    out: list[str] = []
    for r in reports:
        kept = [d for d in r.diagnostics if show_notices or d.severity != "notice"]
        shown = [safe_diagnostic(d) for d in kept]
        for d in shown:
            where = d.file or printable(r.file)
            if d.line is not None:
                where += f":{d.line}:{d.column}"
            out.append(f"{where}: {d.severity} {d.code.value} {d.pointer}: {d.message}")
            if d.severity != "notice":
                out.extend(_detail(d))
        out.append(printable(_summary(r)))
    return "".join(f"{no_command(line)}\n" for line in out)


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


def _github_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


_GITHUB_LEVEL = {"error": "error", "warning": "warning", "notice": "notice"}


def _full_message(d: Diagnostic) -> str:
    lines = [f"{d.pointer}: {d.message}", *(line.strip() for line in _detail(d))]
    return "\n".join(lines)


def render_github(reports: Sequence[FileReport], *, show_notices: bool = True) -> str:
    """GitHub Actions workflow commands (``::error file=...,line=...,col=...::message``)."""
    out: list[str] = []
    for r in reports:
        for d in r.diagnostics:
            if d.severity == "notice" and not show_notices:
                continue
            d = safe_diagnostic(d)
            props = [f"file={_github_escape(d.file or printable(r.file), prop=True)}"]
            if d.line is not None:
                props += [f"line={d.line}", f"col={d.column}"]
            props.append(f"title={_github_escape(f'rpnschema {d.code.value}', prop=True)}")
            level = _GITHUB_LEVEL[d.severity]
            out.append(f"::{level} {','.join(props)}::{_github_escape(_full_message(d))}")
    out.extend(no_command(printable(_summary(r))) for r in reports)
    return "\n".join(out) + "\n"


_SARIF_LEVEL = {"error": "error", "warning": "warning", "notice": "note"}


def render_sarif(reports: Sequence[FileReport], *, show_notices: bool = True) -> str:
    """A SARIF 2.1.0 log with one run; rules are the stable diagnostic codes."""
    from rpnschema._version import __version__
    from rpnschema.errors import CODE_DOCS

    codes = list(CODE_DOCS)
    rules = [
        {
            "id": code.value,
            "name": code.name.title().replace("_", ""),
            "shortDescription": {"text": CODE_DOCS[code]},
        }
        for code in codes
    ]
    results = []
    for r in reports:
        for d in r.diagnostics:
            if d.severity == "notice" and not show_notices:
                continue
            region = {"startLine": d.line, "startColumn": d.column} if d.line is not None else None
            physical: dict[str, object] = {"artifactLocation": {"uri": (d.file or r.file)}}
            if region:
                physical["region"] = region
            results.append(
                {
                    "ruleId": d.code.value,
                    "ruleIndex": codes.index(d.code),
                    "level": _SARIF_LEVEL[d.severity],
                    "message": {"text": _full_message(d)},
                    "locations": [
                        {
                            "physicalLocation": physical,
                            "logicalLocations": [
                                {"fullyQualifiedName": d.pointer, "kind": "member"}
                            ],
                        }
                    ],
                    "properties": {
                        "path": d.pointer,
                        "expected": d.expected,
                        "found": d.found,
                        "suggestion": d.suggestion,
                    },
                }
            )
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "rpnschema",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/rpnschema/",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def render_junit(reports: Sequence[FileReport], *, show_notices: bool = True) -> str:
    """JUnit XML: one test case per file, failing with its located diagnostics."""
    import xml.etree.ElementTree as ET

    failures = sum(1 for r in reports if r.failed and not r.io_error)
    errors = sum(1 for r in reports if r.io_error)
    counts = {"tests": str(len(reports)), "failures": str(failures), "errors": str(errors)}
    root = ET.Element("testsuites", {"name": "rpnschema", **counts})
    suite = ET.SubElement(
        root, "testsuite", {"name": "rpnschema validate", **counts, "skipped": "0"}
    )
    for r in reports:
        name = printable(r.file)  # XML 1.0 cannot carry most control characters, even escaped
        case = ET.SubElement(
            suite, "testcase", {"classname": "rpnschema.validate", "name": name, "file": name}
        )
        shown = [d for d in r.diagnostics if d.severity != "notice" or show_notices]
        body = render_text(
            [FileReport(r.file, shown, r.failed, r.io_error, r.layers, r.parameters)]
        )
        if r.failed:
            first = next((d for d in r.diagnostics if d.severity == "error"), None)
            first = safe_diagnostic(first) if first else None
            tag = "error" if r.io_error else "failure"
            n_err = _count(r.diagnostics, "error")
            message = f"{_plural(n_err, 'error')}" + (
                f"; first: {first.pointer}: {first.message}" if first else ""
            )
            node = ET.SubElement(
                case, tag, {"type": first.code.value if first else "strict", "message": message}
            )
            node.text = body
        else:
            out = ET.SubElement(case, "system-out")
            out.text = body
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


REPORTERS: dict[str, Callable[..., str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
    "junit": render_junit,
}
