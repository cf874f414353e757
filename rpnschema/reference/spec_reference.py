"""docs/reference/spec.md: every spec field, preset and catalog function, from the models."""

from __future__ import annotations

import inspect
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic.fields import FieldInfo

from rpnschema.reference._shared import GENERATED as _GENERATED
from rpnschema.reference.catalog import _TITLES, _default
from rpnschema.spec import (
    COMPONENT_TYPES,
    PRESET_TYPES,
    Component,
    HeadSpec,
    LayerSpec,
    ModelSpec,
    component_name,
)
from rpnschema.spec.descriptions import annotated_infos, field_description
from rpnschema.spec.layer_presets import BilinearLayerPreset
from rpnschema.spec.lazy import lazy_marker
from rpnschema.spec.preset_base import HeadPreset
from rpnschema.spec.unsupported import UNSUPPORTED_TINYBIG

# --- spec reference ---------------------------------------------------------------------------

_FAMILY_INTROS = {
    "expansion": "A data expansion kappa maps the head's input (size m) to D features; each "
    "function's rule gives its D.",
    "compression": "A data compression (tinybig's RPN 2 transformations) goes wherever an "
    "expansion may: the head's `expansion` slot and the `functions` of nested/extended "
    "compositions. Fitted compressions (feature selection, dimension reduction, manifold) refit "
    "on every batch as tinybig does: their output depends on the batch and, where they use "
    "scikit-learn (`pip install rpnschema[sklearn]`, imported only when such a component is "
    "built), is not differentiable; `validate` says so in an RPN421 notice. In native semantics "
    "PCA is a differentiable batch PCA in torch and the random projection is drawn once at "
    "build time. Kernels return tinybig's dtypes (float64 for scikit-learn's LLE, MDS, spectral "
    "embedding and feature clustering); the built module returns the model's dtype so that a "
    "float32 head can use it. Metrics, patch shapes and distributions are closed lists of names "
    "(tinybig's callables and classes; nothing named in a spec is imported).",
    "reconciliation": "A parameter reconciliation psi makes the n x D matrix W of a channel from "
    "l learnable values; each function's rule gives its l and what n and D must satisfy.",
    "remainder": "A remainder pi maps the head's input (size m) to its output (size n) and is "
    "added to the expansion term.",
    "fusion": "A fusion combines the outputs of a head's channels (`channel_fusion`) or of a "
    "layer's heads (`head_fusion`); each function's rule gives its output size and its l.",
    "processing": "Processing functions act element-wise or over the feature dimension, keeping "
    "the size they act on: in `input_process` / `output_process` of heads and layers, an "
    "expansion's `preprocess` / `postprocess` and a remainder's `activation`.",
}


def _unlazy(tp: Any) -> Any:
    """A lazily built union's field type (spec.lazy) as its whole union, else ``tp``."""
    marker = lazy_marker(tp)
    return tp if marker is None else marker.union()


def _item_type(tp: Any) -> Any:
    """The item annotation of a list field (through Annotated and Optional), else None."""
    tp = _unlazy(tp)
    if get_origin(tp) is Annotated:
        return _item_type(get_args(tp)[0])
    if get_origin(tp) in (Union, UnionType):
        items = [_item_type(a) for a in get_args(tp) if a is not type(None)]
        return items[0] if len(items) == 1 else None
    return get_args(tp)[0] if get_origin(tp) is list else None


_HEADINGS = {
    "expansion": "Expansions",
    "reconciliation": "Reconciliations",
    "remainder": "Remainders",
    "fusion": "Fusions",
    "processing": "Processing functions",
}


def _heading(family: str) -> str:
    return _HEADINGS.get(family, family.capitalize() + "s")


def _family_of(tp: Any) -> str | None:
    tp = _unlazy(tp)
    if get_origin(tp) is Annotated:
        return _family_of(get_args(tp)[0])
    if get_origin(tp) in (Union, UnionType):
        families = {_family_of(a) for a in get_args(tp) if a is not type(None)}
        return families.pop() if len(families) == 1 else None
    if isinstance(tp, type) and issubclass(tp, Component):
        return tp.family
    if isinstance(tp, type) and issubclass(tp, (LayerSpec, BilinearLayerPreset)):
        return "layer"
    if isinstance(tp, type) and issubclass(tp, (HeadSpec, HeadPreset)):
        return "head"
    return None


_FAMILY_LINKS = {
    "head": "[head](#head) or [preset](#head-presets)",
    "layer": "[layer](#layer) or a layer preset (`preset: bilinear`)",
}


