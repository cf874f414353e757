"""Every interdependence drawn by rpnschema.testing.interdependences validates, builds with the
inferred parameter count and gives the inferred output shape, in both slots and semantics."""

from __future__ import annotations

import warnings

import pytest
import torch
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from rpnschema._testing_interdependence import _params, slot_names
from rpnschema.compile import build
from rpnschema.testing import INTERDEPENDENCE_NAMES, interdependences, model_specs
from rpnschema.validate import validate_data


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_drawn_interdependences_build_and_run(data: st.DataObject) -> None:
    semantics = data.draw(st.sampled_from(["native", "tinybig"]))
    kind = data.draw(st.sampled_from(["attribute", "instance"]))
    b, m = data.draw(st.integers(2, 5)), data.draw(st.integers(1, 5))
    fn = data.draw(interdependences(kind, m, b, semantics))
    head = {
        "expansion": "identity_expansion",
        "batch": b,
        f"{kind}_interdependence": fn,
        "remainder": "linear_remainder",
        "channels": data.draw(st.integers(1, 2)),
    }
    spec = validate_data(
        {"semantics": semantics, "layers": [{"m": m, "n": 2, "heads": [head]}]}
    ).unwrap()
    model = build(spec, seed=0)
    assert sum(p.numel() for p in model.parameters()) == spec.parameters
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pearson / std of a single-row side
        y = model(torch.rand(b, m, generator=torch.Generator().manual_seed(0)))
    assert y.shape == (b, 2)


@pytest.mark.parametrize("name", INTERDEPENDENCE_NAMES)
def test_the_strategy_draws_every_interdependence(name: str) -> None:
    kind = "attribute" if name in slot_names("attribute") else "instance"
    assert name in slot_names(kind)
    drawn = {"name": name, **find(_params(name, kind, (4,), 4), lambda p: True)}
    spec = validate_data(
        {
            "layers": [
                {
                    "m": 4,
                    "n": 2,
                    "heads": [
                        {
                            "expansion": "identity_expansion",
                            "batch": 4,
                            f"{kind}_interdependence": drawn,
                        }
                    ],
                }
            ]
        }
    )
    assert spec.spec is not None, spec.diagnostics


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model_specs(batch=3, max_layers=2, max_parameters=3000))
def test_generated_models_with_interdependences_run_on_their_batch(data: dict) -> None:
    model = build(validate_data(data).unwrap(), seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = torch.rand(3, model.layers[0].m, generator=torch.Generator().manual_seed(0))
        y = model(x.to(getattr(torch, model.spec.dtype)))
    assert y.shape[1] == model.layers[-1].spec.output_dim


@pytest.mark.parametrize("semantics", ["native", "tinybig"])
def test_require_data_false_keeps_the_first_batch_matrix(semantics: str) -> None:
    """tinybig's cached A: a data kernel built with require_data=False reuses its first A."""
    heads = {
        flag: {
            "expansion": "identity_expansion",
            "attribute_interdependence": {
                "name": "pearson_correlation_interdependence",
                "require_data": flag,
            },
        }
        for flag in (True, False)
    }
    g = torch.Generator().manual_seed(0)
    x1, x2 = torch.rand(6, 3, generator=g), torch.rand(6, 3, generator=g)
    matrices = {}
    for flag, head in heads.items():
        spec = {"semantics": semantics, "layers": [{"m": 3, "n": 2, "heads": [head]}]}
        module = build(spec, seed=0).layers[0].heads[0].attribute_interdependence
        matrices[flag] = (module.matrix(x1, None), module.matrix(x2, None))
    fresh, cached = matrices[True], matrices[False]
    assert not torch.allclose(fresh[0], fresh[1])
    torch.testing.assert_close(cached[0], cached[1])
    torch.testing.assert_close(cached[1], fresh[0])
