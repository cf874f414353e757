"""``rpnschema resolve FILE``: print the normalized spec with every inferred value."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from rpnschema import io
from rpnschema.cli.app import app
from rpnschema.cli.common import (
    DEFAULT_LIMITS,
    MaxCount,
    MaxDepth,
    MaxDim,
    MaxFileBytes,
    MaxNodes,
    MaxParameters,
    Set,
    load_valid_spec,
    write_output,
)
from rpnschema.infer import Limits


class SpecFormat(str, Enum):
    yaml = "yaml"
    json = "json"


@app.command()
def resolve(
    file: Annotated[Path, typer.Argument(help="Spec file (JSON or YAML); '-' reads stdin.")],
    format: Annotated[SpecFormat, typer.Option("--format", "-f", help="Output format.")] = (
        SpecFormat.yaml
    ),
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")
    ] = None,
    max_parameters: MaxParameters = DEFAULT_LIMITS.max_parameters,
    max_dim: MaxDim = DEFAULT_LIMITS.max_dim,
    max_count: MaxCount = DEFAULT_LIMITS.max_count,
    max_nodes: MaxNodes = DEFAULT_LIMITS.max_nodes,
    max_depth: MaxDepth = DEFAULT_LIMITS.max_depth,
    max_file_bytes: MaxFileBytes = DEFAULT_LIMITS.max_file_bytes,
    overrides: Set = None,
) -> None:
    """Print the normalized spec: every layer and head explicit, defaults applied, and the
    inferred m, n, D, l, output sizes and parameter counts filled in (a valid spec itself)."""
    limits = Limits(
        max_parameters=max_parameters,
        max_dim=max_dim,
        max_count=max_count,
        max_nodes=max_nodes,
        max_depth=max_depth,
        max_file_bytes=max_file_bytes,
    )
    spec = load_valid_spec(file, limits, overrides=overrides or ())
    text = io.dumps(spec.to_data(), format.value)
    write_output(text, out)
