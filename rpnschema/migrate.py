"""Spec format versions and the migrations between them, over plain data (no torch).

A spec declares its format in ``spec_version``; one without it is version 1
(:data:`IMPLICIT`), the first released format, also once later versions exist, so that specs
written before then are migrated rather than misread. Version 0 is the pre-release format, in
which a head's channel count was spelled ``channel_num`` (tinybig's name); version 1 spells it
``channels``.

Each :class:`Migration` takes data of version ``k`` to ``k + 1`` and records every change as an
:class:`Edit`; :func:`upgrade_data` applies the chain in order. :func:`upgrade_text` applies the
same edits to the text at their source positions, so comments and layout survive; it checks
the edited text against the data-level result and re-serializes when they differ. Adding a
version is one function and one :data:`MIGRATIONS` entry (and ``SPEC_VERSION`` + 1).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from rpnschema import io
from rpnschema.errors import (
    Code,
    Diagnostic,
    LoadError,
    Loc,
    MigrationError,
    VersionError,
    format_path,
)
from rpnschema.limits import Limits
from rpnschema.spec.model import SPEC_VERSION

#: The oldest spec_version that can be migrated; the newest is :data:`LATEST`.
OLDEST = 0
LATEST = SPEC_VERSION
#: The version of a spec that does not declare one: 1, whatever :data:`LATEST` becomes.
IMPLICIT = 1
#: Validation reads specs from this version on by migrating them in memory: the later steps
#: only write the defaults of the version they come from (version 0 renamed keys, so a version 0
#: spec is an error that points to ``rpnschema upgrade``).
READ_MIGRATED = 1

Op = Literal["rename", "set", "insert"]


@dataclass(frozen=True)
class Edit:
    """One change a migration made, at its path in the data the migration was given.

    ``op``: ``rename`` (the key at ``path`` becomes ``value``), ``set`` (the value at ``path``
    becomes ``value``) or ``insert`` (a new key at ``path`` with ``value``). ``line`` and
    ``column`` point into the original text when the data came from one."""

    op: Op
    path: Loc
    value: Any
    description: str
    from_version: int
    line: int | None = None
    column: int | None = None

    @property
    def pointer(self) -> str:
        return format_path(self.path)

    def to_dict(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "path": self.pointer,
            "value": self.value,
            "description": self.description,
            "from_version": self.from_version,
            "to_version": self.from_version + 1,
            "line": self.line,
            "column": self.column,
        }

    def __str__(self) -> str:
        return f"{self.pointer}: {self.description}"


@dataclass
class Editor:
    """What a migration step changes its data with; each change is recorded as an :class:`Edit`."""

    from_version: int
    edits: list[Edit] = field(default_factory=list)

    def rename(self, mapping: dict[Any, Any], path: Loc, old: str, new: str) -> None:
        """Rename key ``old`` of ``mapping`` (at ``path``) to ``new``, keeping its place."""
        if new in mapping:
            raise MigrationError(
                [
                    Diagnostic(
                        Code.CONFLICT,
                        f"{old} (spec_version {self.from_version}) and {new} "
                        f"(spec_version {self.from_version + 1}) are both given",
                        path=(*path, old),
                        expected=f"only {old}, as spec_version {self.from_version} spells it",
                        found=f"{old} and {new}",
                        suggestion=f"remove {new}, or remove {old} and set spec_version to "
                        f"{self.from_version + 1}",
                    )
                ]
            )
        items = [(new if k == old else k, v) for k, v in mapping.items()]
        mapping.clear()
        mapping.update(items)
        self.edits.append(
            Edit("rename", (*path, old), new, f"renamed {old} to {new}", self.from_version)
        )

    def set(self, mapping: dict[Any, Any] | list[Any], path: Loc, key: Any, value: Any) -> None:
        """Set ``mapping[key]`` (at ``path``; a list item by its index) to ``value``; a new key
        goes first."""
        if isinstance(mapping, list) or key in mapping:
            old = mapping[key]
            mapping[key] = value
            description = f"{_show(old)} -> {_show(value)}"
            self.edits.append(Edit("set", (*path, key), value, description, self.from_version))
            return
        items = list(mapping.items())
        mapping.clear()
        mapping.update([(key, value), *items])
        description = f"added {key}: {_show(value)}"
        self.edits.append(Edit("insert", (*path, key), value, description, self.from_version))


@dataclass(frozen=True)
class Migration:
    """One step: spec data of ``from_version`` to ``from_version + 1``.

    ``apply`` changes the (already copied) data in place through the :class:`Editor`; the chain
    then sets ``spec_version``."""

    from_version: int
    description: str
    apply: Callable[[dict[str, Any], Editor], None]

    @property
    def to_version(self) -> int:
        return self.from_version + 1


def heads(data: dict[str, Any]) -> Iterator[tuple[Loc, dict[str, Any]]]:
    """Every head mapping of a spec (``layers[*].heads[*]``, a single head written for
    ``heads``, and the ``head`` template of the ``dims`` form), with its path."""
    head = data.get("head")
    if isinstance(head, dict):
        yield ("head",), head
    layers = data.get("layers")
    if not isinstance(layers, list):
        return
    for i, layer in enumerate(layers):
        if not isinstance(layer, dict):
            continue
        items = layer.get("heads")
        if isinstance(items, dict):
            yield ("layers", i, "heads"), items
        elif isinstance(items, list):
            for j, item in enumerate(items):
                if isinstance(item, dict):
                    yield ("layers", i, "heads", j), item


def _v0_channel_num(data: dict[str, Any], editor: Editor) -> None:
    for path, head in heads(data):
        if "channel_num" in head:
            editor.rename(head, path, "channel_num", "channels")


#: Defaults spec_version 2 changed to tinybig 0.2.1's code defaults: expansion name ->
#: {parameter: its spec_version 1 default}. The 1 -> 2 migration writes these explicitly where a
#: spec leaves them out, so a version 1 file keeps meaning what it meant.
V1_DEFAULTS: dict[str, dict[str, Any]] = {
    "chebyshev_expansion": {"d": 5},
    "jacobi_expansion": {"d": 5},
    "fourier_expansion": {"P": 1.0},
}


def _v1_expansion(slot: Any, key: Any, path: Loc, editor: Editor) -> None:
    """Make the version 1 defaults explicit in the expansion ``slot[key]`` and its parts."""
    value = slot[key]
    if isinstance(value, str) and value in V1_DEFAULTS:
        editor.set(slot, path[:-1], key, {"name": value, **V1_DEFAULTS[value]})
        return
    if not isinstance(value, dict):
        return
    name = value.get("name")
    for param, old in reversed(V1_DEFAULTS.get(name, {}).items() if isinstance(name, str) else []):
        if param not in value:
            editor.set(value, path, param, old)
    functions = value.get("functions")
    if isinstance(functions, list):
        for i in range(len(functions)):
            _v1_expansion(functions, i, (*path, "functions", i), editor)


def _v1_defaults(data: dict[str, Any], editor: Editor) -> None:
    for path, head in heads(data):
        if "expansion" in head:
            _v1_expansion(head, "expansion", (*path, "expansion"), editor)


#: The chain of migrations, ``MIGRATIONS[k]`` taking version ``OLDEST + k`` to the next.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(0, "a head's channel_num is now spelled channels", _v0_channel_num),
    Migration(
        1,
        "defaults follow tinybig 0.2.1's code (chebyshev_expansion and jacobi_expansion d: 5 -> "
        "2, fourier_expansion P: 1.0 -> 10.0): the old defaults are written where omitted",
        _v1_defaults,
    ),
)


# --- versions ---------------------------------------------------------------------------------


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else json.dumps(value, default=repr)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _too_new(version: int, latest: int) -> Diagnostic:
    return Diagnostic(
        Code.SPEC_VERSION,
        f"spec_version {version} is newer than this rpnschema understands (it reads "
        f"spec_version {latest}); upgrade rpnschema",
        path=("spec_version",),
        expected=f"spec_version {latest} or lower",
        found=str(version),
        suggestion=f"install a newer rpnschema (one that reads spec_version {version})",
    )


def version_of(data: Any, *, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """The spec_version of spec data: its ``spec_version``, :data:`IMPLICIT` when absent (the
    latest when the data is not a mapping). Raises :class:`VersionError` for a version that
    cannot be read."""
    oldest, latest = _bounds(migrations)
    if not isinstance(data, dict):
        return latest
    if "spec_version" not in data:
        return min(IMPLICIT, latest)
    version = data["spec_version"]
    if _is_int(version) and version > latest:
        raise VersionError(_too_new(version, latest))
    if not _is_int(version) or version < oldest:
        raise VersionError(
            Diagnostic(
                Code.SPEC_VERSION,
                f"spec_version must be an integer from {oldest} to {latest}, found "
                f"{_show(version)}",
                path=("spec_version",),
                expected=f"an integer from {oldest} to {latest}",
                found=_show(version),
                suggestion=f"write spec_version: {latest} for a current spec, or remove it",
            )
        )
    return version


def needs_upgrade(data: Any, to: int | None = None) -> bool:
    """Whether spec data is older than ``to`` (default: the latest version)."""
    return version_of(data) < (LATEST if to is None else to)


def read_older(
    data: dict[str, Any], file: str | None = None
) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Spec data of a version from :data:`READ_MIGRATED` on, migrated in memory to the latest
    (those steps only write the defaults their version had, so nothing is misread), and one
    notice per default so kept; data of another version is returned as it is."""
    version = data.get("spec_version", IMPLICIT)
    if not _is_int(version) or not READ_MIGRATED <= version < LATEST:
        return data, []
    try:
        migrated, edits = upgrade_data(data)
    except (VersionError, MigrationError):  # pragma: no cover - these steps only add defaults
        return data, []
    given = (
        "no spec_version (version 1)" if "spec_version" not in data else f"spec_version {version}"
    )
    suggestion = f"run `rpnschema upgrade {file or 'FILE'} --in-place` to write it explicitly"
    notices = [
        Diagnostic(
            Code.SPEC_VERSION,
            f"{given}: {kept}",
            path=edit.path,
            severity="notice",
            suggestion=suggestion,
        )
        for edit in edits
        if edit.path != ("spec_version",)
        for kept in _kept(migrated, edit)
    ]
    return migrated, notices


