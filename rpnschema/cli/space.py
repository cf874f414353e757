"""``rpnschema space``: check, sample and enumerate architecture search spaces (no torch)."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from rpnschema.cli.app import app
from rpnschema.cli.common import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from rpnschema.errors import Code, Diagnostic, LoadError

space_app = typer.Typer(
    name="space",
    help="Search spaces over specs: check a space (size, valid share, why candidates fail), "
    "sample valid candidates, or write every one. See docs/search.md.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(space_app, name="space")


class CheckFormat(str, Enum):
    text = "text"
    json = "json"


class SpecFormat(str, Enum):
    yaml = "yaml"
    json = "json"


SpaceArg = Annotated[Path, typer.Argument(metavar="SPACE", help="A search-space file.")]
Seed = Annotated[int, typer.Option("--seed", help="Seed of the random draws.")]


def _load(path: Path) -> Any:
    """The checked space; prints its diagnostics and exits 1 (invalid) or 2 (unreadable)."""
    from rpnschema.report import FileReport, render_text
    from rpnschema.space import check_space_file

    try:
        result = check_space_file(path)
    except LoadError as e:
        report = FileReport(str(path), [e.diagnostic], failed=True, io_error=True)
        typer.echo(render_text([report]), err=True, nl=False)
        raise typer.Exit(EXIT_USAGE) from e
    if result.space is None:
        report = FileReport(str(path), result.diagnostics, failed=True)
        typer.echo(render_text([report]), err=True, nl=False)
        raise typer.Exit(EXIT_INVALID)
    return result.space


def _fail(path: Path, diagnostic: Diagnostic, code: int = EXIT_INVALID) -> None:
    from rpnschema.report import FileReport, render_text

    report = FileReport(str(path), [diagnostic], failed=True, io_error=code == EXIT_USAGE)
    typer.echo(render_text([report]), err=True, nl=False)
    raise typer.Exit(code)


def _share(analysis: Any, count: int) -> str:
    pct = f"{100 * analysis.fraction(count):.1f}%"
    if not analysis.exhaustive:
        pct += f" ± {100 * analysis.stderr(count):.1f}"
        estimate = analysis.estimate(count)
        if estimate is not None:
            pct += f", about {round(estimate):,} of {analysis.size:,}"
    return f"{count:,} ({pct})"


def render_analysis(path: Path, space: Any, analysis: Any) -> str:
    size = "continuous" if analysis.size is None else f"{analysis.size:,} candidates"
    how = "checked all" if analysis.exhaustive else f"checked {analysis.checked:,} drawn at random"
    n_dims = len(space.spec.dimensions)
    lines = [f"{path}: ok ({n_dims} dimension{'s' if n_dims != 1 else ''}, {size}, {how})"]
    rows = [
        ("valid and within budget", analysis.accepted, None),
        ("invalid", analysis.invalid, lambda r: not r.startswith(Code.BUDGET.value + " ")),
        ("over budget", analysis.over_budget, lambda r: r.startswith(Code.BUDGET.value + " ")),
    ]
    width = max(len(label) for label, _, _ in rows) + 1
    for label, count, pick in rows:
        lines.append(f"  {label + ':':<{width}} {_share(analysis, count)}")
        if pick is None:
            continue
        for reason, n in sorted(analysis.reasons.items(), key=lambda kv: (-kv[1], kv[0])):
            if pick(reason):
                lines.append(f"    {reason}: {n:,}, e.g. {analysis.examples[reason]}")
    if analysis.accepted == 0:
        lines.append(f"{path}: no candidate is valid and within budget ({Code.SPACE_EMPTY.value})")
    return "\n".join(lines) + "\n"


@space_app.command("check")
def check(
    space_file: SpaceArg,
    samples: Annotated[
        int, typer.Option("--samples", min=1, help="Candidates drawn when the space is large.")
    ] = 1000,
    seed: Seed = 0,
    exhaustive_limit: Annotated[
        int,
        typer.Option("--exhaustive-limit", min=1, help="Check every candidate up to this size."),
    ] = 10_000,
    format: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="Report format.")
    ] = CheckFormat.text,
) -> None:
    """Check a search space: its paths, choices and ranges, then how many candidates are valid
    and within budget, and why the others fail (exactly for small spaces, by sampling for large
    ones). Exit 0 when some candidate is accepted, 1 when the space is invalid or none is, 2 when
    the file cannot be read."""
    space = _load(space_file)
    analysis = space.analyze(samples=samples, seed=seed, exhaustive_limit=exhaustive_limit)
    if format is CheckFormat.json:
        data = {"file": str(space_file), "seed": seed, **analysis.to_data()}
        typer.echo(json.dumps(data, indent=2))
    else:
        typer.echo(render_analysis(space_file, space, analysis), nl=False)
    raise typer.Exit(EXIT_OK if analysis.accepted else EXIT_INVALID)


def _write(out: Path, verdicts: list[Any], space: Any, fmt: SpecFormat, force: bool) -> None:
    from rpnschema import io

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        typer.echo(f"error: cannot create {out}: {e.strerror or e}", err=True)
        raise typer.Exit(EXIT_USAGE) from e
    digits = max(3, len(str(len(verdicts))))
    names = [
        out / f"{space.spec.name}-{i:0{digits}d}.{fmt.value}" for i in range(1, 1 + len(verdicts))
    ]
    existing = [p for p in names if p.exists()]
    if existing and not force:
        typer.echo(f"error: {existing[0]} exists; pass --force to overwrite", err=True)
        raise typer.Exit(EXIT_USAGE)
    for target, v in zip(names, verdicts, strict=True):
        chosen = ", ".join(f"{k}={_short(x)}" for k, x in v.assignment.items())
        text = io.dumps(v.data, fmt.value)
        if fmt is SpecFormat.yaml:
            text = f"# from search space {space.spec.name!r}: {chosen}\n{text}"
        try:
            io.write_atomic(target, text)
        except OSError as e:
            typer.echo(f"error: cannot write {target}: {e.strerror or e}", err=True)
            raise typer.Exit(EXIT_USAGE) from e
        assert v.spec is not None
        typer.echo(f"wrote {target} ({v.spec.parameters:,} parameters; {chosen})")


def _short(value: Any) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{k}: {v}" for k, v in value.items() if k != "name")
        return f"{value.get('name')}{{{inner}}}" if inner else str(value.get("name"))
    return json.dumps(value) if not isinstance(value, str) else value


OutDir = Annotated[Path, typer.Option("--out", "-o", help="Directory the specs are written to.")]
Force = Annotated[bool, typer.Option("--force", help="Overwrite existing files.")]
Fmt = Annotated[SpecFormat, typer.Option("--format", "-f", help="Format of the written specs.")]


@space_app.command("sample")
def sample(
    space_file: SpaceArg,
    out: OutDir,
    n: Annotated[int, typer.Option("-n", min=1, help="How many distinct candidates.")] = 10,
    seed: Seed = 0,
    format: Fmt = SpecFormat.yaml,
    force: Force = False,
) -> None:
    """Write N distinct candidates that are valid and within budget, drawn at random
    (reproducible with --seed). Exit 1 when fewer than N could be found."""
    space = _load(space_file)
    found, draws = space.sample(n, seed=seed)
    _write(out, found, space, format, force)
    if len(found) < n:
        _fail(
            space_file,
            Diagnostic(
                Code.SPACE_EMPTY,
                f"found {len(found)} of {n} accepted candidates in {draws:,} draws",
                expected=f"{n} distinct candidates that are valid and within budget",
                found=str(len(found)),
                suggestion="`rpnschema space check` shows why candidates are pruned",
            ),
        )


@space_app.command("grid")
def grid(
    space_file: SpaceArg,
    out: OutDir,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="Refuse spaces with more candidates.")
    ] = 10_000,
    format: Fmt = SpecFormat.yaml,
    force: Force = False,
) -> None:
    """Write every candidate that is valid and within budget (finite spaces only)."""
    space = _load(space_file)
    size = space.size
    if size is None or size > limit:
        found = "a continuous dimension" if size is None else f"{size:,} candidates"
        _fail(
            space_file,
            Diagnostic(
                Code.BAD_VALUE,
                f"the space has {found}: too many to enumerate",
                expected=f"a finite space of at most {limit:,} candidates",
                found=found,
                suggestion="use `rpnschema space sample`, or raise --limit",
            ),
            EXIT_USAGE,
        )
    accepted = [v for v in space.grid() if v.accepted]
    _write(out, accepted, space, format, force)
    typer.echo(f"{len(accepted):,} of {size:,} candidates are valid and within budget")


@space_app.command("schema")
def schema(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the schema file into this directory.")
    ] = None,
) -> None:
    """Print (or with --out write) the JSON Schema of search-space files, for editors."""
    from rpnschema import io
    from rpnschema.space.schema import SPACE_SCHEMA_FILE, render

    text = render()
    if out is None:
        typer.echo(text, nl=False)
        return
    target = out / SPACE_SCHEMA_FILE
    try:
        out.mkdir(parents=True, exist_ok=True)
        io.write_atomic(target, text)
    except OSError as e:
        typer.echo(f"error: cannot write to {out}: {e.strerror or e}", err=True)
        raise typer.Exit(EXIT_USAGE) from e
    typer.echo(f"wrote {target}")
