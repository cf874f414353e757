"""docs/reference/cli.md: every command and option, from the Typer command tree."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

import typer

from rpnschema.reference._shared import GENERATED as _GENERATED
from rpnschema.reference.spec_reference import _cell

# --- CLI reference ----------------------------------------------------------------------------


def _hints(function: Callable[..., Any]) -> dict[str, Any]:
    return get_type_hints(function, include_extras=True)


def _cli_type(hint: Any, multiple: bool) -> str:
    """A parameter's type from the command function's annotation (portable across Typer
    versions, unlike the click objects Typer builds)."""
    bounds: list[str] = []
    if get_origin(hint) is Annotated:
        for info in get_args(hint)[1:]:
            if getattr(info, "min", None) is not None:
                bounds.append(f">= {info.min}")
            if getattr(info, "max", None) is not None:
                bounds.append(f"<= {info.max}")
        hint = get_args(hint)[0]
    if get_origin(hint) in (Union, UnionType):
        hint = next(a for a in get_args(hint) if a is not type(None))
    if get_origin(hint) is list:
        hint = get_args(hint)[0]
    if isinstance(hint, type) and issubclass(hint, Enum):
        text = "one of " + ", ".join(f"`{e.value}`" for e in hint)
    else:
        names = {int: "integer", float: "number", str: "text", bool: "flag", Path: "path"}
        text = names.get(hint, getattr(hint, "__name__", str(hint)))
    text = " ".join([text, *bounds])
    return text + " (repeatable)" if multiple else text


def _cli_default(param: Any) -> str:
    value = param.default
    if param.required:
        return "required"
    if isinstance(value, Enum):
        value = value.value
    if value is None or value in ((), []) or (value is False and not param.secondary_opts):
        return "-"
    if param.secondary_opts and isinstance(value, bool):
        return f"`{param.opts[0] if value else param.secondary_opts[0]}`"
    return f"`{value}`"


def _is_argument(param: Any) -> bool:
    return param.param_type_name == "argument"


def _cli_usage(path: str, params: list[Any]) -> str:
    from rpnschema.cli.app import argument_word

    words = [path, "[OPTIONS]"]
    for param in params:
        if _is_argument(param):
            word = argument_word(param)
            words.append(word if param.required else f"[{word}]")
    return " ".join(words)


def _cli_params(params: list[Any], hints: dict[str, Any]) -> list[str]:
    rows = []
    for param in params:
        if param.hidden or param.name == "help":
            continue
        if _is_argument(param):
            from rpnschema.cli.app import argument_word

            name = f"`{argument_word(param)}`"
        else:
            name = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
        kind = _cli_type(hints.get(param.name, str), param.multiple or param.nargs == -1)
        rows.append(f"| {name} | {kind} | {_cli_default(param)} | {_cell(param.help or '')} |")
    return ["| argument / option | type | default | description |", "|---|---|---|---|", *rows]


def _cli_help(text: str | None) -> list[str]:
    paragraphs = inspect.cleandoc(text or "").split("\n\n")
    return [p for para in paragraphs for p in (" ".join(para.split()), "")]


def render_cli_reference() -> str:
    """Markdown for every command of the ``rpnschema`` CLI: usage, help and options."""
    from rpnschema.cli.app import _register, app

    _register()
    root = typer.main.get_command(app)
    root_ctx = root.context_class(root, info_name="rpnschema")
    callback = app.registered_callback.callback  # type: ignore[union-attr]
    lines = [
        "# CLI reference",
        "",
        f"{_GENERATED} It is built from the command line's own definitions; "
        "`rpnschema COMMAND --help` prints the same help.",
        "",
        "```text",
        "rpnschema [OPTIONS] COMMAND [ARGS]...",
        "```",
        "",
        *_cli_help(root.help),
        *_cli_params(root.get_params(root_ctx), _hints(callback)),
        "",
    ]
    for name in root.list_commands(root_ctx):
        lines += _command_sections(app, root, root_ctx, name, "rpnschema")
    return "\n".join(lines).rstrip("\n") + "\n"


def _command_sections(
    typer_app: typer.Typer, group: Any, parent_ctx: Any, name: str, prefix: str
) -> list[str]:
    """The reference of command ``name`` of ``group``: a section per command, one for each
    sub-command of a command group (``rpnschema space check``)."""
    command = group.get_command(parent_ctx, name)
    ctx = command.context_class(command, info_name=name, parent=parent_ctx)
    path = f"{prefix} {name}"
    if hasattr(command, "list_commands"):
        sub_app = next(g.typer_instance for g in typer_app.registered_groups if g.name == name)
        lines = [f"## `{path}`", "", *_cli_help(command.help)]
        for sub in command.list_commands(ctx):
            lines += _command_sections(sub_app, command, ctx, sub, path)
        return lines
    functions = {
        info.name or typer.main.get_command_name(info.callback.__name__): info.callback
        for info in typer_app.registered_commands
        if info.callback is not None
    }
    params = command.get_params(ctx)
    heading = "##" if prefix == "rpnschema" else "###"
    lines = [f"{heading} `{path}`", "", "```text", _cli_usage(path, params), "```", ""]
    return [*lines, *_cli_help(command.help), *_cli_params(params, _hints(functions[name])), ""]
