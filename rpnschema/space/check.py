"""Loading a search space and checking the space itself, with located diagnostics.

The checks: the document has the space format's structure; the base spec is safe to read and
valid; every dimension path leads into the base spec (and is not inside another dimension);
choices name catalog components of the slot's family with parameters they have; values and
range ends are accepted by the spec's own schema (each is tried in the base spec, alone).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from pydantic import ValidationError

from rpnschema import io
from rpnschema.errors import Code, Diagnostic, LoadError, Loc, SpecError
from rpnschema.limits import Limits
from rpnschema.space.candidates import Dimensions, materialize, split_path
from rpnschema.space.model import Budgets, Choice, FloatRange, IntRange, SpaceSpec, Tie, Values
from rpnschema.spec import registry
from rpnschema.validate import _close

#: The family each component slot of a spec takes.
SLOT_FAMILIES = {
    "expansion": "expansion",
    "reconciliation": "reconciliation",
    "remainder": "remainder",
    "channel_fusion": "fusion",
    "head_fusion": "fusion",
}


@dataclass
class Space:
    """A checked search space: its model, the base spec data and the dimensions.

    ``analyze``, ``sample`` and ``grid`` are static (no torch); ``suggest`` draws a candidate
    from an Optuna trial (the ``[search]`` extra)."""

    spec: SpaceSpec
    base: dict[str, Any]
    file: str | None = None
    limits: Limits = field(default_factory=Limits)

    @property
    def dimensions(self) -> Dimensions:
        return Dimensions(self.spec.dimensions)

    @property
    def size(self) -> int | None:
        """The number of candidates (None when a dimension is continuous)."""
        return self.dimensions.size

    def analyze(self, **kw: Any) -> Any:
        """See :func:`rpnschema.space.analysis.analyze`."""
        from rpnschema.space.analysis import analyze

        return analyze(self, **kw)

    def sample(self, n: int, **kw: Any) -> Any:
        """See :func:`rpnschema.space.analysis.sample`."""
        from rpnschema.space.analysis import sample

        return sample(self, n, **kw)

    def grid(self) -> Any:
        """See :func:`rpnschema.space.analysis.grid`."""
        from rpnschema.space.analysis import grid

        return grid(self)

    def suggest(self, trial: Any) -> Any:
        """See :func:`rpnschema.space.tuning.suggest`."""
        from rpnschema.space.tuning import suggest

        return suggest(self, trial)


@dataclass
class SpaceResult:
    space: Space | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    file: str | None = None

    @property
    def ok(self) -> bool:
        return self.space is not None

    def unwrap(self) -> Space:
        if self.space is None:
            raise SpecError([d for d in self.diagnostics if d.severity == "error"])
        return self.space


def _dim_loc(path: str, *rest: str | int) -> Loc:
    return ("dimensions", path, *rest)


def _load_base(
    spec: SpaceSpec, file: str | None, limits: Limits, diags: list[Diagnostic]
) -> dict[str, Any] | None:
    """The base spec's data (inline, or read from a file beside the space)."""
    from rpnschema.validate import validate_data

    if isinstance(spec.base, dict):
        data, document = spec.base, None
    else:
        here = FsPath(file).resolve().parent if file and file != "-" else FsPath.cwd()
        target = (here / spec.base).resolve()
        if FsPath(spec.base).is_absolute() or not target.is_relative_to(here):
            diags.append(
                Diagnostic(
                    Code.SPACE_BASE,
                    f"base {spec.base!r} is outside the space file's directory",
                    path=("base",),
                    expected="a spec file in the space file's directory or below it",
                    found=spec.base,
                    suggestion="move the base spec beside the space, or write it inline",
                )
            )
            return None
        try:
            document = io.load(target, limits=limits)
        except LoadError as e:
            diags.append(
                Diagnostic(
                    Code.SPACE_BASE,
                    f"base {spec.base!r} cannot be read: {e.diagnostic.message}",
                    path=("base",),
                    found=spec.base,
                )
            )
            return None
        data = document.data
    result = validate_data(data, document=document, limits=limits)
    if not result.ok:
        errors = [d for d in result.diagnostics if d.severity == "error"]
        diags.append(
            Diagnostic(
                Code.SPACE_BASE,
                f"the base spec is invalid ({len(errors)} error{'s' if len(errors) != 1 else ''}"
                f"); first: {errors[0].pointer}: {errors[0].message}",
                path=("base",),
                expected="a valid spec (check it with `rpnschema validate`)",
            )
        )
        return None
    return data if isinstance(data, dict) else None


