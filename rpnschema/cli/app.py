"""The Typer application and its global options."""

from __future__ import annotations

import importlib
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from rpnschema._version import __version__


def argument_word(param: Any) -> str:
    """How usage lines and help name an argument: ``FILE...``, ``SPEC``, ``MATCH``."""
    word = (param.metavar or param.name or "").upper()
    return word + ("..." if param.nargs != 1 else "")


class Command(TyperCommand):
    """A command whose usage line and argument list read ``validate [OPTIONS] FILE...`` and
    ``list [OPTIONS] [MATCH]`` (Typer's own spell ``{files}...`` and ``[[MATCH]]``)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                word = argument_word(param)
                pieces.append(word if param.required else f"[{word}]")
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        sections: dict[str, list[tuple[str, str]]] = {"argument": [], "option": []}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None or param.param_type_name not in sections:
                continue
            if param.param_type_name == "argument":
                record = (argument_word(param), record[1])
            sections[param.param_type_name].append(record)
        for kind, title in (("argument", "Arguments"), ("option", "Options")):
            if sections[kind]:
                with formatter.section(title):
                    formatter.write_dl(sections[kind])


class _App(typer.Typer):
    """The application; its commands are registered (their modules imported) when it is first
    asked for them, so that :func:`main` can register only the one command it runs."""

    @property  # type: ignore[override]
    def registered_commands(self) -> list[Any]:
        if not _running_one:
            _register()
        return self._commands

    @registered_commands.setter
    def registered_commands(self, value: list[Any]) -> None:
        self._commands = value

    @property  # type: ignore[override]
    def registered_groups(self) -> list[Any]:
        if not _running_one:
            _register()
        return self._groups

    @registered_groups.setter
    def registered_groups(self, value: list[Any]) -> None:
        self._groups = value


app = _App(
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


#: The command modules, in the order ``--help`` lists their commands.
COMMAND_MODULES = (
    "build",
    "catalog",
    "convert",
    "diff",
    "export",
    "graph",
    "resolve",
    "schema_cmd",
    "space",
    "summary",
    "upgrade",
    "validate",
)
_registered: set[str] = set()
_importing: list[bool] = []  # non-empty while command modules register themselves
_running_one: list[bool] = []  # non-empty while main() runs the one command it registered


def _register(only: str | None = None) -> None:
    """Register every command (or, from :func:`main`, only the module ``only``): each lives in
    its own module, and importing it registers it on ``app``."""
    todo = [name for name in ([only] if only else COMMAND_MODULES) if name not in _registered]
    if not todo or _importing:
        return
    _registered.update(todo)
    _importing.append(True)
    try:
        for name in todo:
            importlib.import_module(f"rpnschema.cli.{name}")
    finally:
        _importing.clear()
    # --help lists the commands in module order, whichever were registered first
    app._commands.sort(key=lambda info: COMMAND_MODULES.index(info.callback.__module__[14:]))
    for info in app._commands:
        if info.cls in (None, TyperCommand):
            info.cls = Command


def main() -> None:
    if sys.argv[1:2] != ["validate"]:
        _register()
        app()
        return
    # `rpnschema validate ...` runs with only that command registered: the others' modules (and
    # their imports) are not loaded, and its usage, help and errors are the same either way.
    _register(only="validate")
    _running_one.append(True)
    try:
        app()
    finally:
        _running_one.clear()
