"""Structural normalization: shorthands, presets and width/depth allocations.

Turns a parsed :class:`ModelSpec` into an explicit list of layers, each with an explicit list of
plain heads, remembering where in the source each came from (so later diagnostics point into the
file). Everything applied here is reported as a notice; every ambiguous or inconsistent
combination is an error that says what would be consistent.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from pydantic import ValidationError

from rpnschema.dims import DimProblem
from rpnschema.errors import Code, Diagnostic, Loc, plural
from rpnschema.limits import MAX_COUNT as MAX_COUNT
from rpnschema.spec.head import HeadSpec
from rpnschema.spec.layer import LayerSpec
from rpnschema.spec.model import ModelSpec
from rpnschema.spec.preset_base import HeadPreset, Preset
from rpnschema.transformer_checks import PresetRejected, bilinear_preset, tinybig_transformer

#: The limit :func:`expand` applies (``Limits.max_count``), set per call.
_max_count: ContextVar[int] = ContextVar("max_count", default=MAX_COUNT)
#: The model's semantics (presets tinybig cannot run are rejected under ``tinybig``).
_semantics: ContextVar[str] = ContextVar("semantics", default="native")


class _PresetInvalid(Exception):
    """A preset whose options expand to an invalid head (already reported)."""


def _too_many(what: str, count: int, path: Loc, name: str) -> Diagnostic:
    limit = _max_count.get()
    return Diagnostic(
        Code.BUDGET,
        f"{name} gives {count} {what}s, above the limit of {limit}",
        path=path,
        expected=f"at most {limit} {what}s",
        found=str(count),
        suggestion=f"check {name}",
    )


@dataclass
class HeadDraft:
    spec: HeadSpec
    src: Loc


@dataclass
class LayerDraft:
    spec: LayerSpec
    src: Loc
    heads: list[HeadDraft] = field(default_factory=list)
    repeat: int = 0  # index of this copy among the repetitions of its config
    repeats: int = 1  # how many copies depth_alloc made of its config


def _alloc(
    *,
    count: int,
    total: int | None,
    alloc: list[int] | None,
    what: str,
    total_name: str,
    alloc_name: str,
    items_name: str,
    src: Loc,
    code: Code,
    out: list[Diagnostic],
) -> list[int] | None:
    """How often each of ``count`` configs repeats, or None after reporting an error."""
    if alloc is not None:
        if len(alloc) != count:
            out.append(
                Diagnostic(
                    code,
                    f"{alloc_name} has {plural(len(alloc), 'entry', 'entries')} for "
                    f"{plural(count, what + ' config')}",
                    path=(*src, alloc_name),
                    expected=f"{plural(count, 'entry', 'entries')}, one per {items_name} config",
                    found=str(alloc),
                    suggestion=f"give one repetition count per entry of {items_name}",
                )
            )
            return None
        if total is not None and sum(alloc) != total:
            out.append(
                Diagnostic(
                    code,
                    f"{total_name} (={total}) does not equal sum({alloc_name}) (={sum(alloc)})",
                    path=(*src, total_name),
                    expected=f"{total_name}: {sum(alloc)}",
                    found=str(total),
                    suggestion=f"set {total_name}: {sum(alloc)}, or change {alloc_name} to sum "
                    f"to {total}",
                )
            )
            return None
        if sum(alloc) > _max_count.get():
            out.append(_too_many(what, sum(alloc), (*src, alloc_name), alloc_name))
            return None
        return list(alloc)
    if total is None or total == count:
        return [1] * count
    if total > _max_count.get():
        out.append(_too_many(what, total, (*src, total_name), total_name))
        return None
    if count == 1:
        out.append(
            Diagnostic(
                Code.REPEATED,
                f"the single {what} config is repeated {total} times ({total_name}: {total})",
                path=(*src, items_name, 0),
                severity="notice",
            )
        )
        return [total]
    example = [total - count + 1] + [1] * (count - 1) if total > count else None
    out.append(
        Diagnostic(
            code,
            f"{total_name} (={total}) is ambiguous with {count} {what} configs: "
            f"say how often each repeats",
            path=(*src, total_name),
            expected=f"{total_name}: {count}, or a {alloc_name} summing to {total}",
            found=str(total),
            suggestion=(
                f"add {alloc_name}: {example}" if example else f"set {total_name}: {count}"
            ),
        )
    )
    return None


def _head_draft(
    head: HeadSpec | HeadPreset, src: Loc, out: list[Diagnostic], layer: LayerSpec | None = None
) -> HeadDraft:
    if isinstance(head, Preset) and getattr(head, "INHERITS_DIMS", False):
        head = bilinear_preset(head, src, layer, _semantics.get(), out)
    if isinstance(head, HeadPreset):
        try:
            expanded = HeadSpec.model_validate(head.expand())
        except DimProblem as p:  # a grid preset whose patch cannot be built
            out.append(
                Diagnostic(
                    p.code,
                    f"preset {head.preset!r}: {p.message}",  # type: ignore[attr-defined]
                    (*src, *p.path),
                    expected=p.expected,
                    found=p.found,
                    suggestion=p.suggestion,
                )
            )
            raise _PresetInvalid from p
        except ValidationError as e:  # an option the preset passes on unchecked, e.g. a range
            for err in e.errors(include_url=False):
                msg = str(err["msg"]).removeprefix("Value error, ")
                key = next((f for f in type(head).model_fields if msg.startswith(f)), "preset")
                out.append(
                    Diagnostic(Code.BAD_VALUE, f"preset {head.preset!r}: {msg}", (*src, key))
                )
            raise _PresetInvalid from e
        out.append(
            Diagnostic(
                Code.PRESET_EXPANDED,
                f"preset {head.preset!r} expanded to {expanded.expansion.name}, "  # type: ignore[attr-defined]
                f"{expanded.reconciliation.name if expanded.reconciliation else ''}, "
                f"{expanded.remainder.name if expanded.remainder else ''}",
                path=(*src, "preset"),
                severity="notice",
            )
        )
        return HeadDraft(expanded, src)
    return HeadDraft(head, src)


def _layer_drafts(layer: LayerSpec, src: Loc, out: list[Diagnostic]) -> list[HeadDraft]:
    alloc = _alloc(
        count=len(layer.heads),
        total=layer.width,
        alloc=layer.width_alloc,
        what="head",
        total_name="width",
        alloc_name="width_alloc",
        items_name="heads",
        src=src,
        code=Code.WIDTH_ALLOC,
        out=out,
    )
    if alloc is None:
        alloc = [1] * len(layer.heads)  # reported; keep checking each config once
    differing = len({repr(h) for h in layer.heads})
    if layer.share_heads and differing > 1:
        out.append(
            Diagnostic(
                Code.SHARED_HEADS,
                f"share_heads makes the width copies one head object, but the layer lists "
                f"{differing} different head configs",
                path=(*src, "share_heads"),
                expected="one head config, repeated by width",
                found=f"{differing} different head configs",
                suggestion="keep one head config and set width, or remove share_heads",
            )
        )
    heads: list[HeadDraft] = []
    for i, (head, reps) in enumerate(zip(layer.heads, alloc, strict=True)):
        draft = _head_draft(head, (*src, "heads", i), out, layer)
        heads.extend(HeadDraft(draft.spec, draft.src) for _ in range(reps))
    return heads


def expand(
    model: ModelSpec, out: list[Diagnostic], *, max_count: int = MAX_COUNT
) -> list[LayerDraft] | None:
    """Explicit layers and heads of ``model``; None if there is no structure to check.

    An inconsistent allocation is reported and then each config is checked once, so that the
    problems inside it are reported too. ``max_count`` bounds heads per layer, layers and heads
    in all.
    """
    from rpnschema.dims_grid import pooling_problems

    pooling = pooling_problems(model)
    if pooling:
        out.extend(pooling)
        return None
    token = _max_count.set(max_count)
    sem = _semantics.set(model.semantics)
    try:
        drafts = _expand(model, out)
    except (_PresetInvalid, PresetRejected):
        return None
    finally:
        _max_count.reset(token)
        _semantics.reset(sem)
    heads = sum(len(d.heads) for d in drafts or [])
    if heads > max_count:
        out.append(
            Diagnostic(
                Code.BUDGET,
                f"the layers have {heads} heads in all, above the limit of {max_count}",
                path=("layers",),
                expected=f"at most {max_count} heads",
                found=str(heads),
                suggestion="lower depth (depth_alloc) or width (width_alloc)",
            )
        )
        return None
    return drafts


def _preset_draft(layer: LayerSpec) -> LayerDraft:
    """The draft of a layer a model preset expanded into: its heads (``width`` copies), all
    located at the spec's ``preset`` key."""
    src: Loc = ("preset",)
    return LayerDraft(layer, src, [HeadDraft(h, src) for h in layer.heads] * (layer.width or 1))  # type: ignore[arg-type]