def _at(data: Any, path: Loc) -> Any:
    for key in path:
        data = data[key]
    return data


def _kept(migrated: dict[str, Any], edit: Edit) -> list[str]:
    """What a former default written by ``edit`` means, one line per parameter."""
    from rpnschema.spec import CATALOG

    if edit.op == "insert":
        component, params = _at(migrated, edit.path[:-1]), {edit.path[-1]: edit.value}
    elif isinstance(edit.value, dict):
        component, params = edit.value, {k: v for k, v in edit.value.items() if k != "name"}
    else:  # pragma: no cover - the steps that validation reads only insert defaults
        return [edit.description]
    name = component.get("name")
    cls = CATALOG.get(name) if isinstance(name, str) else None
    lines = []
    for param, old in params.items():
        now = cls.model_fields[param].default if cls and param in cls.model_fields else "?"
        lines.append(
            f"{name} {param} = {_show(old)}, that version's default (spec_version {LATEST} "
            f"defaults to {_show(now)}, tinybig's)"
        )
    return lines


def version_diagnostic(data: dict[str, Any], file: str | None = None) -> Diagnostic | None:
    """Validation's explanation of a spec_version other than the current one (None if it is
    current, read migrated (:func:`read_older`), or not an integer: the model's own checks
    report that). An absent one is :data:`IMPLICIT`."""
    version = data.get("spec_version", IMPLICIT)
    if not _is_int(version) or READ_MIGRATED <= version <= LATEST or version < OLDEST:
        return None
    if version > LATEST:
        return _too_new(version, LATEST)
    steps = MIGRATIONS[version - OLDEST :]
    plural = "migration applies" if len(steps) == 1 else "migrations apply"
    what = "; ".join(f"{m.from_version} -> {m.to_version}, {m.description}" for m in steps)
    return Diagnostic(
        Code.SPEC_VERSION,
        f"spec_version {version} is older than the version this rpnschema reads ({LATEST})",
        path=("spec_version",),
        expected=f"spec_version {LATEST}",
        found=str(version),
        suggestion=f"run `rpnschema upgrade {file or 'FILE'}` to see it migrated, with --in-place "
        f"to rewrite it; {len(steps)} {plural}: {what}",
    )


