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
    Force,
    Set,
    load_valid_spec,
    refuse_overwrite,
    with_limits,
    write_output,
)
from rpnschema.infer import Limits


class SpecFormat(str, Enum):
    yaml = "yaml"
    json = "json"


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
    inferred m, n, D, l, output sizes and parameter counts filled in (a valid spec itself)."""
    if out is not None:
        refuse_overwrite(out, force)
    spec = load_valid_spec(file, limits, overrides=overrides or ())
    text = io.dumps(spec.to_data(), format.value)
    write_output(text, out)