def _model_preset(model: ModelSpec, out: list[Diagnostic]) -> list[LayerDraft] | None:
    """The layers of ``preset`` + ``dims`` (tinybig's model classes), or None (reported)."""
    preset = model.preset
    assert preset is not None
    if hasattr(preset, "expand_layers"):  # a model preset sized by its own arguments (cnn)
        return _sized_preset(model, out)
    clash = next((k for k in ("layers", "head") if getattr(model, k) is not None), None)
    if clash is not None or model.dims is None:
        out.append(
            Diagnostic(
                Code.CONFLICT if clash else Code.MISSING,
                f"preset {preset.name!r} takes dims and no {clash}"
                if clash
                else f"preset {preset.name!r} needs dims: the sizes [m, h1, ..., n]",
                path=(clash,) if clash else ("preset",),
                expected="dims: [m, ..., n] with preset, no layers or head",
                suggestion=f"remove {clash}" if clash else "add dims: [m, n]",
            )
        )
        return None
    if len(model.dims) - 1 > _max_count.get():
        out.append(_too_many("layer", len(model.dims) - 1, ("dims",), "dims"))
        return None
    from rpnschema.interop._tinybig_presets import expand_layers  # tinybig's preset tables

    if preset.name == "transformer":
        tinybig_transformer(model, out)
        return _transformer(model, out)
    drafts = []
    expanded = expand_layers(preset, model.dims)
    for j, data in enumerate(expanded):
        try:
            layer = LayerSpec.model_validate(data)
        except ValidationError as e:  # a combination the preset's own fields cannot catch
            first = e.errors()[0]
            out.append(
                Diagnostic(
                    Code.BAD_VALUE,
                    f"preset {preset.name!r} does not expand into a valid layer {j} "
                    f"({data.get('m')} -> {data.get('n')}): {first['msg']}",
                    path=("preset",),
                    suggestion="check the preset's options against `rpnschema list "
                    "--family model_preset`",
                )
            )
            return None
        drafts.append(_preset_draft(layer))
        if j == 0 and len(expanded) != len(model.dims) - 1:  # rnn: mixed layer kinds
            out.append(
                Diagnostic(
                    Code.PRESET_EXPANDED,
                    f"preset {preset.name!r} with dims {model.dims} expanded into "
                    f"{plural(len(expanded), 'layer')} as tinybig's model class builds them: "
                    + ", ".join(_sequence_kind(d) for d in expanded),
                    path=("preset",),
                    severity="notice",
                )
            )
        elif j == 0:
            head = layer.heads[0]
            out.append(
                Diagnostic(
                    Code.PRESET_EXPANDED,
                    f"preset {preset.name!r} with dims {model.dims} expanded into "
                    f"{plural(len(expanded), 'layer')} of tinybig's {preset.LAYER} "
                    f"({head.expansion.name}, "  # type: ignore[union-attr]
                    f"{head.reconciliation.name if head.reconciliation else ''}, "  # type: ignore[union-attr]
                    f"{head.remainder.name if head.remainder else ''}"  # type: ignore[union-attr]
                    f"{', ' + str(layer.width) + ' shared heads' if layer.share_heads else ''})",
                    path=("preset",),
                    severity="notice",
                )
            )
    return drafts


