"""The Typer application and its global options."""

from __future__ import annotations

from typing import Annotated

import typer

from rpnschema._version import __version__

app = typer.Typer(
    name="rpnschema",
    help=(
        "Validate, inspect and compile Reconciled Polynomial Network (RPN) specs.\n\n"
        "Exit codes: 0 valid, 1 invalid spec, 2 usage or I/O error."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rpnschema {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Validate, inspect and compile RPN specs."""


def _register() -> None:
    # Each command lives in its own module; importing them registers them on ``app``.
    from rpnschema.cli import (  # noqa: F401
        build,
        catalog,
        convert,
        diff,
        graph,
        resolve,
        schema_cmd,
        summary,
        upgrade,
        validate,
    )


def main() -> None:
    _register()
    app()


_register()
