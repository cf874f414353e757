"""``rpnschema upgrade FILE...``: migrate specs written for an older spec_version."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from rpnschema import io, migrate
from rpnschema.cli.app import app
from rpnschema.cli.common import (
    DEFAULT_LIMITS,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    SPEC_GLOBS,
    Exclude,
    Glob,
    spec_paths,
    with_limits,
    write_output,
)
from rpnschema.errors import Code, Diagnostic, LoadError, MigrationError
from rpnschema.infer import Limits
from rpnschema.report import FileReport, render_text


class EditFormat(str, Enum):
    text = "text"
    json = "json"


@dataclass
class Outcome:
    """What upgrading one file did: its status, the upgrade, and any problems."""

    file: str
    status: str  # upgraded | up_to_date | needs_upgrade | invalid | error
    upgrade: migrate.Upgrade | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.status == "error":
            return EXIT_USAGE
        return EXIT_INVALID if self.status in ("invalid", "needs_upgrade") else EXIT_OK

    def summary(self) -> str:
        up = self.upgrade
        if up is None:
            first = next((d for d in self.diagnostics if d.severity == "error"), None)
            return f"{self.file}: not upgraded" + (f": {first.message}" if first else "")
        if not up.changed:
            return f"{self.file}: spec_version {up.from_version}, nothing to upgrade"
        n = len(up.edits)
        text = f"spec_version {up.from_version} -> {up.to_version}, {n} edit{'s' * (n != 1)}"
        if self.status == "needs_upgrade":
            return f"{self.file}: needs upgrade: {text}"
        if not up.preserved:
            text += " (re-serialized: comments and layout could not be kept)"
        if self.status == "invalid":
            errors = sum(d.severity == "error" for d in self.diagnostics)
            text += f"; the upgraded spec is invalid ({errors} error{'s' * (errors != 1)})"
        return f"{self.file}: {text}"

    def to_dict(self) -> dict[str, Any]:
        up = self.upgrade
        return {
            "file": self.file,
            "status": self.status,
            "from_version": up.from_version if up else None,
            "to_version": up.to_version if up else None,
            "preserved": up.preserved if up else None,
            "edits": [e.to_dict() for e in up.edits] if up else [],
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }


def _diagnostic_lines(name: str, diagnostics: list[Diagnostic]) -> list[str]:
    # render_text's lines for each diagnostic, without its closing per-file summary
    text = render_text([FileReport(name, diagnostics, failed=True)], show_notices=False)
    return text.splitlines()[:-1]


def _edit_lines(outcome: Outcome) -> list[str]:
    if outcome.upgrade is None:
        return []
    lines = []
    for edit in sorted(outcome.upgrade.edits, key=lambda e: (e.line or 0, e.column or 0)):
        where = outcome.file + (f":{edit.line}:{edit.column}" if edit.line is not None else "")
        lines.append(f"{where}: {edit}")
    return lines


def _upgrade_one(
    file: Path, limits: Limits, to: int | None, check: bool
) -> tuple[Outcome, str | None]:
    """Upgrade one file: its outcome, and the upgraded text (None when there is none)."""
    from rpnschema.interop import detect_tinybig
    from rpnschema.validate import validate_text

    name = str(file)
    try:
        text = io.read_text(file, max_bytes=limits.max_file_bytes)
        up = migrate.upgrade_text(text, path=name, to=to, limits=limits)
    except LoadError as e:  # unreadable, unparseable, or a version that cannot be migrated
        return Outcome(name, "error", diagnostics=[e.diagnostic]), None
    except MigrationError as e:
        return Outcome(name, "invalid", diagnostics=e.diagnostics), None
    if detect_tinybig(up.data):
        found = Diagnostic(
            Code.NOT_A_MAPPING,
            "this is a tinybig config, not an rpnschema spec",
            file=name,
            expected="an rpnschema spec",
            found="a tinybig config",
            suggestion=f"convert it with `rpnschema convert {name}`",
        )
        return Outcome(name, "error", diagnostics=[found]), None
    if check:
        return Outcome(name, "needs_upgrade" if up.changed else "up_to_date", up), None
    result = validate_text(up.text, file=name, format=up.format, limits=limits)
    errors = [d for d in result.diagnostics if d.severity == "error"]
    if errors:
        return Outcome(name, "invalid", up, errors), up.text
    return Outcome(name, "upgraded" if up.changed else "up_to_date", up), up.text


def _usage(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


@app.command()
@with_limits
def upgrade(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Spec files (JSON or YAML) or directories (every spec file under them, see "
            "--glob); '-' reads standard input.",
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the upgraded spec here (one FILE), atomically."),
    ] = None,
    in_place: Annotated[
        bool, typer.Option("--in-place", "-i", help="Rewrite each file that needs it, atomically.")
    ] = False,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 when a file needs upgrading (CI)."),
    ] = False,
    to: Annotated[
        int | None,
        typer.Option("--to", help=f"Target spec_version (default: the latest, {migrate.LATEST})."),
    ] = None,
    format: Annotated[
        EditFormat,
        typer.Option(
            "--format",
            "-f",
            help="Report of the edits: text (stderr) or json (stdout, or stderr when the "
            "upgraded spec goes to stdout).",
        ),
    ] = EditFormat.text,
    glob: Glob = None,
    exclude: Exclude = None,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Migrate specs of an older spec_version to the current one, keeping comments and layout
    (the edits are made in place in the text; when that is not possible the spec is
    re-serialized, and the summary says so). The result is validated.

    The upgraded spec goes to stdout, to --out, or back into each file with --in-place; a
    one-line summary per file goes to stderr. An upgraded spec that does not validate is still
    written (the migration is right; the report lists what else to fix). Exit code 0 when done
    (or nothing to do), 1 when an upgraded spec is invalid or, with --check, a file needs
    upgrading, 2 on a usage or I/O error or a spec_version this rpnschema cannot migrate.
    """
    files = spec_paths(files, glob or SPEC_GLOBS, exclude or ())
    if to is not None and not migrate.OLDEST <= to <= migrate.LATEST:
        _usage(
            f"--to {to} is not a spec_version this rpnschema knows ({migrate.OLDEST} to "
            f"{migrate.LATEST}); omit --to to upgrade to the latest"
        )
    if out is not None and in_place:
        _usage("give --out or --in-place, not both")
    if check and (out is not None or in_place):
        _usage("--check writes nothing: drop --out/--in-place")
    if out is not None and len(files) > 1:
        _usage(f"--out takes one FILE, found {len(files)}; use --in-place for several files")
    if not (check or in_place) and len(files) > 1:
        _usage(f"{len(files)} files given: use --in-place (or --check) for several files")
    if in_place and any(str(f) == "-" for f in files):
        _usage("--in-place cannot rewrite standard input; use --out or stdout")
    spec_to_stdout = not (check or in_place or out is not None)
    outcomes = []
    for file in files:
        outcome, text = _upgrade_one(file, limits, to, check)
        outcomes.append(outcome)
        if text is not None and outcome.upgrade is not None:
            if in_place:
                if outcome.upgrade.changed:
                    write_output(text, file)
            else:
                write_output(text, out)
        if format == EditFormat.text:
            for line in _edit_lines(outcome):
                typer.echo(line, err=True)
        for line in _diagnostic_lines(outcome.file, outcome.diagnostics):
            typer.echo(line, err=True)
        typer.echo(outcome.summary(), err=True)
    if format == EditFormat.json:
        document = {
            "format": "rpnschema-upgrade",
            "version": 1,
            "files": [o.to_dict() for o in outcomes],
        }
        typer.echo(json.dumps(document, indent=2), err=spec_to_stdout)
    raise typer.Exit(max(o.exit_code for o in outcomes))