def _sequence_kind(layer: dict[str, Any]) -> str:
    """What an expanded layer of a sequence model preset (rnn, regression_rnn) is."""
    if layer.get("pool_steps"):
        return "perceptron (mean of the positions)"
    if any(h.get("instance_interdependence") for h in layer.get("heads", [])):
        return "chain"
    return "perceptron (per position)" if layer.get("steps") else "perceptron"


def _sized_preset(model: ModelSpec, out: list[Diagnostic]) -> list[LayerDraft] | None:
    """The layers of a model preset whose arguments size it (cnn: the grid and channels), or
    None (reported)."""
    preset = model.preset
    clash = next((k for k in ("layers", "head", "dims") if getattr(model, k) is not None), None)
    if clash is not None:
        out.append(
            Diagnostic(
                Code.CONFLICT,
                f"preset {preset.name!r} is sized by its own arguments: it takes no {clash}",  # type: ignore[union-attr]
                path=(clash,),
                expected=f"preset: {{name: {preset.name}, ...}} alone",  # type: ignore[union-attr]
                suggestion=f"remove {clash}",
            )
        )
        return None
    try:
        layers = preset.expand_layers(model.semantics)  # type: ignore[union-attr]
    except DimProblem as p:
        out.append(
            Diagnostic(
                p.code,
                f"preset {preset.name!r}: {p.message}",  # type: ignore[union-attr]
                ("preset", *p.path),
                expected=p.expected,
                found=p.found,
                suggestion=p.suggestion,
            )
        )
        return None
    if len(layers) > _max_count.get():
        out.append(_too_many("layer", len(layers), ("preset",), "preset"))
        return None
    drafts = [_preset_draft(LayerSpec.model_validate(data)) for data in layers]
    kinds = [
        "pooling"
        if d.spec.heads[0].expansion.name == "geometric_compression"  # type: ignore[union-attr]
        else "convolution"
        if d.spec.heads[0].patch_convolution  # type: ignore[union-attr]
        else "perceptron"
        for d in drafts
    ]
    out.append(
        Diagnostic(
            Code.PRESET_EXPANDED,
            f"preset {preset.name!r} expanded into {plural(len(drafts), 'layer')} as tinybig's "  # type: ignore[union-attr]
            f"model class builds them: {', '.join(kinds)}",
            path=("preset",),
            severity="notice",
        )
    )
    return drafts