def _bounds(migrations: Sequence[Migration]) -> tuple[int, int]:
    first = migrations[0].from_version if migrations else LATEST
    return first, (migrations[-1].to_version if migrations else LATEST)


def _target(to: int | None, version: int, migrations: Sequence[Migration]) -> int:
    oldest, latest = _bounds(migrations)
    if to is None:
        return latest
    if not oldest <= to <= latest:
        raise VersionError(
            Diagnostic(
                Code.SPEC_VERSION,
                f"cannot upgrade to spec_version {to}: this rpnschema knows spec_version "
                f"{oldest} to {latest}",
                expected=f"a version from {oldest} to {latest}",
                found=str(to),
                suggestion=f"omit the target to upgrade to spec_version {latest}",
            )
        )
    if to < version:
        raise VersionError(
            Diagnostic(
                Code.SPEC_VERSION,
                f"cannot downgrade spec_version {version} to {to}",
                path=("spec_version",),
                expected=f"a target of at least {version}",
                found=str(to),
                suggestion="migrations only go forward; keep the file as it is",
            )
        )
    return to


# --- data -------------------------------------------------------------------------------------


def _copy(data: Any) -> Any:
    """A fresh tree (YAML aliases become separate copies, so each path is edited once)."""
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data


def _step(step: Migration, data: Any) -> tuple[Any, list[Edit]]:
    data = _copy(data)
    editor = Editor(step.from_version)
    step.apply(data, editor)
    editor.set(data, (), "spec_version", step.to_version)
    return data, editor.edits