def _walk_base(base: dict[str, Any], steps: tuple[str | int, ...]) -> tuple[int, list[str]]:
    """How many leading steps of ``steps`` lead to an existing parent in ``base``, and the
    keys available where the walk stopped (for suggestions)."""
    node: Any = base
    for i, step in enumerate(steps[:-1]):
        if isinstance(node, str) and i > 0:
            node = {"name": node}
        found = (isinstance(node, dict) and step in node) or (
            isinstance(node, list) and isinstance(step, int) and step < len(node)
        )
        if found:
            node = node[step]
        else:
            keys = [str(k) for k in node] if isinstance(node, dict) else []
            if isinstance(node, list):
                keys = [str(k) for k in range(len(node))]
            return i, keys
    return len(steps) - 1, []


def _check_paths(space: SpaceSpec, base: dict[str, Any], diags: list[Diagnostic]) -> None:
    paths = list(space.dimensions)
    for path, dim in space.dimensions.items():
        steps = split_path(path)
        reached, keys = _walk_base(base, steps)
        if reached < len(steps) - 1:
            bad = str(steps[reached])
            near = _close(bad, keys)
            shown = "/".join(map(str, steps[: reached + 1]))
            diags.append(
                Diagnostic(
                    Code.SPACE_PATH,
                    f"{path!r} does not lead into the base spec: it has no {shown!r}",
                    path=_dim_loc(path),
                    expected="a path in the base spec, e.g. layers/0/heads/0/expansion",
                    found=shown,
                    suggestion=f"did you mean {near!r}?" if near else None,
                )
            )
        for other in paths:
            if other != path and path.strip("/").startswith(other.strip("/") + "/"):
                diags.append(
                    Diagnostic(
                        Code.SPACE_PATH,
                        f"{path!r} lies inside the dimension {other!r}",
                        path=_dim_loc(path),
                        suggestion=f"vary it in the choice sub-space of {other!r} instead"
                        if isinstance(space.dimensions[other], Choice)
                        else f"vary {other!r} as a whole",
                    )
                )
        if isinstance(dim, Tie):
            target = dim.tie.strip("/")
            if target not in {p.strip("/") for p in paths} or isinstance(
                space.dimensions.get(target), Tie
            ):
                free = [p for p in paths if not isinstance(space.dimensions[p], Tie)]
                near = _close(target, free)
                diags.append(
                    Diagnostic(
                        Code.SPACE_PATH,
                        f"tie {dim.tie!r} is not a dimension of this space",
                        path=_dim_loc(path, "tie"),
                        expected="the path of another (untied) dimension: " + ", ".join(free),
                        found=dim.tie,
                        suggestion=f"did you mean {near!r}?" if near else None,
                    )
                )


