"""``rpnschema schema``: export the JSON Schema of spec files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rpnschema.cli.app import app
from rpnschema.cli.common import EXIT_INVALID, EXIT_USAGE


@app.command("schema")
def schema_command(
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the schema files into this directory."),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="With --out: exit 1 if the files there are not current."),
    ] = False,
) -> None:
    """Print (or with --out write) the JSON Schema (draft 2020-12) of spec files, for editors
    and non-Python CI. It checks structure only; dimensions need `rpnschema validate`."""
    from rpnschema import schema

    text = schema.render()
    if out is None:
        typer.echo(text, nl=False)
        return
    path = out / schema.SCHEMA_FILE
    if check:
        current = path.read_text() if path.is_file() else None
        if current != text:
            typer.echo(f"{path}: stale; run `rpnschema schema --out {out}`", err=True)
            raise typer.Exit(EXIT_INVALID)
        typer.echo(f"{path}: current")
        return
    try:
        written = schema.export(out)
    except OSError as e:
        typer.echo(f"error: cannot write to {out}: {e.strerror or e}", err=True)
        raise typer.Exit(EXIT_USAGE) from e
    for p in written:
        typer.echo(f"wrote {p}")