def _steps(data: Any, to: int | None, migrations: Sequence[Migration]) -> list[Migration]:
    version = version_of(data, migrations=migrations)
    target = _target(to, version, migrations)
    oldest, _ = _bounds(migrations)
    return list(migrations[version - oldest : target - oldest])


def upgrade_data(
    data: Any, to: int | None = None, *, migrations: Sequence[Migration] = MIGRATIONS
) -> tuple[Any, list[Edit]]:
    """Migrate spec data to version ``to`` (default: the latest); ``data`` is not changed.

    Returns the migrated data and every edit, in order (each step's paths refer to the data that
    step was given). Raises :class:`VersionError` for an unknown, too new or downgrading
    version, :class:`MigrationError` when a step conflicts with the data."""
    edits: list[Edit] = []
    for step in _steps(data, to, migrations):
        data, done = _step(step, data)
        edits += done
    return data, edits


# --- text -------------------------------------------------------------------------------------


@dataclass
class Upgrade:
    """The result of :func:`upgrade_text`.

    ``preserved``: the text was edited in place (comments and layout kept); otherwise it was
    re-serialized from the migrated data."""

    text: str
    data: Any
    from_version: int
    to_version: int
    edits: list[Edit]
    preserved: bool
    format: io.Format

    @property
    def changed(self) -> bool:
        return bool(self.edits)


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _scalar(value: Any, like: str, fmt: io.Format) -> str:
    """``value`` written as a token in the quoting style of ``like`` (a mapping as a flow
    mapping in that style: ``{name: chebyshev_expansion, d: 5}`` in YAML)."""
    if isinstance(value, dict) and fmt != "json":
        items = (f"{_scalar(k, like, fmt)}: {_scalar(v, like, fmt)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if not isinstance(value, str):
        return json.dumps(value)
    if like.startswith("'"):
        return "'" + value.replace("'", "''") + "'"
    if like.startswith('"') or fmt == "json" or not _PLAIN.fullmatch(value):
        return json.dumps(value)
    return value


def _insertion(text: str, edit: Edit, spans: io.Spans, fmt: io.Format) -> tuple[int, str] | None:
    """Where and what to insert for a new key: before the mapping's first key, on its own line
    at that key's column (block style) or followed by ``, `` (flow style, JSON)."""
    parent, key = edit.path[:-1], edit.path[-1]
    mapping = spans.values.get(parent)
    if mapping is None or not isinstance(key, str):
        return None
    siblings = [s for p, s in spans.keys.items() if p[:-1] == parent and len(p) == len(edit.path)]
    flow = text[mapping[0]] == "{"
    token = json.dumps(key) if flow and fmt == "json" else _scalar(key, key, fmt)
    entry = f"{token}: {json.dumps(edit.value)}"
    if not siblings:
        return (mapping[0] + 1, entry) if flow and text[mapping[1] - 1] == "}" else None
    start = min(s[0] for s in siblings)
    column = start - (text.rfind("\n", 0, start) + 1)
    if flow:
        gap = text[mapping[0] + 1 : start]
        return start, entry + (",\n" + " " * column if "\n" in gap else ", ")
    return start, entry + "\n" + " " * column


def _replacements(
    text: str, edits: Sequence[Edit], spans: io.Spans, fmt: io.Format
) -> list[tuple[int, int, str]] | None:
    out: set[tuple[int, int, str]] = set()
    for edit in edits:
        if edit.op == "rename":
            span = spans.keys.get(edit.path)
            if span is None:
                return None
            out.add((*span, _scalar(edit.value, text[span[0] : span[1]], fmt)))
        elif edit.op == "set":
            span = spans.values.get(edit.path)
            if span is None:
                return None
            out.add((*span, _scalar(edit.value, text[span[0] : span[1]], fmt)))
        else:
            at = _insertion(text, edit, spans, fmt)
            if at is None:
                return None
            out.add((at[0], at[0], at[1]))
    ordered = sorted(out)
    if any(a[1] > b[0] for a, b in itertools.pairwise(ordered)):
        return None  # overlapping edits (one span edited two ways): re-serialize instead
    return ordered


def _same(a: Any, b: Any) -> bool:
    """Equal data, types and key order included (1 is not 1.0 nor true; NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return b != b
    return bool(a == b)


def _edit_text(
    text: str, data: Any, steps: Sequence[Migration], fmt: io.Format, limits: Limits | None
) -> str | None:
    """The text with every step's edits applied in place, or None when that is not possible
    or does not give exactly the migrated data."""
    for step in steps:
        data, edits = _step(step, data)
        try:
            spans = io.spans(text, limits=limits)
        except LoadError:
            return None
        replacements = _replacements(text, edits, spans, fmt)
        if replacements is None:
            return None
        for start, end, new in reversed(replacements):
            text = text[:start] + new + text[end:]
        try:
            reparsed = io.parse(text, format=fmt, limits=limits).data
        except LoadError:
            return None
        if not _same(reparsed, data):
            return None
    return text


def _locate(edit: Edit, document: io.Document) -> Edit:
    position = document.position(edit.path, key=edit.op == "rename")
    if edit.op == "insert":
        position = document.position(edit.path[:-1])
    if position is None:
        return edit
    return replace(edit, line=position[0], column=position[1])


def upgrade_text(
    text: str,
    *,
    path: str | None = None,
    to: int | None = None,
    format: io.Format | None = None,
    limits: Limits | None = None,
    migrations: Sequence[Migration] = MIGRATIONS,
) -> Upgrade:
    """Migrate a JSON or YAML spec text to version ``to`` (default: the latest), keeping its
    comments and layout where the edits can be made in place.

    ``path`` names the text in diagnostics and picks the format by its suffix. Raises
    :class:`~rpnschema.errors.LoadError` when the text cannot be parsed, and what
    :func:`upgrade_data` raises, located in the text."""
    fmt = format or io.detect_format(path, text)
    document = io.parse(text, file=path, format=fmt, limits=limits)
    try:
        version = version_of(document.data, migrations=migrations)
        steps = _steps(document.data, to, migrations)
        data, edits = upgrade_data(document.data, to, migrations=migrations)
    except VersionError as e:
        raise VersionError(document.locate(e.diagnostic)) from e
    except MigrationError as e:
        raise MigrationError([document.locate(d, key=True) for d in e.diagnostics]) from e
    target = steps[-1].to_version if steps else version
    edits = [_locate(e, document) for e in edits]
    if not edits:
        return Upgrade(text, document.data, version, target, [], True, fmt)
    edited = _edit_text(text, document.data, steps, fmt, limits)
    if edited is not None:
        return Upgrade(edited, data, version, target, edits, True, fmt)
    return Upgrade(io.dumps(data, fmt), data, version, target, edits, False, fmt)
