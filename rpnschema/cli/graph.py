"""``rpnschema graph SPEC``: the architecture as a Mermaid or Graphviz diagram."""

from __future__ import annotations

import shutil
import subprocess
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from rpnschema.cli.app import app
from rpnschema.cli.common import DEFAULT_LIMITS, EXIT_USAGE, Set, load_valid_spec, write_output
from rpnschema.graph import build_graph, to_dot, to_mermaid


class GraphFormat(str, Enum):
    mermaid = "mermaid"
    dot = "dot"
    svg = "svg"


@app.command()
def graph(
    spec_file: Annotated[
        Path, typer.Argument(metavar="SPEC", help="Spec file (JSON or YAML); '-' reads stdin.")
    ],
    format: Annotated[GraphFormat, typer.Option("--format", "-f", help="Output format.")] = (
        GraphFormat.mermaid
    ),
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")
    ] = None,
    overrides: Set = None,
) -> None:
    """Draw the architecture: layers (clusters), heads, channels, fusions, and the sizes on
    the edges. mermaid renders as-is in Markdown on code hosting sites; dot is Graphviz; svg
    runs Graphviz's `dot` (it must be installed).

    Exit code 0, 1 for an invalid spec, 2 for usage/IO errors (or no `dot` for svg)."""
    spec = load_valid_spec(spec_file, DEFAULT_LIMITS, overrides=overrides or ())
    g = build_graph(spec)
    text = to_mermaid(g) if format is GraphFormat.mermaid else to_dot(g)
    if format is GraphFormat.svg:
        dot = shutil.which("dot")
        if dot is None:
            typer.echo("error: --format svg needs Graphviz's `dot` on PATH", err=True)
            raise typer.Exit(EXIT_USAGE)
        done = subprocess.run([dot, "-Tsvg"], input=text, capture_output=True, text=True)
        if done.returncode != 0:
            typer.echo(f"error: dot failed: {done.stderr.strip()}", err=True)
            raise typer.Exit(EXIT_USAGE)
        text = done.stdout
    write_output(text, out)
