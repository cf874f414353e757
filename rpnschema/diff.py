"""The architectural difference of two normalized specs: layers, heads, components and fields
added, removed or changed, with dimension and parameter-count deltas. No torch.

Layers are matched by index, heads by index within a layer; a component whose ``name``
changes is reported as one change, one whose parameters change as one change per field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from rpnschema.canonical import SpecSource, spec_hash
from rpnschema.errors import format_path, plural

Kind = Literal["added", "removed", "changed"]
#: Figures inferred by normalization, reported on one dims line per layer or head.
FIGURES = ("m", "n", "width", "channels", "D", "l", "output_dim", "parameters")


@dataclass
class Change:
    """One difference. ``path`` is a JSON pointer into the normalized spec."""

    kind: Kind
    path: str
    before: Any = None
    after: Any = None
    parameters_delta: int = 0

    def to_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": self.path,
            "before": self.before,
            "after": self.after,
            "parameters_delta": self.parameters_delta,
        }


@dataclass
class SpecDiff:
    hash_a: str
    hash_b: str
    parameters_a: int
    parameters_b: int
    changes: list[Change]

    @property
    def equal(self) -> bool:
        return self.hash_a == self.hash_b

    def to_data(self) -> dict[str, Any]:
        return {
            "equal": self.equal,
            "hash": {"a": self.hash_a, "b": self.hash_b},
            "parameters": {
                "a": self.parameters_a,
                "b": self.parameters_b,
                "delta": self.parameters_b - self.parameters_a,
            },
            "changes": [c.to_data() for c in self.changes],
        }


def _ptr(path: tuple[Any, ...]) -> str:
    """The path as ``validate`` prints it: ``layers/0/heads/1`` (``<root>`` for the model)."""
    return format_path(path)


def _fields(a: Any, b: Any, path: tuple[Any, ...], out: list[Change]) -> None:
    """Leaf differences of two JSON values; a renamed component is one change."""
    if isinstance(a, dict) and isinstance(b, dict):
        if "name" in a and "name" in b and a["name"] != b["name"]:
            out.append(Change("changed", _ptr(path), a, b))
            return
        for key in [*a, *(k for k in b if k not in a)]:
            if key not in b:
                out.append(Change("removed", _ptr((*path, key)), a[key], None))
            elif key not in a:
                out.append(Change("added", _ptr((*path, key)), None, b[key]))
            else:
                _fields(a[key], b[key], (*path, key), out)
    elif isinstance(a, list) and isinstance(b, list):
        for i in range(max(len(a), len(b))):
            if i >= len(b):
                out.append(Change("removed", _ptr((*path, i)), a[i], None))
            elif i >= len(a):
                out.append(Change("added", _ptr((*path, i)), None, b[i]))
            else:
                _fields(a[i], b[i], (*path, i), out)
    elif a != b:
        out.append(Change("changed", _ptr(path), a, b))


def _figures(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in FIGURES if k in data}


def _without(data: dict[str, Any], skip: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in skip}


def _node(a: dict[str, Any], b: dict[str, Any], path: tuple[Any, ...], out: list[Change]) -> None:
    """A layer or head present in both: its figures (one change), then its own fields."""
    fa, fb = _figures(a), _figures(b)
    if fa != fb:
        delta = fb.get("parameters", 0) - fa.get("parameters", 0)
        out.append(Change("changed", _ptr(path), fa, fb, delta))
    _fields(_without(a, (*FIGURES, "heads")), _without(b, (*FIGURES, "heads")), path, out)


def _items(
    a: list[dict[str, Any]], b: list[dict[str, Any]], path: tuple[Any, ...], out: list[Change]
) -> list[int]:
    """Added and removed entries of a list of layers or heads; the indices present in both."""
    for i in range(len(b), len(a)):
        out.append(Change("removed", _ptr((*path, i)), a[i], None, -a[i].get("parameters", 0)))
    for i in range(len(a), len(b)):
        out.append(Change("added", _ptr((*path, i)), None, b[i], b[i].get("parameters", 0)))
    return list(range(min(len(a), len(b))))


def diff(a: SpecSource, b: SpecSource) -> SpecDiff:
    """The differences from spec ``a`` to spec ``b`` (paths, mappings or spec objects; each is
    normalized first when it is not yet)."""
    from rpnschema.validate import as_normalized

    a, b = as_normalized(a), as_normalized(b)
    da, db = a.to_data(), b.to_data()
    out: list[Change] = []
    ma, mb = _without(da, ("layers", "parameters")), _without(db, ("layers", "parameters"))
    for key in [*ma, *(k for k in mb if k not in ma)]:  # the model's name is not a component's
        if key not in mb:
            out.append(Change("removed", _ptr((key,)), ma[key], None))
        elif key not in ma:
            out.append(Change("added", _ptr((key,)), None, mb[key]))
        else:
            _fields(ma[key], mb[key], (key,), out)
    la, lb = da.get("layers", []), db.get("layers", [])
    for i in _items(la, lb, ("layers",), out):
        _node(la[i], lb[i], ("layers", i), out)
        ha, hb = la[i]["heads"], lb[i]["heads"]
        for j in _items(ha, hb, ("layers", i, "heads"), out):
            _node(ha[j], hb[j], ("layers", i, "heads", j), out)
    out.sort(
        key=lambda c: [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in c.path.split("/")]
    )
    return SpecDiff(spec_hash(a), spec_hash(b), a.parameters or 0, b.parameters or 0, out)


def _show(value: Any) -> str:
    if isinstance(value, dict) and "name" in value:
        args = ", ".join(f"{k}={_show(v)}" for k, v in value.items() if k != "name" and v != [])
        return f"{value['name']}({args})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _summary(item: dict[str, Any]) -> str:
    """A layer or head in one line: its figures and, for a head, its components."""
    parts = [
        f"{k} {item[k]:,}" if isinstance(item[k], int) else f"{k} {item[k]}"
        for k in FIGURES
        if k in item
    ]
    for key in ("expansion", "reconciliation", "remainder"):
        if key in item:
            parts.append(item[key]["name"])
    if "heads" in item:
        parts.append(plural(len(item["heads"]), "head"))
    return ", ".join(parts)


def _signed(delta: int) -> str:
    return f"{delta:+,}"


def render_text(result: SpecDiff) -> str:
    """One line per change (``+`` added, ``-`` removed, ``~`` changed), then the totals."""
    if result.equal:
        return f"equal (sha256 {result.hash_a})\n"
    lines = []
    for c in result.changes:
        where = c.path or "/"
        if c.kind == "added":
            shown = (
                _summary(c.after)
                if isinstance(c.after, dict) and "parameters" in c.after
                else _show(c.after)
            )
            lines.append(f"+ {where}: {shown}")
        elif c.kind == "removed":
            shown = (
                _summary(c.before)
                if isinstance(c.before, dict) and "parameters" in c.before
                else _show(c.before)
            )
            lines.append(f"- {where}: {shown}")
        elif isinstance(c.before, dict) and isinstance(c.after, dict) and "name" not in c.before:
            keys = [k for k in FIGURES if c.before.get(k) != c.after.get(k)]
            shown = ", ".join(f"{k} {c.before.get(k)} -> {c.after.get(k)}" for k in keys)
            if c.parameters_delta:
                shown += f" ({_signed(c.parameters_delta)})"
            lines.append(f"~ {where}: {shown}")
        else:
            lines.append(f"~ {where}: {_show(c.before)} -> {_show(c.after)}")
    delta = result.parameters_b - result.parameters_a
    lines.append(
        f"parameters: {result.parameters_a:,} -> {result.parameters_b:,} ({_signed(delta)}); "
        f"{len(result.changes)} change{'s' if len(result.changes) != 1 else ''}"
    )
    return "\n".join(lines) + "\n"


#: The name :mod:`rpnschema` re-exports (``rpnschema.diff`` is this module).
diff_specs = diff
