"""Build specs in Python: plain functions returning the pydantic spec objects. No torch.

    from rpnschema.builder import head, stack, sweep

    template = head("taylor_expansion", "lorr_reconciliation", "linear_remainder", d=2, r=2)
    spec = stack([784, 64, 10], template, name="mnist")       # one layer per pair of dims
    variants = sweep(spec, "layers.0.heads.0.expansion.d", [1, 2, 3])

Builders return the spec as written (not normalized); :func:`rpnschema.load_spec` normalizes
and validates it, raising :class:`~rpnschema.errors.SpecError` with every problem. A spec built
here and the same spec loaded from YAML are equal once normalized.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rpnschema.overrides import set_path
from rpnschema.spec import registry
from rpnschema.spec.head import HeadSpec
from rpnschema.spec.layer import LayerSpec
from rpnschema.spec.model import ModelSpec
from rpnschema.validate import validate_data

ComponentLike = str | dict[str, Any] | Any

#: Figures normalization infers; dropped before a value is changed, so they are inferred again.
_INFERRED = frozenset({"D", "l", "output_dim", "parameters"})


def component(name: str, **params: Any) -> dict[str, Any]:
    """A catalog component as data: ``component("lorr_reconciliation", r=2)``."""
    if name not in registry.catalog():
        raise ValueError(f"unknown component {name!r}")
    return {"name": name, **params}


def _split(name: ComponentLike, params: dict[str, Any]) -> ComponentLike:
    """``name`` with the keyword parameters its catalog class declares moved into it."""
    if not isinstance(name, str):
        return name
    catalog = registry.catalog()
    fields = catalog[name].model_fields if name in catalog else {}
    mine = {k: params.pop(k) for k in list(params) if k in fields and k != "name"}
    return {"name": name, **mine} if mine else name


def head(
    expansion: ComponentLike,
    reconciliation: ComponentLike | None = None,
    remainder: ComponentLike | None = None,
    **fields: Any,
) -> HeadSpec:
    """A head. Components are names, dicts or spec objects; a keyword that a named component
    declares (``d``, ``r``, ...) goes to it, the rest (``channels``, ...) to the head."""
    parts: dict[str, Any] = {"expansion": _split(expansion, fields)}
    if reconciliation is not None:
        parts["reconciliation"] = _split(reconciliation, fields)
    if remainder is not None:
        parts["remainder"] = _split(remainder, fields)
    return HeadSpec.model_validate({**parts, **fields})


def layer(
    n: int, heads: HeadSpec | Sequence[HeadSpec], *, m: int | None = None, **fields: Any
) -> LayerSpec:
    """A layer of output size ``n`` (``m`` is inferred after the first layer)."""
    listed = [heads] if isinstance(heads, HeadSpec) else list(heads)
    return LayerSpec.model_validate({"m": m, "n": n, "heads": listed, **fields})


def model(layers: Sequence[LayerSpec], **fields: Any) -> ModelSpec:
    """A model from its layers; ``fields`` are model settings (``name``, ``seed``, ...)."""
    return ModelSpec.model_validate({"layers": list(layers), **fields})


def stack(dims: Sequence[int], head: HeadSpec, **fields: Any) -> ModelSpec:
    """One layer per consecutive pair of ``dims`` (``[m, h1, ..., n]``), each with ``head``."""
    if len(dims) < 2:
        raise ValueError(f"dims needs at least two sizes, got {list(dims)}")
    layers = [layer(n, head, m=dims[0] if i == 0 else None) for i, n in enumerate(dims[1:])]
    return model(layers, **fields)


def _authoring_data(spec: ModelSpec) -> dict[str, Any]:
    """``spec``'s data without what normalization infers, so that it follows a change."""

    def strip(node: Any) -> Any:
        if isinstance(node, list):
            return [strip(v) for v in node]
        if not isinstance(node, dict):
            return node
        skip = set(_INFERRED)
        name = node.get("name")
        if isinstance(name, str) and name.endswith("_fusion"):
            skip.add("dims")
        if name in ("layer_norm", "batch_norm"):
            skip |= {"normalized_shape", "num_features"}
        return {k: strip(v) for k, v in node.items() if k not in skip}

    data = strip(spec.to_data())
    for i, layer_data in enumerate(data.get("layers") or []):
        if i > 0:
            layer_data.pop("m", None)
        for head_data in layer_data.get("heads", []):
            head_data.pop("m", None)
            head_data.pop("n", None)
    return data


def set_value(spec: ModelSpec, path: str, value: Any) -> ModelSpec:
    """A copy of ``spec`` with the value at dotted ``path`` replaced (``None`` removes it),
    checked like ``--set``: the result is normalized, or :class:`SpecError` is raised.

    What normalization infers (D, l, sizes, inherited m and n, fusion dims, parameter counts)
    is dropped first, so it follows the change."""
    data = _authoring_data(spec)
    set_path(data, path, value)
    return validate_data(data).unwrap()


def sweep(spec: ModelSpec, path: str, values: Iterable[Any]) -> list[ModelSpec]:
    """One normalized spec per value at dotted ``path`` (see :func:`set_value`)."""
    return [set_value(spec, path, v) for v in values]
