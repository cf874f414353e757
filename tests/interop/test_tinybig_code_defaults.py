"""The table of issue #12, row by row: one-layer tinybig configs that leave parameters out
(m=4, n=2 unless said) read as the model tinybig 0.2.1 builds, with its parameter count, and
with tinybig's weights its outputs."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from rpnschema import io
from rpnschema.interop import build_tinybig, from_tinybig, to_tinybig, validate_tinybig

torch = pytest.importorskip("torch")


def _fn(cls: str, **params: Any) -> dict[str, Any]:
    return (
        {"function_class": cls, "function_parameters": params}
        if params
        else {"function_class": cls}
    )


def _layer(
    expansion: dict[str, Any],
    reconciliation: dict[str, Any] | None = None,
    remainder: dict[str, Any] | None = None,
    m: int = 4,
    n: int = 2,
) -> dict[str, Any]:
    head = {
        "data_transformation_configs": expansion,
        "parameter_fabrication_configs": reconciliation
        or _fn("tinybig.reconciliation.identity_reconciliation"),
        "remainder_configs": remainder or _fn("tinybig.remainder.zero_remainder"),
    }
    return {
        "layer_class": "tinybig.module.rpn_layer",
        "layer_parameters": {
            "m": m,
            "n": n,
            "head_configs": [{"head_class": "tinybig.module.rpn_head", "head_parameters": head}],
        },
    }


def _validate(config: dict[str, Any]):
    result = validate_tinybig(io.parse(json.dumps(config), format="json"))
    assert result.ok, [str(d) for d in result.diagnostics]
    assert [d for d in result.diagnostics if d.severity != "notice"] == []
    assert result.spec is not None
    return result.spec


@pytest.mark.parametrize("name", ["chebyshev_expansion", "jacobi_expansion"])
def test_recursive_polynomials_without_d_have_d_2(name: str) -> None:
    spec = _validate(_layer(_fn(f"tinybig.expansion.{name}")))
    head = spec.layers[0].heads[0]
    assert (head.expansion.d, head.D, spec.parameters) == (2, 8, 16)  # tinybig: 16, not 40


def test_fourier_without_P_has_P_10_and_tinybigs_outputs() -> None:
    config = _layer(_fn("tinybig.expansion.fourier_expansion"))
    spec = _validate(config)
    assert (spec.layers[0].heads[0].expansion.P, spec.parameters) == (10.0, 80)
    x = torch.tensor([[0.3, -1.2, 2.5, 0.75], [1.0, 0.0, -0.5, 4.0]])
    w = torch.linspace(-1.0, 1.0, 80).reshape(1, 80)
    model = build_tinybig(config, {"w": w})
    model.eval()
    with torch.no_grad():
        y = model(x)

    def expected(P: float) -> Any:  # [cos(2 pi k x / P), sin(2 pi k x / P)] for k = 1..N
        parts = [f(2 * math.pi * k / P * x) for k in range(1, 6) for f in (torch.cos, torch.sin)]
        return torch.cat(parts, dim=1) @ w.reshape(2, 40).T

    assert torch.allclose(y, expected(10.0), rtol=1e-5, atol=1e-5)
    assert (y - expected(1.0)).abs().max() > 0.5  # what P = 1.0 (the old default) gave


def test_hypernet_counts_its_frozen_network_and_reproduces_tinybigs_output() -> None:
    rec = _fn("tinybig.reconciliation.hypernet_reconciliation")
    config = _layer(_fn("tinybig.expansion.identity_expansion"), rec, m=4, n=4)
    spec = _validate(config)
    h = spec.layers[0].heads[0].reconciliation
    assert (h.l, h.hidden_dim, h.static) == (64, 128, True)
    # w (64) + Linear(64, 128) + Linear(128, n D = 16): tinybig's parameters() after a forward
    assert spec.parameters == 64 + (64 * 128 + 128) + (128 * 16 + 16) == 10_448
    gen = torch.Generator().manual_seed(3)
    state = {
        "heads.0.w": torch.randn(1, 64, generator=gen),
        "heads.0.parameter_fabrication.net.0.weight": torch.randn(128, 64, generator=gen),
        "heads.0.parameter_fabrication.net.0.bias": torch.randn(128, generator=gen),
        "heads.0.parameter_fabrication.net.2.weight": torch.randn(16, 128, generator=gen),
        "heads.0.parameter_fabrication.net.2.bias": torch.randn(16, generator=gen),
    }
    model = build_tinybig(config, state)
    assert sum(p.numel() for p in model.parameters()) == 10_448
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) == 64  # frozen net
    x = torch.randn(3, 4, generator=gen)
    hidden = torch.sigmoid(
        state["heads.0.w"] @ state["heads.0.parameter_fabrication.net.0.weight"].T
        + state["heads.0.parameter_fabrication.net.0.bias"]
    )
    W = (
        hidden @ state["heads.0.parameter_fabrication.net.2.weight"].T
        + state["heads.0.parameter_fabrication.net.2.bias"]
    ).reshape(4, 4)
    model.eval()
    with torch.no_grad():
        assert torch.allclose(model(x), x @ W.T, rtol=1e-5, atol=1e-5)


def test_native_semantics_keeps_the_static_network_as_buffers() -> None:
    rec = _fn("tinybig.reconciliation.hypernet_reconciliation", l=8, hidden_dim=4)
    data, _ = from_tinybig(_layer(_fn("tinybig.expansion.identity_expansion"), rec, m=4, n=4))
    data["semantics"] = "native"
    from rpnschema import validate_data

    assert validate_data(data).unwrap().parameters == 8


def test_linear_remainder_defaults_to_a_weighted_remainder() -> None:
    rem = _fn("tinybig.remainder.linear_remainder")
    config = _layer(_fn("tinybig.expansion.identity_expansion"), remainder=rem)
    spec = _validate(config)  # m != n is fine: the remainder has its n x m weight
    assert spec.layers[0].heads[0].remainder.name == "linear_remainder"
    assert spec.parameters == 8 + 8
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0]])
    w = torch.arange(8, dtype=torch.float32).reshape(1, 8) / 10
    w_rem = torch.ones(2, 4)
    model = build_tinybig(config, {"heads.0.w": w, "heads.0.w_remainder": w_rem})
    with torch.no_grad():
        y = model(x)
    assert torch.allclose(y, x @ w.reshape(2, 4).T + x @ w_rem.T)


def test_tinybig_presets_with_a_residual_have_a_weighted_remainder() -> None:
    config = {
        "head_class": "tinybig.head.perceptron_head",
        "head_parameters": {"m": 4, "n": 2, "with_residual": True},
    }
    data, diags = from_tinybig(config)
    assert [d.severity for d in diags] == ["notice"]
    head = data["layers"][0]["heads"][0]
    assert head["remainder"] == {"name": "linear_remainder", "enable_bias": False}
    assert head["reconciliation"] == {"name": "identity_reconciliation", "enable_bias": True}
    # identity reconciliation n x m + its bias n, the remainder n x m
    assert _validate(config).parameters == 8 + 2 + 8


def test_nested_expansion_without_composition_configs_builds() -> None:
    config = _layer(_fn("tinybig.expansion.nested_expansion"))
    spec = _validate(config)
    head = spec.layers[0].heads[0]
    assert (head.expansion.functions, head.D, spec.parameters) == ([], 4, 8)
    w = torch.arange(8, dtype=torch.float32).reshape(1, 8)
    x = torch.tensor([[1.0, -1.0, 0.5, 2.0]])
    with torch.no_grad():
        y = build_tinybig(config, {"heads.0.w": w})(x)
    assert torch.allclose(y, x @ w.reshape(2, 4).T)  # nesting nothing passes x through


def test_extended_expansion_without_composition_configs_is_explained() -> None:
    _, diags = from_tinybig(_layer(_fn("tinybig.expansion.extended_expansion")))
    (d,) = diags
    assert d.severity == "error" and "D = 0 and fails at its first forward" in d.message


def test_converted_specs_write_tinybigs_defaults_explicitly() -> None:
    data, _ = from_tinybig(_layer(_fn("tinybig.expansion.chebyshev_expansion")))
    head = data["layers"][0]["heads"][0]
    assert head["expansion"] == {"name": "chebyshev_expansion", "d": 2}
    assert head["reconciliation"] == {"name": "identity_reconciliation", "enable_bias": False}


def test_writing_tinybig_gives_every_parameter() -> None:
    spec = _validate(_layer(_fn("tinybig.expansion.bspline_expansion")))
    config = to_tinybig(spec)
    layer = config["model_parameters"]["layer_configs"][0]
    head = layer["layer_parameters"]["head_configs"][0]["head_parameters"]
    assert head["data_transformation_configs"]["function_parameters"] == {
        "grid_range": [-1.0, 1.0],
        "t": 5,
        "d": 3,
    }
    assert head["remainder_configs"]["function_parameters"] == {"require_parameters": False}
    # and the written config reads back as the same model
    assert _validate(config).parameters == spec.parameters


#: Classes tinybig 0.2.1 itself cannot build (or run) from a config without
#: function_parameters (fusions: only dims), with the error rpnschema reports instead.
TINYBIG_FAILS = {
    "cuboid_patch_based_geometric_expansion": "RPN202",  # p_h, p_w, p_d required; no grid
    "cylinder_patch_based_geometric_expansion": "RPN202",
    "sphere_patch_based_geometric_expansion": "RPN202",
    "extended_expansion": "RPN202",  # D = 0: its first forward fails
    "identity_remainder": "RPN403",  # m != n: tinybig raises ValueError
    "weighted_summation_fusion": "RPN202",  # weights None: its forward asserts
    "parameterized_weighted_summation_fusion": "RPN409",  # fails as a channel fusion
    "hm_parameterized_concatenation_fusion": "RPN202",  # p required
    "lphm_parameterized_concatenation_fusion": "RPN202",  # p, r required
    "dual_lphm_parameterized_concatenation_fusion": "RPN202",
}
_SLOT = {
    "expansion": "data_transformation_configs",
    "reconciliation": "parameter_fabrication_configs",
    "remainder": "remainder_configs",
    "fusion": "channel_fusion_configs",
}


def _bare(family: str, name: str) -> dict[str, Any]:
    from rpnschema.interop._tinybig_table import CLASS_PATH

    config = _layer(_fn("tinybig.expansion.identity_expansion"))
    head = config["layer_parameters"]["head_configs"][0]["head_parameters"]
    if family == "fusion":
        head["channel_num"] = 2
        head[_SLOT[family]] = _fn(CLASS_PATH[name], dims=[2, 2])
    else:
        head[_SLOT[family]] = _fn(CLASS_PATH[name])
    return config


def _catalog() -> list[tuple[str, str]]:
    from rpnschema.interop._tinybig_table import NAMES

    return [
        (f, n) for f in ("expansion", "reconciliation", "remainder", "fusion") for n in NAMES[f]
    ]


@pytest.mark.parametrize(("family", "name"), _catalog(), ids=lambda v: str(v))
def test_every_class_without_function_parameters_reads_as_tinybig_builds_it(
    family: str, name: str
) -> None:
    result = validate_tinybig(io.parse(json.dumps(_bare(family, name)), format="json"))
    errors = sorted({d.code.value for d in result.errors})
    if name in TINYBIG_FAILS:
        assert errors == [TINYBIG_FAILS[name]]
        return
    assert errors == [], [str(d) for d in result.errors]
    assert result.spec is not None
    head = result.spec.layers[0].heads[0]
    component = {
        "expansion": head.expansion,
        "reconciliation": head.reconciliation,
        "remainder": head.remainder,
        "fusion": head.channel_fusion,
    }[family]
    assert component is not None and component.name == name
    # the converted spec names every parameter: it reads the same as its own data
    from rpnschema import validate_data

    again = validate_data(result.spec.to_data()).unwrap()
    assert again.parameters == result.spec.parameters