def _layer_preset(preset: Preset, src: Loc, out: list[Diagnostic]) -> LayerSpec:
    """The plain layer of a layer preset (tinybig's bilinear_interdependence_layer)."""
    what = "tinybig.layer.bilinear_interdependence_layer (preset: bilinear)"
    preset = bilinear_preset(preset, src, None, _semantics.get(), out, what)
    layer = LayerSpec.model_validate(preset.expand_layer())  # type: ignore[attr-defined]
    out.append(
        Diagnostic(
            Code.PRESET_EXPANDED,
            f"layer preset 'bilinear' expanded into tinybig's bilinear_interdependence_layer: "
            f"{plural(layer.width or 1, 'shared attention head')} "
            f"({layer.heads[0].instance_interdependence.name}), "  # type: ignore[union-attr]
            "parameterized_concatenation_fusion",
            path=(*src, "preset"),
            severity="notice",
        )
    )
    return layer


def _transformer(model: ModelSpec, out: list[Diagnostic]) -> list[LayerDraft]:
    """The layers of ``preset: transformer`` (tinybig.model.transformer's constructor)."""
    from rpnschema.interop._tinybig_transformer import transformer_layers

    assert model.dims is not None and model.preset is not None
    src: Loc = ("preset",)
    layers = [LayerSpec.model_validate(d) for d in transformer_layers(model.preset, model.dims)]
    blocks = len(model.dims) - 1
    width = model.preset.width
    out.append(
        Diagnostic(
            Code.PRESET_EXPANDED,
            f"preset 'transformer' with dims {model.dims} and fc_dims "
            f"{list(model.preset.fc_dims)} expanded into {plural(len(layers), 'layer')}: "  # type: ignore[union-attr]
            f"{plural(blocks, 'attention block')} (bilinear_interdependence_layer + "
            f"perceptron_layer) and {plural(len(layers) - 2 * blocks, 'perceptron layer')}"
            f"{f', {width} shared heads each' if width > 1 else ''}",
            path=src,
            severity="notice",
        )
    )
    return [_preset_draft(layer) for layer in layers]


