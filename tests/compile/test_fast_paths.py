"""Structure-aware head evaluation (rpnschema.compile.fast) equals the materialized computation.

Every case builds a model, draws random weights (biases included), and compares the outputs and
the gradients (weights and input) of the chosen path with those of the same module forced to
``evaluation_path = "materialized"``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from torch.testing import assert_close

from rpnschema.compile import build, fast
from rpnschema.compile.fast import PATHS, kron_apply, taylor2_bilinear
from rpnschema.testing import model_specs
from tests.compile.forward_backward import run as _run

TAYLOR2 = {"name": "taylor_expansion", "d": 2}


@pytest.fixture(autouse=True)
def _small_heads_take_fast_paths(monkeypatch):
    """The cases are small (fast tests); lift the size floor below which heads materialize."""
    monkeypatch.setattr(fast, "MIN_FEATURES", 1)


CHEB = {"name": "chebyshev_expansion", "d": 2}


def _model(head: dict[str, Any], m: int = 5, n: int = 4, semantics: str = "native", **layer):
    return {
        "seed": 3,
        "semantics": semantics,
        "layers": [{"m": m, "n": n, "heads": [head], **layer}],
    }


def _head(expansion, reconciliation, channels: int = 1, **extra) -> dict[str, Any]:
    head = {"expansion": expansion, "reconciliation": reconciliation, **extra}
    if channels > 1:
        head |= {"channels": channels, "channel_fusion": "mean_fusion"}
    return head


BIAS = {"enable_bias": True}
# name -> (spec, expected path of its head)
CASES: dict[str, tuple[dict[str, Any], str]] = {
    "taylor_identity": (
        _model(_head(TAYLOR2, "identity_reconciliation")),
        "bilinear-identity",
    ),
    "taylor_identity_bias_channels": (
        _model(
            _head(
                TAYLOR2,
                {"name": "identity_reconciliation", **BIAS},
                channels=3,
                remainder="linear_remainder",
            )
        ),
        "bilinear-identity",
    ),
    "taylor_identity_input_process": (
        _model(_head(TAYLOR2, "identity_reconciliation", input_process=["tanh"]), m=3, n=2),
        "bilinear-identity",
    ),
    "taylor_lorr": (
        _model(_head(TAYLOR2, {"name": "lorr_reconciliation", "r": 2})),
        "bilinear-lowrank",
    ),
    "taylor_lorr_bias_channels": (
        _model(_head(TAYLOR2, {"name": "lorr_reconciliation", "r": 3, **BIAS}, channels=2)),
        "bilinear-lowrank",
    ),
    "chebyshev_lorr": (
        _model(_head(CHEB, {"name": "lorr_reconciliation", "r": 2, **BIAS}, channels=2)),
        "lowrank",
    ),
    "taylor_layer_norm_lorr": (
        _model(_head({**TAYLOR2, "postprocess": ["layer_norm"]}, "lorr_reconciliation")),
        "bilinear-ln-lowrank",
    ),
    "taylor_layer_norm_lorr_channels_bias": (
        _model(
            _head(
                {**TAYLOR2, "postprocess": ["layer_norm"]},
                {"name": "lorr_reconciliation", "r": 2, **BIAS},
                channels=2,
            )
        ),
        "bilinear-ln-lowrank",
    ),
    "taylor_layer_norm_identity_bias_channels": (
        _model(
            _head(
                {**TAYLOR2, "postprocess": ["layer_norm"]},
                {"name": "identity_reconciliation", **BIAS},
                channels=3,
                remainder="linear_remainder",
            )
        ),
        "bilinear-ln-identity",
    ),
    "taylor_layer_norm_no_affine": (
        _model(
            _head(
                {**TAYLOR2, "postprocess": [{"name": "layer_norm", "elementwise_affine": False}]},
                "identity_reconciliation",
            )
        ),
        "bilinear-ln-identity",
    ),
    "taylor_layer_norm_tinybig": (
        _model(
            _head({**TAYLOR2, "postprocess": ["layer_norm"]}, "identity_reconciliation"),
            semantics="tinybig",
        ),
        "bilinear-ln-identity",
    ),
    "taylor_layer_norm_relu_identity": (
        _model(
            _head({**TAYLOR2, "postprocess": ["layer_norm", "relu"]}, "identity_reconciliation")
        ),
        "fused",
    ),
    "hm": (
        _model(_head(CHEB, {"name": "hm_reconciliation", "p": 2, "q": 5}), n=4),
        "kron",
    ),
    "lphm_channels_bias": (
        _model(
            _head(
                TAYLOR2,
                {"name": "lphm_reconciliation", "p": 2, "q": 6, "r": 2, **BIAS},
                channels=2,
            ),
            m=3,
            n=4,
        ),
        "kron",
    ),
    "dual_lphm": (
        _model(
            _head({**TAYLOR2, "postprocess": ["layer_norm"]}, {"name": "dual_lphm_reconciliation"}),
            m=4,
            n=4,
        ),
        "kron",
    ),
    "duplicated_padding": (
        _model(_head(CHEB, {"name": "duplicated_padding_reconciliation", "p": 2, "q": 2})),
        "kron",
    ),
    "hm_tinybig_layout": (
        _model(_head(CHEB, {"name": "hm_reconciliation", "p": 2, "q": 5}), semantics="tinybig"),
        "fused",
    ),
    "dual_lphm_tinybig_layer_norm": (
        _model(
            _head(
                {**TAYLOR2, "postprocess": ["layer_norm"]},
                {"name": "dual_lphm_reconciliation", "p": 2, "q": 4},
            ),
            m=4,
            semantics="tinybig",
        ),
        "outer-ln",
    ),
    "dual_lphm_tinybig_layer_norm_no_affine_channels_bias": (
        _model(
            _head(
                {**TAYLOR2, "postprocess": [{"name": "layer_norm", "elementwise_affine": False}]},
                {"name": "dual_lphm_reconciliation", "p": 2, "q": 4, "r": 1, **BIAS},
                channels=2,
            ),
            m=4,
            semantics="tinybig",
        ),
        "outer-ln",
    ),
    "hm_tinybig_outer_gather": (  # L = 4, R = 3, K = 2: chunks of B interleave across rows
        _model(
            _head(TAYLOR2, {"name": "hm_reconciliation", "p": 2, "q": 3}), m=3, semantics="tinybig"
        ),
        "outer",
    ),
    "lphm_tinybig_layer_norm_gather_channels": (
        _model(
            _head(
                {**TAYLOR2, "postprocess": ["layer_norm"]},
                {"name": "lphm_reconciliation", "p": 2, "q": 3, "r": 2, **BIAS},
                channels=3,
            ),
            m=3,
            semantics="tinybig",
        ),
        "outer-ln",
    ),
    "duplicated_padding_tinybig": (
        _model(
            _head(CHEB, {"name": "duplicated_padding_reconciliation", "p": 2, "q": 2}),
            semantics="tinybig",
        ),
        "outer",
    ),
    "taylor3_identity": (
        _model(_head({"name": "taylor_expansion", "d": 3}, "identity_reconciliation"), m=3),
        "fused",
    ),
    "taylor_preprocess_identity": (
        _model(_head({**TAYLOR2, "preprocess": ["relu"]}, "identity_reconciliation")),
        "fused",
    ),
    "bspline_identity": (
        _model(_head("bspline_expansion", "identity_reconciliation"), m=2),
        "fused",
    ),
}


def _heads(model):
    return [head for layer in model.layers for head in layer.heads]


def _randomize(model, dtype, scale: float = 0.5) -> None:
    g = torch.Generator().manual_seed(11)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64).to(dtype) * scale)


@pytest.mark.parametrize("name", sorted(CASES))
def test_expected_path(name):
    spec, path = CASES[name]
    model = build(spec)
    assert [h.evaluation_path for h in _heads(model)] == [path]
    assert path in PATHS
    assert f"path={path}" in repr(model)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(
    "name", sorted(n for n, (_, path) in CASES.items() if path != "materialized")
)
def test_fast_path_equals_materialized(name, dtype):
    spec, _ = CASES[name]
    model = build(spec, dtype=dtype)
    model.eval()  # batch-independent processing; dropout-free anyway
    _randomize(model, dtype)
    m = model.layers[0].m
    x = torch.randn(7, m, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    x = x.to(dtype)

    fast = _run(model, x)
    for head in _heads(model):
        head.evaluation_path = "materialized"
    reference = _run(model, x)

    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == torch.float32 else {}
    assert_close(fast[0], reference[0], **tol)
    assert_close(fast[1], reference[1], **tol)
    assert fast[2].keys() == reference[2].keys()
    for k in reference[2]:
        assert_close(fast[2][k], reference[2][k], **tol, msg=lambda s, k=k: f"{k}: {s}")


def test_multi_layer_model_mixes_paths():
    spec = {
        "seed": 1,
        "layers": [
            {
                "m": 6,
                "n": 4,
                "heads": [
                    _head(TAYLOR2, "identity_reconciliation"),
                    _head(CHEB, {"name": "lorr_reconciliation", "r": 2}),
                ],
                "head_fusion": "mean_fusion",
            },
            {"n": 2, "heads": [_head(TAYLOR2, {"name": "lorr_reconciliation", "r": 2})]},
        ],
    }
    model = build(spec)
    _randomize(model, torch.float32, scale=0.2)  # two quadratic layers: keep float32 error small
    paths = [h.evaluation_path for h in _heads(model)]
    assert paths == ["bilinear-identity", "lowrank", "bilinear-lowrank"]
    x = torch.randn(9, 6, generator=torch.Generator().manual_seed(2))
    fast = _run(model, x)
    for head in _heads(model):
        head.evaluation_path = "materialized"
    reference = _run(model, x)
    assert_close(fast[0], reference[0], rtol=1e-5, atol=1e-6)
    for k in reference[2]:
        assert_close(fast[2][k], reference[2][k], rtol=1e-5, atol=1e-6)


def test_taylor2_bilinear_against_einsum():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 3, generator=g, dtype=torch.float64)
    rows = torch.randn(5, 3 + 9, generator=g, dtype=torch.float64)
    W1, W2 = rows[:, :3], rows[:, 3:].reshape(5, 3, 3)
    want = x @ W1.T + torch.einsum("ba,jac,bc->bj", x, W2, x)
    assert_close(taylor2_bilinear(x, rows), want)


def test_kron_apply_against_torch_kron():
    g = torch.Generator().manual_seed(0)
    A = torch.randn(2, 3, generator=g, dtype=torch.float64)
    B = torch.randn(4, 5, generator=g, dtype=torch.float64)
    kappa = torch.randn(6, 15, generator=g, dtype=torch.float64)
    assert_close(kron_apply(kappa, A, B), kappa @ torch.kron(A, B).T)


def test_fast_paths_run_on_meta():
    model = build(CASES["taylor_lorr_bias_channels"][0], device="meta")
    y = model(torch.empty(3, 5, device="meta"))
    assert y.shape == (3, 4) and y.device.type == "meta"


def test_build_prints_each_heads_path():
    from typer.testing import CliRunner

    from rpnschema.cli import app

    examples = Path(__file__).resolve().parents[2] / "examples"
    result = CliRunner().invoke(app, ["build", str(examples / "multihead_fusion.yaml")])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if re.match(r"│ layer \d head", line)]
    paths = [row.split("│")[-2].strip() for row in rows]
    assert paths == ["bilinear-lowrank", "fused", "kron", "fused"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model_specs(max_parameters=3000))
def test_generated_specs_fast_equals_materialized(data: dict) -> None:
    """Random valid specs (float64): every fast head agrees with materializing, values and grads."""
    model = build(data, seed=0, dtype="float64")
    if all(h.evaluation_path == "materialized" for h in _heads(model)):
        return
    model.eval()  # dropout off, masks fixed: both evaluations see the same function
    g = torch.Generator().manual_seed(0)
    x = torch.rand(4, model.layers[0].m, generator=g, dtype=torch.float64) * 0.8 + 0.1
    fast = _run(model, x)
    for head in _heads(model):
        head.evaluation_path = "materialized"
    reference = _run(model, x)
    if not all(torch.isfinite(t).all() for t in (reference[0], *reference[2].values())):
        return  # stacked unbounded functions may overflow; nothing to compare
    assert_close(fast[0], reference[0], rtol=1e-7, atol=1e-9)
    assert fast[2].keys() == reference[2].keys()
    for k in reference[2]:
        atol = 1e-9 * max(1.0, reference[2][k].abs().max().item())
        assert_close(fast[2][k], reference[2][k], rtol=1e-7, atol=atol)


def test_small_heads_materialize_by_default(monkeypatch):
    monkeypatch.setattr(fast, "MIN_FEATURES", 1024)
    small = build(CASES["taylor_identity"][0])
    assert [h.evaluation_path for h in _heads(small)] == ["fused"]
    examples = Path(__file__).resolve().parents[2] / "examples"
    mnist = build(examples / "mnist_taylor.yaml", device="meta")
    assert [h.evaluation_path for h in _heads(mnist)] == [
        "bilinear-ln-identity",
        "bilinear-lowrank",
    ]