def _check_choices(space: SpaceSpec, diags: list[Diagnostic]) -> None:
    catalog = registry.catalog()
    for path, dim in space.dimensions.items():
        if not isinstance(dim, Choice):
            continue
        slot = str(split_path(path)[-1])
        family = SLOT_FAMILIES.get(slot)
        if family is None:
            diags.append(
                Diagnostic(
                    Code.SPACE_CHOICE,
                    f"a choice of components needs a component slot, not {slot!r}",
                    path=_dim_loc(path, "choice"),
                    expected="a path ending in " + ", ".join(SLOT_FAMILIES),
                    found=slot,
                    suggestion="use a list of values for other fields",
                )
            )
            continue
        names = sorted(registry.component_name(c) for c in registry.members(family))
        for name, params in dim.choice.items():
            where = _dim_loc(path, "choice", name)
            if name not in catalog:
                near = _close(name, names)
                diags.append(
                    Diagnostic(
                        Code.SPACE_CHOICE,
                        f"unknown {family} function {name!r}",
                        path=where,
                        expected=f"one of {len(names)} {family} functions, e.g. "
                        + ", ".join(names[:4]),
                        found=name,
                        suggestion=f"did you mean {near!r}?"
                        if near
                        else f"`rpnschema list --family {family}` lists them",
                    )
                )
                continue
            owner = registry.family_of(name)
            if owner != family:
                diags.append(
                    Diagnostic(
                        Code.SPACE_CHOICE,
                        f"{name!r} is a {owner} function; {slot} takes {family} functions",
                        path=where,
                        expected=f"{'an' if family[0] in 'aeiou' else 'a'} {family} function",
                        found=name,
                        suggestion=f"`rpnschema list --family {family}` lists them",
                    )
                )
                continue
            fields = [f for f in catalog[name].model_fields if f != "name"]
            for param in params:
                if param not in fields:
                    near = _close(param, fields)
                    diags.append(
                        Diagnostic(
                            Code.UNKNOWN_KEY,
                            f"{name} has no parameter {param!r}",
                            path=(*where, param),
                            expected="one of: " + ", ".join(fields) if fields else "none",
                            found=param,
                            suggestion=f"did you mean {near!r}?" if near else None,
                        )
                    )


def _extremes(dim: Any) -> list[tuple[Loc, Any]]:
    """(space-document path, value) pairs that stand for a dimension's edges."""
    if isinstance(dim, Values):
        return [(("values", i), v) for i, v in enumerate(dim.values)]
    if isinstance(dim, IntRange):
        return [(("int", 0), dim.low), (("int", 1), dim.high)]
    if isinstance(dim, FloatRange):
        return [(("float", 0), dim.low), (("float", 1), dim.high)]
    if isinstance(dim, Choice):
        out: list[tuple[Loc, Any]] = []
        seen: set[str] = set()
        for name, params in dim.choice.items():
            if not params:
                out.append((("choice", name), name))
            lows = {k: _edge(p, 0) for k, p in params.items()}
            for k, p in params.items():
                for end in (0, -1):
                    value = {"name": name, **lows, k: _edge(p, end)}
                    text = json.dumps(value, sort_keys=True, default=str)
                    if text not in seen:
                        seen.add(text)
                        out.append((("choice", name, k), value))
        return out
    return []


def _edge(p: Any, end: int) -> Any:
    if isinstance(p, Values):
        return p.values[end]
    if isinstance(p, IntRange):
        return p.int_[end]
    if isinstance(p, FloatRange):
        return p.float_[end]
    return p.fixed


def _check_values(
    space: SpaceSpec, base: dict[str, Any], limits: Limits, diags: list[Diagnostic]
) -> None:
    """Each value and range end, alone in the base spec, must pass the spec's structure checks
    (types, bounds, choices): dimension errors are what the search prunes, not mistakes."""
    from rpnschema.validate import validate_data

    for path, dim in space.dimensions.items():
        steps = split_path(path)
        for where, value in _extremes(dim):
            try:
                data = materialize(base, {path: value})
            except (LoadError, TypeError, KeyError, IndexError):
                continue  # reported by the path check
            found = validate_data(data, limits=limits).diagnostics
            for d in found:
                if d.severity != "error" or not d.code.value.startswith("RPN2"):
                    continue
                if tuple(d.path[: len(steps)]) != steps:
                    continue
                inner = "/".join(map(str, d.path[len(steps) :]))
                at = f" ({inner})" if inner else ""
                diags.append(
                    Diagnostic(
                        Code.SPACE_RANGE,
                        f"the value {_show(value)} at {path}{at} is rejected by the spec: "
                        f"{d.message}",
                        path=_dim_loc(path, *where),
                        expected=d.expected,
                        found=d.found,
                        suggestion=d.suggestion,
                    )
                )
                break


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


