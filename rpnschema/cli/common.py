"""Options and helpers shared by the commands."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from rpnschema.cli.checks import EXIT_INVALID as EXIT_INVALID
from rpnschema.cli.checks import EXIT_OK as EXIT_OK
from rpnschema.cli.checks import EXIT_USAGE as EXIT_USAGE
from rpnschema.cli.checks import SPEC_GLOBS as SPEC_GLOBS
from rpnschema.cli.checks import Source as Source
from rpnschema.cli.checks import check_file as check_file
from rpnschema.cli.checks import exit_code as exit_code
from rpnschema.infer import Limits
from rpnschema.report import render_text
from rpnschema.spec.model import ModelSpec


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"


MaxParameters = Annotated[
    int,
    typer.Option(min=1, help="Parameter budget: larger specs are rejected before allocating."),
]
MaxDim = Annotated[int, typer.Option(min=1, help="Largest expansion size D any head may have.")]
MaxCount = Annotated[
    int, typer.Option(min=1, help="Most heads per layer, layers, heads in all, channels.")
]
MaxNodes = Annotated[
    int, typer.Option(min=1, help="Most values in a document, counting YAML alias expansions.")
]
MaxDepth = Annotated[int, typer.Option(min=1, help="Deepest nesting of mappings and lists.")]
MaxFileBytes = Annotated[int, typer.Option(min=1, help="Largest spec file read, in bytes.")]


def _size(value: Any) -> int:
    from rpnschema.memory import parse_size

    try:
        return parse_size(str(value))
    except ValueError as e:
        raise typer.BadParameter(str(e)) from e


MaxMemory = Annotated[
    int,
    typer.Option(
        parser=_size,
        metavar="SIZE",
        help="Memory budget of a build and its forward check (parameters, buffers, "
        "materialized weights, activations), e.g. 16GiB, 512MiB: larger specs are rejected "
        "before allocating. Default 16GiB.",
        show_default=False,
    ),
]
Strict = Annotated[
    bool, typer.Option("--strict", help="Fail on notices and warnings too (explicit specs only).")
]

Set = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="PATH=VALUE",
        help="Override a value before validation, e.g. layers.0.heads.0.expansion.d=3 "
        "(repeatable; VALUE is YAML; null removes the key).",
    ),
]

DEFAULT_LIMITS = Limits()
_LIMIT_OPTIONS: dict[str, Any] = {
    "max_parameters": MaxParameters,
    "max_dim": MaxDim,
    "max_count": MaxCount,
    "max_nodes": MaxNodes,
    "max_depth": MaxDepth,
    "max_file_bytes": MaxFileBytes,
    "max_memory": MaxMemory,
}


def with_limits(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command the resource-limit options (``--max-dim``, ...) after its own options;
    it receives them as one ``limits: Limits`` argument."""
    own = inspect.signature(command, eval_str=True)
    added = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=getattr(DEFAULT_LIMITS, name),
            annotation=a,
        )
        for name, a in _LIMIT_OPTIONS.items()
    ]
    kept = [p for p in own.parameters.values() if p.name != "limits"]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        limits = Limits(**{name: kwargs.pop(name) for name in _LIMIT_OPTIONS})
        return command(**kwargs, limits=limits)

    wrapper.__signature__ = own.replace(parameters=[*kept, *added])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {
        **{p.name: p.annotation for p in kept},
        **_LIMIT_OPTIONS,
        "return": own.return_annotation,
    }
    return wrapper


From = Annotated[
    Source,
    typer.Option(
        "--from",
        help="Input format: an rpnschema spec, a tinybig config, or auto-detected (default).",
    ),
]


Glob = Annotated[
    list[str] | None,
    typer.Option(
        "--glob",
        metavar="PATTERN",
        help="For a directory: the file names that are specs (repeatable; default "
        + ", ".join(SPEC_GLOBS)
        + ").",
    ),
]
Exclude = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        metavar="PATTERN",
        help="For a directory: skip files and folders whose name or path under it matches "
        "(repeatable; hidden folders are always skipped).",
    ),
]


def _excluded(relative: Path, patterns: Sequence[str]) -> bool:
    from fnmatch import fnmatch

    return any(
        fnmatch(relative.as_posix(), p) or any(fnmatch(part, p) for part in relative.parts)
        for p in patterns
    )


def spec_paths(
    paths: Sequence[Path], globs: Sequence[str] = SPEC_GLOBS, exclude: Sequence[str] = ()
) -> list[Path]:
    """``paths`` with each directory replaced by the spec files under it, recursively and
    sorted: files whose name matches ``globs``, outside hidden folders and ``exclude``.

    A directory without any is a usage error (exit 2): a typo in a CI path must not pass."""
    from fnmatch import fnmatch

    out: list[Path] = []
    for path in paths:
        if str(path) == "-" or not path.is_dir():
            out.append(path)
            continue
        found = sorted(
            f
            for f in path.rglob("*")
            if f.is_file()
            and any(fnmatch(f.name, g) for g in globs)
            and not any(part.startswith(".") for part in f.relative_to(path).parts[:-1])
            and not _excluded(f.relative_to(path), exclude)
        )
        if not found:
            typer.echo(
                f"error: no spec files under {path} (names matching {', '.join(globs)}); "
                "name them so, or pass --glob PATTERN",
                err=True,
            )
            raise typer.Exit(EXIT_USAGE)
        out += found
    return out


def load_valid_spec(
    path: Path | str, limits: Limits, *, overrides: Sequence[str] = ()
) -> ModelSpec:
    """The normalized spec of a file; otherwise print its report to stderr and exit 1 (invalid
    spec) or 2 (unreadable file)."""
    report, result = check_file(path, limits, strict=False, overrides=overrides)
    if result is None or result.spec is None:
        typer.echo(render_text([report], show_notices=False), err=True, nl=False)
        raise typer.Exit(EXIT_USAGE if report.io_error else EXIT_INVALID)
    return result.spec


#: Width of tables written to a pipe or a file (a terminal gets its own width).
PIPED_WIDTH = 120


def print_table(table: Any) -> None:
    """Print a rich table within the terminal's width, or PIPED_WIDTH columns when piped."""
    import shutil
    import sys

    from rich.console import Console

    tty = sys.stdout.isatty()
    width = shutil.get_terminal_size((PIPED_WIDTH, 24)).columns if tty else PIPED_WIDTH
    Console(width=width, file=sys.stdout).print(table)


def compact_table(**kwargs: Any) -> Any:
    """A rich table without vertical rules, so that wide summaries fit PIPED_WIDTH columns."""
    from rich import box
    from rich.table import Table

    return Table(box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False, **kwargs)


def refuse_overwrite(out: Path, force: bool) -> None:
    """Exit 2 when ``out`` exists and ``--force`` was not given."""
    if out.exists() and not force:
        typer.echo(f"error: {out} exists; use --force to overwrite it", err=True)
        raise typer.Exit(EXIT_USAGE)


Force = Annotated[bool, typer.Option("--force", help="Overwrite an existing --out file.")]


def write_output(text: str, out: Path | None) -> None:
    """Print ``text``, or write it to ``out`` atomically (exit 2 if it cannot be written)."""
    from rpnschema import io

    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        io.write_atomic(out, text)
    except OSError as e:
        typer.echo(f"{out}: cannot write: {e.strerror or e}", err=True)
        raise typer.Exit(EXIT_USAGE) from e
