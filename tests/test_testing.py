"""Tests of the strategies in rpnschema.testing: they reach the whole catalog and every shorthand
form, respect their bounds, and each component strategy draws components that validate in the
context it was asked for."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from rpnschema import CATALOG, ModelSpec, dims, validate_data
from rpnschema.spec import AnyFusion
from rpnschema.testing import (
    COMPRESSION_NAMES,
    EXPANSION_NAMES,
    FUSION_NAMES,
    INTERDEPENDENCE_NAMES,
    MUTATION_KINDS,
    PRESET_NAMES,
    PROCESSING_NAMES,
    RECONCILIATION_NAMES,
    REMAINDER_NAMES,
    expansions,
    fusions,
    heads,
    layers,
    model_spec_objects,
    model_specs,
    mutation_cases,
    processing,
    reconciliations,
    remainders,
)
from rpnschema.testing import compressions as compressions_strategy


def _sample(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """count values of strategy, the same ones on every run."""
    values: list[Any] = []

    @settings(
        max_examples=count, derandomize=True, database=None, phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(strategy)
    def collect(value: Any) -> None:
        values.append(value)

    collect()
    return values


_SLOTS = {"expansion", "reconciliation", "remainder", "channel_fusion", "head_fusion"}


def _nodes(data: Any, key: Any = None) -> Iterator[tuple[Any, Any]]:
    """(key, value) of every node of a document."""
    yield key, data
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _nodes(v, k)
    elif isinstance(data, list):
        for v in data:
            yield from _nodes(v, key)


def _names(data: Any) -> set[str]:
    """Every component and preset a document names, in either form."""
    out = set()
    for key, value in _nodes(data):
        if isinstance(value, dict):
            for tag in ("name", "preset"):
                if value.get(tag) in CATALOG or value.get(tag) in PRESET_NAMES:
                    out.add(value[tag])
        elif isinstance(value, str) and value in CATALOG and key != "name":
            out.add(value)
    return out


def test_names_cover_the_catalog() -> None:
    names = (
        EXPANSION_NAMES
        + RECONCILIATION_NAMES
        + REMAINDER_NAMES
        + FUSION_NAMES
        + PROCESSING_NAMES
        + INTERDEPENDENCE_NAMES
        + COMPRESSION_NAMES
    )
    assert sorted(names) == sorted(CATALOG)


# --- every function is reachable -------------------------------------------------------------

FAMILIES = {
    "reconciliation": (RECONCILIATION_NAMES, reconciliations(4, 8), 200),
    "remainder": (REMAINDER_NAMES, remainders(3, 3), 60),
    "fusion": (FUSION_NAMES, fusions([3, 3]), 250),
    "processing": (PROCESSING_NAMES, processing(5), 150),
    "preset": (tuple(p for p in PRESET_NAMES if not p.startswith("grid_")), heads(4, 3), 400),
}


@pytest.mark.parametrize("family", FAMILIES)
def test_every_function_and_preset_is_drawn(family: str) -> None:
    """By the component strategies (expansions: see the model sample below)."""
    names, strategy, count = FAMILIES[family]
    drawn = set().union(*(_names(value) for value in _sample(strategy, count)))
    assert set(names) <= drawn, set(names) - drawn


@functools.cache
def _model_sample() -> list[dict[str, Any]]:
    # Hypothesis mixes the literals of every loaded local module into its draws, so the sample
    # shifts whenever code is added anywhere; 1000 draws covered each name >= 10 times (500 did
    # not), until the full suite's set of loaded modules left laplace_expansion undrawn: 1500.
    return _sample(model_specs(batch=4), 1500)


def test_model_specs_draw_the_whole_catalog() -> None:
    """Every function but the compressions (drawn by ``compressions``, below)."""
    drawn = set().union(*(_names(d) for d in _model_sample()))
    # every interdependence is drawn by its own strategy (tests/compile/
    # test_interdependence_properties.py); model specs must mix them in
    wanted = set(CATALOG) - set(COMPRESSION_NAMES) - set(INTERDEPENDENCE_NAMES)
    sized = {p for p in PRESET_NAMES if not p.startswith("grid_")}  # grids: cnn_specs
    assert wanted | sized <= drawn, wanted - drawn
    assert len(drawn & set(INTERDEPENDENCE_NAMES)) >= 20


def test_compressions_draw_every_compression_and_validate() -> None:
    drawn: set[str] = set()
    draws = [(m, v) for m in (4, 8, 12) for v in _sample(compressions_strategy(m), 250)]
    for m, (data, D) in draws:
        drawn |= _names({"expansion": data})
        head = {"expansion": data}
        result = validate_data({"layers": [{"m": m, "n": 2, "heads": [head]}]})
        assert result.ok, (data, result.errors)
        assert result.spec.layers[0].heads[0].D == D, data
    assert set(COMPRESSION_NAMES) <= drawn, set(COMPRESSION_NAMES) - drawn


# --- every shorthand form appears ------------------------------------------------------------


def _layers(d: dict[str, Any]) -> list[dict[str, Any]]:
    return d.get("layers", [])


def _heads(d: dict[str, Any]) -> list[Any]:
    found = [d["head"]] if "head" in d else []
    for layer in _layers(d):
        found += layer["heads"] if isinstance(layer["heads"], list) else [layer["heads"]]
    return found


def _processing_items(d: dict[str, Any]) -> Iterator[Any]:
    for key, value in _nodes(d):
        if key in ("input_process", "output_process", "preprocess", "postprocess", "activation"):
            yield value


FORMS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "component as a bare name": lambda d: any(
        isinstance(v, str) and k in _SLOTS for k, v in _nodes(d)
    ),
    "later layer without m": lambda d: any("m" not in layer for layer in _layers(d)[1:]),
    "layer without n (from its heads)": lambda d: any("n" not in x for x in _layers(d)),
    "one head config repeated by width": lambda d: any(
        x.get("width", 1) > 1 and "width_alloc" not in x and not isinstance(x["heads"], list)
        for x in _layers(d)
    ),
    "width_alloc": lambda d: any("width_alloc" in x for x in _layers(d)),
    "width_alloc with width": lambda d: any(
        "width_alloc" in x and "width" in x for x in _layers(d)
    ),
    "depth_alloc repeating a layer": lambda d: max(d.get("depth_alloc", [1])) > 1,
    "one layer config repeated by depth": lambda d: len(_layers(d)) == 1 and d.get("depth", 1) > 1,
    "dims + head": lambda d: "dims" in d and len(d["dims"]) > 2,
    "preset head": lambda d: any(isinstance(h, dict) and "preset" in h for h in _heads(d)),
    "preset as the dims template": lambda d: "preset" in d.get("head", {}),
    "heads as a single mapping": lambda d: any(isinstance(x["heads"], dict) for x in _layers(d)),
    "processing as a single item": lambda d: any(
        not isinstance(v, list) for v in _processing_items(d)
    ),
    "layer_norm with its size": lambda d: any(
        isinstance(v, dict) and v.get("name") == "layer_norm" and "normalized_shape" in v
        for _, v in _nodes(d)
    ),
    "layer_norm without its size": lambda d: any(
        v == "layer_norm"
        or (isinstance(v, dict) and v.get("name") == "layer_norm" and "normalized_shape" not in v)
        for _, v in _nodes(d)
    ),
    "batch_norm with its size": lambda d: any(
        isinstance(v, dict) and "num_features" in v for _, v in _nodes(d)
    ),
    "batch_norm without its size": lambda d: any(v == "batch_norm" for _, v in _nodes(d)),
    "pinned D and l": lambda d: any(
        isinstance(h, dict) and "D" in h and "l" in h for h in _heads(d)
    ),
    "pinned output_dim": lambda d: any("output_dim" in x for x in _layers(d)),
    "several channels": lambda d: any(
        isinstance(h, dict) and h.get("channels", 1) > 1 for h in _heads(d)
    ),
    "tinybig semantics": lambda d: d.get("semantics") == "tinybig",
    "nested expansion": lambda d: "nested_expansion" in _names(d),
    "extended expansion": lambda d: "extended_expansion" in _names(d),
}


@pytest.mark.parametrize("form", FORMS)
def test_every_shorthand_form_is_drawn(form: str) -> None:
    assert any(FORMS[form](d) for d in _model_sample())


# --- bounds and options ----------------------------------------------------------------------


@given(
    model_spec_objects(
        max_layers=2, max_width=2, max_channels=1, max_dim=4, max_expansion_dim=12,
        semantics="tinybig", presets=False, nesting=0,
    )
)  # fmt: skip
def test_model_specs_respect_their_bounds(spec: ModelSpec) -> None:
    assert spec.semantics == "tinybig"
    assert spec.layers is not None and len(spec.layers) <= 2
    for layer in spec.layers:
        assert len(layer.heads) <= 2
        for h in layer.heads:
            assert h.channels == 1
            assert h.m is not None and h.m <= 4 and h.n is not None and h.n <= 4
            assert h.D is not None and h.D <= 12
            assert h.expansion.name not in ("nested_expansion", "extended_expansion")


@given(model_specs(max_layers=2, max_width=2, max_parameters=300, presets=False))
def test_model_specs_respect_the_parameter_budget(data: dict[str, Any]) -> None:
    assert "preset" not in str(data)
    spec = validate_data(data).unwrap()
    assert spec.parameters is not None and spec.parameters <= 300


# --- component strategies draw components valid where they were asked for --------------------


@given(st.data())
def test_expansions_fit_their_input(data: st.DataObject) -> None:
    m = data.draw(st.integers(1, 8))
    expansion = data.draw(expansions(m, max_dim=40))
    spec = validate_data({"dims": [m, 2], "head": {"expansion": expansion}}).unwrap()
    assert spec.layers is not None
    assert max(40, m) >= spec.layers[0].heads[0].D  # type: ignore[operator]


@given(expansions(m_max=4, max_dim=30))
def test_expansion_templates_fit_every_input_size(expansion: Any) -> None:
    assert validate_data({"dims": [1, 2, 3, 4, 2], "head": {"expansion": expansion}}).ok


@given(st.data())
def test_reconciliations_fit_their_matrix(data: st.DataObject) -> None:
    n, D = data.draw(st.integers(1, 8)), data.draw(st.integers(1, 24))
    rec = data.draw(reconciliations(n, D))
    head = {"expansion": "identity_expansion", "reconciliation": rec}
    assert validate_data({"dims": [D, n], "head": head}).ok


@given(st.data())
def test_remainders_map_m_to_n(data: st.DataObject) -> None:
    m, n = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6))
    head = {"expansion": "identity_expansion", "remainder": data.draw(remainders(m, n))}
    assert validate_data({"dims": [m, n], "head": head}).ok


@given(st.data())
def test_fusions_fuse_their_inputs(data: st.DataObject) -> None:
    inputs = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    n = data.draw(st.none() | st.integers(1, 6))
    fusion = TypeAdapter(AnyFusion).validate_python(data.draw(fusions(inputs, n=n)))
    out = dims.fusion_n(fusion, inputs)
    dims.fusion_l(fusion, inputs)
    assert n is None or out == n


@given(st.data())
def test_processing_fits_its_size(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, 6))
    items = data.draw(processing(size))
    layer = {"m": size, "n": 1, "heads": [{"expansion": "identity_expansion"}]}
    assert validate_data({"layers": [{**layer, "input_process": items}]}).ok


@given(st.data())
def test_heads_and_layers_fit_their_sizes(data: st.DataObject) -> None:
    m, n = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6))
    head = data.draw(heads(m, n, keep_n=True))
    spec = validate_data({"layers": [{"m": m, "n": n, "heads": [head]}]}).unwrap()
    assert spec.layers is not None and spec.layers[0].output_dim == n
    layer = data.draw(layers(m, output_dim=n))
    spec = validate_data({"layers": [layer]}).unwrap()
    assert spec.layers is not None and spec.layers[0].output_dim == n


# --- mutations --------------------------------------------------------------------------------


@given(st.data())
def test_mutations_change_a_copy(data: st.DataObject) -> None:
    original = data.draw(model_specs(max_layers=1))
    kept = copy.deepcopy(original)
    kind = data.draw(st.sampled_from([k for k in MUTATION_KINDS if k != "garbage"]))
    case = data.draw(mutation_cases(original, kinds=[kind]))
    assert original == kept
    assert case.kind == kind
    assert case.data != original
