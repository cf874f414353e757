"""``rpnschema resolve FILE``: print the normalized spec with every inferred value."""

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
    Force,
    Set,
    load_valid_spec,
    refuse_overwrite,
    with_limits,
    write_output,
)
from rpnschema.errors import Code
from rpnschema.infer import Limits


class SpecFormat(str, Enum):
    yaml = "yaml"
    json = "json"


def _over_limits(data: Any, limits: Limits) -> str | None:
    """Why ``data`` written out would be above a document limit, or None. Counts as loading
    does (every mapping, list, key and value), stopping past the limit, before any dumping."""
    count = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > limits.max_nodes:
            return f"it has more than {limits.max_nodes} values (--max-nodes)"
        if depth > limits.max_depth:
            return f"it is nested deeper than {limits.max_depth} (--max-depth)"
        if isinstance(value, dict):
            count += len(value)  # the keys
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return None


@app.command()
@with_limits
def resolve(
    file: Annotated[
        Path, typer.Argument(metavar="SPEC", help="Spec file (JSON or YAML); '-' reads stdin.")
    ],
    format: Annotated[SpecFormat, typer.Option("--format", "-f", help="Output format.")] = (
        SpecFormat.yaml
    ),
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")
    ] = None,
    force: Force = False,
    overrides: Set = None,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Print the normalized spec: every layer and head explicit, defaults applied, and the
    inferred m, n, D, l, output sizes and parameter counts filled in (a valid spec itself).

    Exit 1 when the resolved spec is above a document limit (--max-file-bytes, --max-nodes,
    --max-depth) that validate would apply to it: every layer and head written out can be far
    larger than the shorthand (width, depth_alloc) it came from."""
    if out is not None:
        refuse_overwrite(out, force)
    spec = load_valid_spec(file, limits, overrides=overrides or ())
    data = spec.to_data()
    problem = _over_limits(data, limits)
    text = io.dumps(data, format.value) if problem is None else ""
    if problem is None and len(text.encode("utf-8")) > limits.max_file_bytes:
        problem = f"it has more bytes than the limit of {limits.max_file_bytes} (--max-file-bytes)"
    if problem is not None:
        typer.echo(
            f"error {Code.RESOURCE.value}: the resolved spec would not validate: {problem}",
            err=True,
        )
        typer.echo(
            "    hint: keep the shorthand (width, depth_alloc) in the file, or raise the limit "
            "when validating the output",
            err=True,
        )
        raise typer.Exit(EXIT_INVALID)
    write_output(text, out)