_TAGS = {"values", "int", "float", "choice", "tie", "fixed"}


class _Untagged:
    """pydantic's errors with the union tags taken out of their locations (a dimension's
    kind and a parameter's kind are tags, not keys of the document)."""

    def __init__(self, error: ValidationError):
        self.error = error

    def errors(self, **kw: Any) -> list[Any]:
        out = []
        for e in self.error.errors(**kw):
            loc = list(e["loc"])
            if loc[:1] == ["dimensions"] and len(loc) > 2 and loc[2] in _TAGS:
                del loc[2]
                if loc[2:3] == ["choice"] and len(loc) > 5 and loc[5] in _TAGS:
                    del loc[5]
            out.append({**e, "loc": tuple(loc)})
        return out


def _space_fields(path: Loc, data: Any) -> list[str]:
    """The keys allowed at ``path`` of a space document (for "did you mean")."""
    models: dict[str, Any] = {
        "values": Values,
        "int": IntRange,
        "float": FloatRange,
        "choice": Choice,
        "tie": Tie,
    }
    if not path:
        return list(SpaceSpec.model_fields)
    if path == ("budgets",):
        return list(Budgets.model_fields)
    if len(path) == 2 and path[0] == "dimensions":
        node = data.get("dimensions", {}).get(path[1]) if isinstance(data, dict) else None
        kinds = [k for k in models if isinstance(node, dict) and k in node]
        if len(kinds) == 1:
            cls = models[kinds[0]]
            return [f.alias or name for name, f in cls.model_fields.items()]
        return list(models)
    if len(path) == 4 and path[0] == "dimensions" and path[2] == "choice":
        cls = registry.catalog().get(str(path[3]))
        return [f for f in cls.model_fields if f != "name"] if cls else []
    return []


def check_space_data(
    data: Any,
    *,
    document: io.Document | None = None,
    limits: Limits | None = None,
) -> SpaceResult:
    """Check a space document's data (``document`` gives positions and the file's directory)."""
    from rpnschema.validate import from_pydantic

    limits = limits or Limits()
    file = document.file if document else None
    diags: list[Diagnostic] = []
    space: Space | None = None
    if not isinstance(data, dict):
        diags.append(
            Diagnostic(
                Code.NOT_A_MAPPING,
                "a search space must be a mapping",
                expected="a mapping with base and dimensions",
                found=type(data).__name__,
            )
        )
    else:
        try:
            spec = SpaceSpec.model_validate(data)
        except ValidationError as e:
            diags.extend(from_pydantic(_Untagged(e), data, fields_at=_space_fields))  # type: ignore[arg-type]
        else:
            base = _load_base(spec, file, limits, diags)
            if base is not None:
                _check_paths(spec, base, diags)
                _check_choices(spec, diags)
                if not diags:
                    _check_values(spec, base, limits, diags)
                if not diags:
                    space = Space(spec, base, file, limits)
    if document is not None:
        diags = [
            document.locate(d, key=d.code in (Code.UNKNOWN_KEY, Code.SPACE_CHOICE)) for d in diags
        ]
        diags.sort(key=lambda d: (d.line is None, d.line or 0, d.column or 0))
    return SpaceResult(space, diags, file)


def check_space_file(path: str | FsPath, *, limits: Limits | None = None) -> SpaceResult:
    """Read and check a space file; raises :class:`LoadError` when it cannot be read/parsed."""
    document = io.load(path, limits=limits)
    return check_space_data(document.data, document=document, limits=limits)


def load_space(source: str | FsPath | dict[str, Any], *, limits: Limits | None = None) -> Space:
    """A checked space from a file path or plain data; raises :class:`SpecError` listing every
    problem (located) when the space is invalid."""
    if isinstance(source, dict):
        return check_space_data(source, limits=limits).unwrap()
    return check_space_file(source, limits=limits).unwrap()
