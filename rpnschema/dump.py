"""Write spec objects back as a user writes them: compact YAML or JSON. No torch.

``model_dump()`` spells out every default; these functions omit what equals its default, write
a component with no parameters as its bare name (``reconciliation: identity_reconciliation``)
and keep the order in which the models declare their fields (``name`` first, then ``layers``).
Reading the text back gives an equal spec.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from rpnschema import io
from rpnschema.spec.base import Component


def compact_data(spec: BaseModel) -> dict[str, Any]:
    """The plain data of ``spec`` without defaults, components by name where they can be."""
    data = _compact(spec)
    assert isinstance(data, dict)
    return data


def _compact(value: Any) -> Any:
    if isinstance(value, BaseModel):
        out: dict[str, Any] = {}
        tag = "name" if isinstance(value, Component) else None
        for key, info in type(value).model_fields.items():
            item = getattr(value, key)
            if key == tag or (key == "preset" and isinstance(item, str)):
                out[key] = item  # a union tag: always written
            elif item is None or (
                not info.is_required() and item == info.get_default(call_default_factory=True)
            ):
                continue
            else:
                out[key] = _compact(item)
        if isinstance(value, Component) and list(out) == ["name"]:
            return out["name"]
        return out
    if isinstance(value, (list, tuple)):
        return [_compact(v) for v in value]
    return value


def to_yaml(spec: BaseModel) -> str:
    """``spec`` as compact YAML text (see :func:`compact_data`)."""
    return io.dumps(compact_data(spec), "yaml")


def to_json(spec: BaseModel) -> str:
    """``spec`` as compact JSON text (see :func:`compact_data`)."""
    return io.dumps(compact_data(spec), "json")


def dump(spec: BaseModel, path: str | Path) -> None:
    """Write ``spec`` to ``path`` atomically: JSON for a ``.json`` file, YAML otherwise."""
    text = to_json(spec) if str(path).endswith(".json") else to_yaml(spec)
    io.write_atomic(path, text)