def _type(tp: Any) -> str:
    """A short Markdown description of a field's type."""
    tp = _unlazy(tp)
    origin, args = get_origin(tp), get_args(tp)
    family = _family_of(tp)
    if family is not None:
        anchor = _heading(family).lower().replace(" ", "-")
        return _FAMILY_LINKS.get(family, f"[{family}](#{anchor})")
    if origin is Annotated:
        return _type(args[0])
    if origin is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin in (Union, UnionType):
        return " or ".join(_type(a) for a in args if a is not type(None))
    if origin is list:
        return f"list of {_type(args[0])}"
    if origin is tuple:
        return "[" + ", ".join(_type(a) for a in args) + "]"
    names = {int: "integer", float: "number", str: "string", bool: "boolean"}
    return names.get(tp, getattr(tp, "__name__", str(tp)))


_BOUNDS = (
    ("ge", ">= {}"),
    ("gt", "> {}"),
    ("le", "<= {}"),
    ("lt", "< {}"),
    ("min_length", "at least {} item(s)"),
    ("max_length", "at most {} item(s)"),
    ("pattern", "matches `{}`"),
)


def _constraints(metadata: list[Any]) -> list[str]:
    found: list[str] = []
    for item in metadata:
        for attr, text in _BOUNDS:
            value = getattr(item, attr, None)
            if value is not None and text.format(value) not in found:
                found.append(text.format(value))
    return found


def _bounds(info: FieldInfo) -> str:
    metadata = list(info.metadata)
    for inner in annotated_infos(info.annotation):
        metadata += inner.metadata
    found = _constraints(metadata)
    item = _item_type(info.annotation)
    if item is not None:
        each = _constraints([m for i in annotated_infos(item) for m in i.metadata])
        found += [f"each {c}" for c in each]
    return ", ".join(found)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _field_default(cls: type[Any], name: str, info: FieldInfo) -> str:
    value = _default(info)
    text = field_description(cls, name).lower()
    return "auto" if value == "none" and ("defaults to" in text or "inferred" in text) else value


def _field_table(cls: type[Any], skip: set[str]) -> list[str]:
    rows = [
        f"| `{name}` | {_type(info.annotation)} | `{_field_default(cls, name, info)}` "
        f"| {_cell(_bounds(info))} | {_cell(field_description(cls, name))} |"
        for name, info in cls.model_fields.items()
        if name not in skip
    ]
    if not rows:
        return []
    return [
        "| parameter | type | default | constraints | description |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ]


def _text(doc: str | None) -> str:
    # Escaped brackets: "[sin, cos, tan](x)" in a docstring is math, not a Markdown link.
    return " ".join((doc or "").replace("``", "`").replace("[", "\\[").split())


def _section(title: str, cls: type[Any], skip: set[str]) -> list[str]:
    lines = [title, "", _text(inspect.getdoc(cls)), ""]
    # Docstrings of intermediate bases state the rule a group of functions shares.
    for base in cls.__mro__[1:]:
        if base.__name__.startswith("_") and base.__dict__.get("__doc__"):
            lines += [f"Group rule: {_text(base.__doc__)}", ""]
    return [*lines, *_field_table(cls, skip)]


def render_spec_reference() -> str:
    """Markdown for every spec field and catalog function: type, default, bounds, D/l rule."""
    lines = [
        "# Spec reference",
        "",
        f"{_GENERATED} It is built from the pydantic models: every field of a model, layer and "
        "head, every head preset, and every function of the catalog with its parameters and "
        "its rule (D for an expansion, l for a reconciliation, the output size of a fusion).",
        "",
        "Defaults: `required` must be given, `auto` is inferred (and checked when given), "
        "`none` means unset. A component is written as a mapping with its `name` and "
        "parameters, or as its bare name when every parameter keeps its default.",
        "",
        *_section("## Model", ModelSpec, set()),
        *_section("## Layer", LayerSpec, set()),
        *_section("## Head", HeadSpec, set()),
        "## Head presets",
        "",
        "A head given as `preset: NAME` expands into explicit components during normalization "
        "(`rpnschema resolve` shows them).",
        "",
    ]
    for cls in PRESET_TYPES:
        tag = cls.model_fields["preset"].annotation.__args__[0]  # type: ignore[union-attr]
        lines += _section(f"### `{tag}`", cls, {"preset"})
    for family, classes in COMPONENT_TYPES.items():
        common = set.intersection(*(set(c.model_fields) for c in classes)) - {"name"}
        lines += [f"## {_heading(family)}", "", _TITLES.get(family, family) + ".", ""]
        lines += [_FAMILY_INTROS.get(family, ""), ""] if family in _FAMILY_INTROS else []
        if common:
            fields = [n for n in classes[0].model_fields if n in common]
            lines += [
                f"Every {family} also takes: " + ", ".join(f"`{n}`" for n in fields) + ".",
                "",
                *_field_table(classes[0], set(classes[0].model_fields) - common),
            ]
        for cls in classes:
            lines += _section(f"### `{component_name(cls)}`", cls, common | {"name"})
        if family == "compression":
            lines += ["### Unsupported tinybig classes", ""]
            lines += [f"- `{name}`: {why}." for name, why in UNSUPPORTED_TINYBIG.items()]
            lines += [""]
    return "\n".join(lines).rstrip("\n") + "\n"
