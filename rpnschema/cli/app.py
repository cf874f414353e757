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


def _load_plugins(names: list[str] | None) -> list[str] | None:
    if not names:
        return names
    from rpnschema.plugins import PluginError, load_entry_points

    try:
        load_entry_points(names)
    except PluginError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from e
    return names


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    plugin: Annotated[
        list[str] | None,
        typer.Option(
            "--plugin",
            metavar="NAME",
            envvar="RPNSCHEMA_PLUGINS",
            callback=_load_plugins,
            help="Load the installed plugin NAME (entry-point group rpnschema.plugins; 'all' "
            "loads every one). Repeatable; RPNSCHEMA_PLUGINS takes space-separated names. "
            "Plugins are never loaded otherwise.",
        ),
    ] = None,
) -> None:
    """Validate, inspect and compile RPN specs."""


def _register() -> None:
    # Each command lives in its own module; importing them registers them on ``app``.
    from rpnschema.cli import (  # noqa: F401
        build,
        catalog,
        convert,
        diff,
        export,
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
