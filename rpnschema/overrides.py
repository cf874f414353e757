"""Overrides: ``--set layers.0.heads.0.expansion.d=3`` applied to a spec document before
validation, so an override is typed and checked like the file itself.

A value is parsed as YAML (safe loading: ``3`` is an int, ``true`` a bool, ``[2, 5, 1]`` a list,
``{name: lorr_reconciliation, r: 2}`` a mapping); ``null`` removes the key, restoring its
default. A path step into a component given by name only (``expansion: taylor_expansion``)
turns it into a mapping (``{name: taylor_expansion}``). Problems found at or under an overridden
path are reported at that path with ``(from --set ...)`` and no file position.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import yaml

from rpnschema.errors import Code, Diagnostic, LoadError, Loc
from rpnschema.io import Document
from rpnschema.safeload import NumberTooLong, load_value


@dataclass(frozen=True)
class Override:
    """One ``PATH=VALUE``: ``path`` as dotted steps, ``value`` parsed as YAML."""

    text: str
    steps: tuple[str, ...]
    value: Any


def _usage(message: str, **kw: Any) -> LoadError:
    return LoadError(Diagnostic(Code.BAD_VALUE, message, **kw))


def parse_override(text: str) -> Override:
    """Parse ``PATH=VALUE``; raises :class:`LoadError` (a usage error) when malformed."""
    path, sep, raw = text.partition("=")
    steps = tuple(path.strip().split("."))
    if not sep or not path.strip() or any(not s for s in steps):
        raise _usage(
            f"--set {text!r}: expected PATH=VALUE with a dotted PATH",
            expected="e.g. layers.0.heads.0.expansion.d=3",
            found=text,
        )
    try:
        value = load_value(raw) if raw.strip() else None
    except (yaml.YAMLError, NumberTooLong) as e:
        raise _usage(f"--set {text!r}: the value is not YAML: {e}", found=raw) from e
    return Override(text, steps, value)


def _step(node: Any, step: str, override: Override, at: Loc) -> int | str:
    if isinstance(node, list):
        if not step.isdigit() or int(step) > len(node) - 1:
            raise _usage(
                f"--set {override.text}: {'.'.join(map(str, at)) or 'the spec'} is a list of "
                f"{len(node)}, so {step!r} is not an index",
                expected=f"an index 0..{len(node) - 1}",
                found=step,
            )
        return int(step)
    return step


def _apply_one(data: dict[str, Any], override: Override) -> Loc:
    node: Any = data
    at: list[str | int] = []
    *parents, last = override.steps
    for step in parents:
        key = _step(node, step, override, tuple(at))
        if isinstance(node, dict) and key not in node:
            node[key] = {}
        child = node[key]
        if isinstance(child, str):  # component shorthand: a name alone
            child = node[key] = {"name": child}
        if not isinstance(child, (dict, list)):
            raise _usage(
                f"--set {override.text}: {'.'.join(map(str, [*at, key]))} is {child!r}, "
                f"not a mapping or list",
                found=repr(child),
            )
        node = child
        at.append(key)
    if isinstance(node, list) and last.isdigit() and int(last) == len(node):
        node.append(override.value)  # index == length appends
        return (*at, int(last))
    key = _step(node, last, override, tuple(at))
    if override.value is None and isinstance(node, dict):
        node.pop(key, None)
    else:
        node[key] = override.value
    return (*at, key)


def set_path(data: dict[str, Any], path: str, value: Any) -> Loc:
    """Set the value at dotted ``path`` in ``data`` in place (``None`` removes it), as
    ``--set`` does; returns the data path. Raises :class:`LoadError` for a path that cannot
    be followed."""
    steps = tuple(path.split("."))
    if any(not s for s in steps):
        raise _usage(f"{path!r} is not a dotted path", found=path)
    return _apply_one(data, Override(f"{path}={value!r}", steps, value))


def apply_overrides(document: Document, texts: Sequence[str]) -> tuple[Document, list[Loc]]:
    """A copy of ``document`` with the overrides applied, in order, and their data paths.

    Positions at and under an overridden path are dropped (they no longer describe the file)."""
    overrides = [parse_override(t) for t in texts]
    data = copy.deepcopy(document.data)
    if not isinstance(data, dict):
        raise _usage("--set needs a spec that is a mapping", file=document.file)
    paths = [_apply_one(data, o) for o in overrides]

    def kept(positions: dict[Loc, tuple[int, int]]) -> dict[Loc, tuple[int, int]]:
        return {p: v for p, v in positions.items() if not any(p[: len(q)] == q for q in paths)}

    return replace(
        document, data=data, values=kept(document.values), keys=kept(document.keys)
    ), paths


def mark(diagnostics: list[Diagnostic], paths: list[Loc], texts: Sequence[str]) -> list[Diagnostic]:
    """Diagnostics at or under an overridden path, attributed to their ``--set``."""
    out = []
    for d in diagnostics:
        for path, text in reversed(list(zip(paths, texts, strict=True))):
            if tuple(d.path[: len(path)]) == tuple(path):
                d = replace(d, message=f"{d.message} (from --set {text})", line=None, column=None)
                break
        out.append(d)
    return out
