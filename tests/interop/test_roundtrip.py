"""Property: native -> tinybig -> native gives an equal normalized spec.

tinybig 0.2.1 cannot express (tested to be reported, below):

- layer ``input_process`` / ``output_process`` (its rpn_layer has none): an error;
- ``parameterized_weighted_summation_fusion`` as a channel or head fusion: an error;
- ``dtype`` other than float32 (tinybig builds float32): a warning, dtype is dropped;
- ``seed`` in a bare model config (kept as ``random_seed`` in a ``configurations:`` document);
- native semantics: tinybig computes hm/lphm/dual_lphm/duplicated_padding, Laguerre, some
  wavelets, combinatorial ``with_replacement`` and processing modules its own way: warnings.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings

from rpnschema import io, validate_data
from rpnschema.interop import export_tinybig, validate_tinybig
from rpnschema.spec.model import ModelSpec
from rpnschema.testing import model_specs

_FUSION = "parameterized_weighted_summation_fusion"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _expressible(data: dict[str, Any]) -> dict[str, Any]:
    """The spec without layer processing (and without the pinned counts it would change)."""
    data = dict(data)
    data.pop("parameters", None)
    layers = []
    for layer in data.get("layers") or []:
        layer = {k: v for k, v in layer.items() if k not in ("input_process", "output_process")}
        layer.pop("parameters", None)
        layers.append(layer)
    if "layers" in data:
        data["layers"] = layers
    return data


def _fusions(spec: ModelSpec) -> list[str]:
    names = []
    for layer in spec.layers or []:
        if layer.head_fusion is not None:
            names.append(layer.head_fusion.name)
        names += [h.channel_fusion.name for h in layer.heads if h.channel_fusion is not None]
    return names


def _attention(spec: ModelSpec) -> bool:
    """A softmax-normalized (attention) interdependence: tinybig configs cannot name it."""
    return any(
        getattr(getattr(h, slot), "softmax", None) is not None
        for layer in spec.layers or []
        for h in layer.heads
        for slot in ("attribute_interdependence", "instance_interdependence")
    )


def _round_trip(spec: ModelSpec) -> None:
    config, diags = export_tinybig(spec, document=True)
    assert not [d for d in diags if d.severity == "error"], diags
    back = validate_tinybig(io.Document(data=config), semantics=spec.semantics)
    assert back.ok, [str(d) for d in back.errors]
    assert back.spec == spec.model_copy(update={"dtype": "float32"})


@SETTINGS
@given(model_specs())
def test_native_tinybig_native_round_trip(data: dict[str, Any]) -> None:
    spec = validate_data(_expressible(data)).spec
    assume(spec is not None and _FUSION not in _fusions(spec) and not _attention(spec))
    assert spec is not None
    _round_trip(spec)


@SETTINGS
@given(model_specs(semantics="tinybig", max_layers=2))
def test_tinybig_semantics_specs_round_trip(data: dict[str, Any]) -> None:
    spec = validate_data(_expressible(data)).spec
    assume(spec is not None)
    assert spec is not None
    _round_trip(spec)


@SETTINGS
@given(model_specs())
def test_what_tinybig_cannot_express_is_reported(data: dict[str, Any]) -> None:
    spec = validate_data(data).unwrap()
    _, diags = export_tinybig(spec)
    errors = {d.pointer for d in diags if d.severity == "error"}
    expected = set()
    for i, layer in enumerate(spec.layers or []):
        for key in ("input_process", "output_process"):
            if getattr(layer, key):
                expected.add(f"layers/{i}/{key}")
        if layer.head_fusion is not None and layer.head_fusion.name == _FUSION:
            expected.add(f"layers/{i}/head_fusion/name")
        for j, head in enumerate(layer.heads):
            if head.channel_fusion is not None and head.channel_fusion.name == _FUSION:
                expected.add(f"layers/{i}/heads/{j}/channel_fusion/name")
            for slot in ("attribute_interdependence", "instance_interdependence"):
                if getattr(getattr(head, slot), "softmax", None) is not None:
                    expected.add(f"layers/{i}/heads/{j}/{slot}/softmax")
    # repeated heads and layers are reported at their first copy
    assert errors <= expected and bool(errors) == bool(expected)
    warned = {d.pointer for d in diags if d.severity == "warning"}
    assert ("dtype" in warned) == (spec.dtype != "float32")
