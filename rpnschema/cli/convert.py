"""``rpnschema convert FILE``: tinybig config <-> rpnschema spec, and YAML <-> JSON."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from rpnschema import io
from rpnschema.cli.app import app
from rpnschema.cli.common import (
    DEFAULT_LIMITS,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    Force,
    From,
    Source,
    refuse_overwrite,
    with_limits,
    write_output,
)
from rpnschema.errors import Diagnostic, LoadError, SpecError
from rpnschema.infer import Limits
from rpnschema.report import FileReport, render_text


class Target(str, Enum):
    yaml = "yaml"
    json = "json"
    tinybig = "tinybig"


class SemanticsOption(str, Enum):
    tinybig = "tinybig"
    native = "native"


def _fail(name: str, diags: list[Diagnostic], code: int, quiet: bool) -> None:
    report = FileReport(name, diags, failed=True, io_error=code == EXIT_USAGE)
    typer.echo(render_text([report], show_notices=not quiet), err=True, nl=False)
    raise typer.Exit(code)


def _notes(diags: list[Diagnostic], quiet: bool) -> None:
    shown = [d for d in diags if not quiet or d.severity != "notice"]
    for d in shown:
        where = d.file or ""
        if d.line is not None:
            where += f":{d.line}:{d.column}"
        typer.echo(f"{where}: {d.severity} {d.code.value} {d.pointer}: {d.message}", err=True)


@app.command()
@with_limits
def convert(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="Input file (JSON or YAML); '-' reads stdin.")
    ],
    source: From = Source.auto,
    to: Annotated[
        Target | None,
        typer.Option(
            "--to",
            help="Output: an rpnschema spec as yaml or json, or a tinybig config. Default: yaml "
            "for a tinybig input, tinybig for a spec.",
        ),
    ] = None,
    semantics: Annotated[
        SemanticsOption,
        typer.Option(
            "--semantics",
            help="For a tinybig input: tinybig reproduces tinybig's outputs; native selects the "
            "documented math (a notice lists the functions whose outputs change).",
        ),
    ] = SemanticsOption.tinybig,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write here (atomically) instead of to stdout."),
    ] = None,
    force: Force = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Hide notices.")] = False,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Convert a tinybig config into an rpnschema spec (validated at the tinybig file's own
    paths and lines), or a spec into a tinybig 0.2.1 config.

    Warnings and notices go to stderr, the converted document to stdout (or --out). Exit code
    0 when converted, 1 when the input is invalid or cannot be expressed in the target, 2 when
    the file cannot be read.
    """
    from rpnschema.interop.tinybig import detect_tinybig, export_tinybig, validate_tinybig
    from rpnschema.validate import validate_data

    name = str(file)
    if out is not None:
        refuse_overwrite(out, force)
    try:
        document = io.load(file, limits=limits)
    except LoadError as e:
        _fail(name, [e.diagnostic], EXIT_USAGE, quiet)
    tinybig_input = source == Source.tinybig or (
        source == Source.auto and detect_tinybig(document.data)
    )
    target = to or (Target.yaml if tinybig_input else Target.tinybig)
    if tinybig_input:
        result = validate_tinybig(document, semantics=semantics.value, limits=limits)
    else:
        result = validate_data(document.data, document=document, limits=limits)
    if not result.ok or result.spec is None:
        _fail(name, result.diagnostics, EXIT_INVALID, quiet)
    _notes(result.diagnostics, quiet)
    data: Any
    if target == Target.tinybig:
        try:
            data, diags = export_tinybig(result.spec, document=True)
        except SpecError as e:  # pragma: no cover - the spec was validated above
            _fail(name, e.diagnostics, EXIT_INVALID, quiet)
        # paths in the normalized spec (repeated layers and heads expanded): not located
        located = [d.located(name, None, None) for d in diags]
        if any(d.severity == "error" for d in located):
            _fail(name, located, EXIT_INVALID, quiet)
        _notes(located, quiet)
        fmt: io.Format = "json" if out is not None and out.suffix.lower() == ".json" else "yaml"
    else:
        if tinybig_input:
            from rpnschema.interop.tinybig import from_tinybig

            data, _ = from_tinybig(document.data, semantics=semantics.value)
        else:
            data = document.data
        fmt = target.value  # type: ignore[assignment]
    write_output(io.dumps(data, fmt), out)
    raise typer.Exit(EXIT_OK)
