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

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from rpnschema import io
from rpnschema.canonical import SpecSource
from rpnschema.errors import Code, Diagnostic, SpecError
from rpnschema.overrides import set_path
from rpnschema.spec import registry
from rpnschema.spec.head import HeadSpec
from rpnschema.spec.layer import LayerSpec
from rpnschema.spec.model import ModelSpec
from rpnschema.validate import _close, _show, from_pydantic, validate_data

ComponentLike = str | dict[str, Any] | Any
T = TypeVar("T", bound=BaseModel)

#: Figures normalization infers; dropped before a value is changed, so they are inferred again.
_INFERRED = frozenset({"D", "l", "output_dim", "parameters"})


def component(name: str, **params: Any) -> dict[str, Any]:
    """A catalog component as data: ``component("lorr_reconciliation", r=2)``; an unknown name
    is a :class:`SpecError` (RPN201) with the nearest catalog name."""
    catalog = registry.catalog()
    if name not in catalog:
        near = _close(name, list(catalog))
        raise SpecError(
            [
                Diagnostic(
                    Code.UNKNOWN_FUNCTION,
                    f"unknown function {name!r}",
                    path=("name",),
                    expected="a catalog function (rpnschema list)",
                    found=name,
                    suggestion=f"did you mean {near!r}?" if near else "list them: rpnschema list",
                )
            ]
        )
    return {"name": name, **params}


def _checked(cls: type[T], data: dict[str, Any]) -> T:
    """``cls`` validated from ``data``; a pydantic error becomes a located :class:`SpecError`."""
    try:
        return cls.model_validate(data)
    except ValidationError as e:
        raise SpecError(from_pydantic(e, data, cls)) from None


def _route(parts: dict[str, ComponentLike], params: dict[str, Any]) -> dict[str, Any]:
    """Move each keyword into the one named component that declares it.

    A keyword declared by several of them is ambiguous (RPN206); one declared by none of them
    nor by the head is unknown (RPN200, with the nearest parameter)."""
    catalog = registry.catalog()
    declared = {
        slot: set(catalog[c].model_fields) - {"name"}
        for slot, c in parts.items()
        if isinstance(c, str) and c in catalog
    }
    routed: dict[str, Any] = dict(parts)
    problems: list[Diagnostic] = []
    for key, value in params.items():
        owners = [slot for slot, fields in declared.items() if key in fields]
        if key in HeadSpec.model_fields and not owners:
            routed[key] = value
        elif len(owners) > 1:
            names = " and ".join(str(parts[s]) for s in owners)
            problems.append(
                Diagnostic(
                    Code.CONFLICT,
                    f"keyword {key!r} is a parameter of {names}: which one is meant is unclear",
                    path=(key,),
                    expected=f"{key} in one component",
                    found=f"{key}={_show(value)}",
                    suggestion=f"pass it with its component, e.g. "
                    f"component({str(parts[owners[-1]])!r}, {key}={value!r})",
                )
            )
        elif owners:
            slot = owners[0]
            current = routed[slot]
            routed[slot] = (
                {"name": current, key: value}
                if isinstance(current, str)
                else {
                    **current,
                    key: value,
                }
            )
        else:
            allowed = sorted({f for fields in declared.values() for f in fields})
            allowed += [f for f in HeadSpec.model_fields if f not in _INFERRED]
            near = _close(key, allowed)
            problems.append(
                Diagnostic(
                    Code.UNKNOWN_KEY,
                    f"unknown keyword {key!r}: no named component nor the head takes it",
                    path=(key,),
                    expected="one of: " + ", ".join(allowed),
                    found=key,
                    suggestion=f"did you mean {near!r}?" if near else None,
                )
            )
    if problems:
        raise SpecError(problems)
    return routed


def head(
    expansion: ComponentLike,
    reconciliation: ComponentLike | None = None,
    remainder: ComponentLike | None = None,
    **fields: Any,
) -> HeadSpec:
    """A head. Components are names, dicts or spec objects; a keyword that exactly one named
    component declares (``d``, ``r``, ...) goes to it, the rest (``channels``, ...) to the head.

    Raises :class:`SpecError`: RPN206 for a keyword several named components declare (pass it
    with :func:`component` instead), RPN200 with the nearest match for an unknown keyword."""
    parts: dict[str, Any] = {"expansion": expansion}
    if reconciliation is not None:
        parts["reconciliation"] = reconciliation
    if remainder is not None:
        parts["remainder"] = remainder
    return _checked(HeadSpec, _route(parts, fields))


def layer(
    n: int, heads: HeadSpec | Sequence[HeadSpec], *, m: int | None = None, **fields: Any
) -> LayerSpec:
    """A layer of output size ``n`` (``m`` is inferred after the first layer)."""
    listed = [heads] if isinstance(heads, HeadSpec) else list(heads)
    return _checked(LayerSpec, {"m": m, "n": n, "heads": listed, **fields})


def model(layers: Sequence[LayerSpec], **fields: Any) -> ModelSpec:
    """A model from its layers; ``fields`` are model settings (``name``, ``seed``, ...)."""
    return _checked(ModelSpec, {"layers": list(layers), **fields})


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


def _data_of(source: SpecSource) -> dict[str, Any]:
    """The data of ``source`` as a user would edit it: a file's or mapping's data as written,
    a spec object's without what normalization infers (so that it follows a change)."""
    if isinstance(source, ModelSpec):
        return _authoring_data(source)
    if isinstance(source, Mapping):
        return copy.deepcopy(dict(source))
    return io.load(source).data  # LoadError when unreadable, as load_spec


def set_value(spec: SpecSource, path: str, value: Any) -> ModelSpec:
    """A copy of ``spec`` (a path, a mapping or a spec object) with the value at dotted
    ``path`` replaced (``None`` removes it), checked like ``--set``: the result is normalized,
    or :class:`SpecError` is raised.

    What normalization infers (D, l, sizes, inherited m and n, fusion dims, parameter counts)
    is dropped first, so it follows the change. A normalized spec has no ``dims``/``head``
    shorthand any more (it lists its layers): a ``head.`` path then changes the head of every
    layer that the template made, as the shorthand would have."""
    data = _data_of(spec)
    for dotted in _template_paths(spec, data, path):
        set_path(data, dotted, value)
    return validate_data(data).unwrap()


def _template_paths(spec: SpecSource, data: dict[str, Any], path: str) -> list[str]:
    """``path``, or for ``head.X`` on a normalized spec made from ``dims`` + ``head``, the
    ``layers.i.heads.0.X`` of every layer."""
    first, _, rest = path.partition(".")
    if first != "head" or "head" in data or not isinstance(spec, ModelSpec):
        return [path]
    layers = data.get("layers") or []
    if not all(len(layer.get("heads", [])) == 1 for layer in layers):
        return [path]
    return [f"layers.{i}.heads.0" + (f".{rest}" if rest else "") for i in range(len(layers))]


def sweep(spec: SpecSource, path: str, values: Iterable[Any]) -> list[ModelSpec]:
    """One normalized spec per value at dotted ``path`` (see :func:`set_value`)."""
    return [set_value(spec, path, v) for v in values]