def _expand(model: ModelSpec, out: list[Diagnostic]) -> list[LayerDraft] | None:
    if model.preset is not None:
        return _model_preset(model, out)
    if model.dims is not None:
        if model.layers is not None:
            out.append(
                Diagnostic(
                    Code.CONFLICT,
                    "give either layers or the dims + head shorthand, not both",
                    path=("dims",),
                    suggestion="remove dims (and head), or remove layers",
                )
            )
            return None
        if model.head is None:
            out.append(
                Diagnostic(
                    Code.MISSING,
                    "the dims shorthand needs a head template",
                    path=("head",),
                    expected="head: {expansion: ..., reconciliation: ...}",
                    suggestion="add head: {expansion: taylor_expansion}",
                )
            )
            return None
        layer_count = len(model.dims) - 1
        if layer_count > _max_count.get():
            out.append(_too_many("layer", layer_count, ("dims",), "dims"))
            return None
        if model.depth is not None and model.depth != layer_count:
            out.append(
                Diagnostic(
                    Code.DEPTH_ALLOC,
                    f"depth (={model.depth}) differs from the {layer_count} layers that dims "
                    f"{model.dims} describes",
                    path=("depth",),
                    expected=f"depth: {layer_count}",
                    found=str(model.depth),
                    suggestion="remove depth; dims determines it",
                )
            )
            return None
        if model.depth_alloc is not None:
            out.append(
                Diagnostic(
                    Code.CONFLICT,
                    "depth_alloc cannot be combined with the dims shorthand",
                    path=("depth_alloc",),
                    suggestion="repeat sizes in dims instead, e.g. [4, 8, 8, 1]",
                )
            )
            return None
        # a template's m / n, where every layer of dims has the same (bilinear presets need n)
        ms, ns = set(model.dims[:-1]), set(model.dims[1:])
        shared = SimpleNamespace(
            m=ms.pop() if len(ms) == 1 else None, n=ns.pop() if len(ns) == 1 else None
        )
        head = _head_draft(model.head, ("head",), out, shared)  # type: ignore[arg-type]
        out.append(
            Diagnostic(
                Code.PRESET_EXPANDED,
                f"dims {model.dims} expanded into {plural(layer_count, 'layer')} of the "
                "head template",
                path=("dims",),
                severity="notice",
            )
        )
        return [
            LayerDraft(
                LayerSpec(m=m, n=n, heads=[head.spec]),
                ("dims",),
                [HeadDraft(head.spec, head.src)],
            )
            for m, n in zip(model.dims, model.dims[1:], strict=False)
        ]
    if model.head is not None:
        out.append(
            Diagnostic(
                Code.CONFLICT,
                "head is the template of the dims shorthand; with layers, give heads per layer",
                path=("head",),
                suggestion="move the head into layers[*].heads, or add dims",
            )
        )
        return None
    if model.layers is None or not model.layers:
        out.append(
            Diagnostic(
                Code.MISSING,
                "a model needs layers (or the dims + head shorthand)",
                path=("layers",),
                expected="layers: [{m: ..., n: ..., heads: [...]}]",
                suggestion="add layers, or dims: [m, ..., n] with head: {...}",
            )
        )
        return None
    alloc = _alloc(
        count=len(model.layers),
        total=model.depth,
        alloc=model.depth_alloc,
        what="layer",
        total_name="depth",
        alloc_name="depth_alloc",
        items_name="layers",
        src=(),
        code=Code.DEPTH_ALLOC,
        out=out,
    )
    if alloc is None:
        alloc = [1] * len(model.layers)  # reported; keep checking each config once
    drafts: list[LayerDraft] = []
    for i, given in enumerate(model.layers):
        src: Loc = ("layers", i)
        layer = _layer_preset(given, src, out) if isinstance(given, Preset) else given
        heads = _layer_drafts(layer, src, out)
        reps = alloc[i]
        for r in range(reps):
            drafts.append(LayerDraft(layer, src, heads, repeat=r, repeats=reps))
    return drafts
