"""``rpnschema list`` (the catalog) and ``rpnschema new TEMPLATE`` (a starter spec)."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from rpnschema import io
from rpnschema.cli.app import app
from rpnschema.cli.common import (
    EXIT_INVALID,
    EXIT_USAGE,
    Force,
    Set,
    print_table,
    refuse_overwrite,
    write_output,
)
from rpnschema.errors import LoadError, plural
from rpnschema.report import FileReport, render_text
from rpnschema.templates import TEMPLATES, template_text
from rpnschema.validate import validate_data, validate_text


class Family(str, Enum):
    expansion = "expansion"
    compression = "compression"
    reconciliation = "reconciliation"
    remainder = "remainder"
    fusion = "fusion"
    processing = "processing"
    interdependence = "interdependence"
    preset = "preset"
    model_preset = "model_preset"


class ListFormat(str, Enum):
    table = "table"
    json = "json"


@app.command("list")
def list_command(
    family: Annotated[Family | None, typer.Option("--family", help="Show one family only.")] = None,
    match: Annotated[
        str | None, typer.Argument(metavar="MATCH", help="Show names containing this text.")
    ] = None,
    format: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = (
        ListFormat.table
    ),
) -> None:
    """List the catalog: every function, head preset and model preset with its parameters,
    defaults and its D/l rule (the same reference as the README), then the components of
    plugins loaded with --plugin (marked with their plugin's name)."""
    from rpnschema.reference import catalog_entries, plugin_entries

    rows = [
        {**e, "parameters": e["parameters"].replace("`", "")}
        for e in [*catalog_entries(), *plugin_entries()]
        if (family is None or e["family"] == family.value) and (not match or match in e["name"])
    ]
    if format is ListFormat.json:
        typer.echo(json.dumps(rows, indent=2))
        return
    from rich.table import Table

    table = Table(show_lines=False)
    for col in ("family", "name", "parameters (default)", "rule"):
        table.add_column(col, overflow="fold")
    for e in rows:
        name = f"{e['name']} (plugin {e['plugin']})" if e.get("plugin") else e["name"]
        table.add_row(e["family"], name, e["parameters"], e["rule"])
    print_table(table)
    typer.echo(plural(len(rows), "entry", "entries"))


def _template_names() -> str:
    return ", ".join(TEMPLATES)


@app.command("new")
def new_command(
    template: Annotated[
        str, typer.Argument(metavar="TEMPLATE", help=f"One of: {_template_names()}.")
    ],
    overrides: Set = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")
    ] = None,
    force: Force = False,
) -> None:
    """Write a starter spec from a template (validated before it is written). With --set the
    overrides are applied (the output is then plain YAML, without the template's comments).

    Exit code 0, 1 when the overrides make the spec invalid, 2 for usage/IO errors."""
    if template not in TEMPLATES:
        typer.echo(f"error: unknown template {template!r}; one of: {_template_names()}", err=True)
        raise typer.Exit(EXIT_USAGE)
    text = template_text(template)
    name = str(out or f"<{template}>")
    try:
        if overrides:
            from rpnschema.overrides import apply_overrides, mark

            document, paths = apply_overrides(io.parse(text, file=name), overrides)
            result = validate_data(document.data, document=document)
            result.diagnostics = mark(result.diagnostics, paths, overrides)
            text = io.dumps(document.data, "yaml")
        else:
            result = validate_text(text, file=name)
    except LoadError as e:
        typer.echo(render_text([FileReport(name, [e.diagnostic], True, io_error=True)]), err=True)
        raise typer.Exit(EXIT_USAGE) from e
    if not result.ok:
        report = FileReport(name, result.diagnostics, failed=True)
        typer.echo(render_text([report], show_notices=False), err=True, nl=False)
        raise typer.Exit(EXIT_INVALID)
    if out is None:
        typer.echo(text, nl=False)
        return
    refuse_overwrite(out, force)
    write_output(text, out)
    typer.echo(f"wrote {out} ({template}; {result.spec.parameters:,} parameters)")
