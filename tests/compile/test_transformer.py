"""tinybig's bilinear attention architectures (#14): the ``bilinear`` head preset and the
``transformer`` model preset, native semantics only.

tinybig 0.2.1 cannot run these classes (a keyword typo), so there are no reference vectors: the
math is checked against a plain-torch reimplementation of the formula tinybig's code intends,
parameter counts by hand, static dims against built output shapes, and the rejection under
tinybig semantics (spec and tinybig config) by its message and location.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rpnschema import build, load_spec, validate_data, validate_text
from rpnschema.compile.kernels.interdependence_softmax import softmax_matrix
from rpnschema.errors import Code
from rpnschema.interop import export_tinybig, from_tinybig

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "architectures" / "transformer.yaml"


def _x(rows: int, m: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(rows, m, generator=torch.Generator().manual_seed(seed))


def _attention(X: torch.Tensor, W: torch.Tensor, n: int) -> torch.Tensor:
    """softmax over the columns of sqrt(n) X W X^T, entries equal to 0 masked (kept 0)."""
    S = math.sqrt(n) * (X @ W @ X.t())
    keep = S != 0
    S = torch.where(keep, S, torch.full_like(S, -1e9))
    return torch.softmax(S, dim=0) * keep


def _head(layer: dict[str, Any]) -> dict[str, Any]:
    return {"spec_version": 2, "seed": 3, "layers": [layer]}


# --- the head's math --------------------------------------------------------------------------


def test_bilinear_head_is_attention_then_the_rpn_head() -> None:
    m, n, L = 3, 2, 4
    spec = load_spec(
        _head({"m": m, "n": n, "heads": [{"preset": "bilinear", "with_residual": True}]})
    )
    model = build(spec)
    state = model.state_dict()
    W = state["layers.0.heads.0.w_instance_interdependence"].reshape(m, m)
    Wr = state["layers.0.heads.0.w"].reshape(n, m)
    R = state["layers.0.heads.0.w_remainder"]
    X = _x(L, m)
    A = _attention(X, W, n)
    torch.testing.assert_close(A.sum(dim=0), torch.ones(L))  # column softmax
    expected = torch.softmax(torch.relu((A.t() @ X) @ Wr.t() + X @ R.t()), dim=-1)
    torch.testing.assert_close(model(X), expected, rtol=1e-5, atol=1e-6)
    # hand count: W m x m, reconciliation n x m, linear remainder n x m
    assert spec.parameters == m * m + n * m + n * m == sum(p.numel() for p in model.parameters())


def test_lowrank_attention_with_bias_and_taylor() -> None:
    m, n, L, r = 3, 2, 5, 2
    head = {
        "preset": "bilinear",
        "with_lorr_interdependence": True,
        "r_interdependence": r,
        "with_taylor": True,
        "d": 2,
        "enable_bias": True,
        "with_relu": False,
        "with_softmax": False,
    }
    spec = load_spec(_head({"m": m, "n": n, "heads": [head]}))
    model = build(spec)
    state = model.state_dict()
    w = state["layers.0.heads.0.w_instance_interdependence"].reshape(-1)
    W = w[: m * r].reshape(m, r) @ w[m * r :].reshape(r, m)  # lorr: (m x r)(r x m)
    D = m + m * m
    Wr, b = state["layers.0.heads.0.w"].reshape(n, D), state["layers.0.heads.0.b"]
    X = _x(L, m, 1)
    kappa = torch.cat([X, (X.unsqueeze(2) * X.unsqueeze(1)).reshape(L, m * m)], dim=1)
    A = _attention(X, W, n)  # from the raw rows; then A^T kappa(X) (tinybig's rpn_head)
    torch.testing.assert_close(model(X), (A.t() @ kappa) @ Wr.t() + b, rtol=1e-5, atol=1e-6)
    assert spec.parameters == 2 * r * m + n * D + n


def test_masked_zeros_stay_zero() -> None:
    A = torch.tensor([[1.0, 0.0], [2.0, 0.0]])
    out = softmax_matrix(A, "column", 2.0, True)
    torch.testing.assert_close(out[:, 1], torch.zeros(2))  # an all-zero column stays zero
    torch.testing.assert_close(out[:, 0], torch.softmax(torch.tensor([2.0, 4.0]), dim=0))
    unmasked = softmax_matrix(A, "row", 1.0, False)
    torch.testing.assert_close(unmasked, torch.softmax(A, dim=1))
    both = softmax_matrix(A, "row_column", 1.0, False)
    torch.testing.assert_close(both, torch.softmax(torch.softmax(A, dim=1), dim=0))


def test_a_zero_token_takes_no_attention() -> None:
    spec = load_spec(_head({"m": 2, "n": 2, "heads": [{"preset": "bilinear", "with_relu": False}]}))
    interdependence = build(spec).layers[0].heads[0].instance_interdependence
    X = torch.tensor([[1.0, 2.0], [0.0, 0.0], [3.0, -1.0]])
    w = build(spec).state_dict()["layers.0.heads.0.w_instance_interdependence"]
    A = interdependence.matrix(X, w)
    assert torch.equal(A[1], torch.zeros(3)) and torch.equal(A[:, 1], torch.zeros(3))


# --- the model preset -------------------------------------------------------------------------


def test_example_counts_by_hand_builds_and_runs() -> None:
    spec = load_spec(EXAMPLE)
    n0, r = 8, 2
    attention = (2 * r * 4) + (n0 * 4 + n0) + n0 * 4 + 2 * n0  # W lorr, psi + bias, pi, bn
    fusion = n0 * n0  # parameterized concatenation [8] -> 8
    block = (n0 * n0 + n0) + n0 * n0 + 2 * n0  # perceptron 8 -> 8 (+ batch norm)
    fc = [(8 * 8 + 8) + 8 * 8 + 2 * 8, (3 * 8 + 3) + 3 * 8]  # 8 -> 8 (bn), 8 -> 3 (last)
    assert spec.parameters == attention + fusion + block + sum(fc) == 523
    outputs = [[p.name for p in layer.heads[0].output_process] for layer in spec.layers]
    # the attention block passes with_softmax on; fc layers: softmax on the last only
    assert outputs == [["batch_norm", "relu", "softmax"]] * 2 + [["batch_norm", "relu"]] + [
        ["softmax"]
    ]
    model = build(spec)
    assert sum(p.numel() for p in model.parameters()) == spec.parameters
    y = model(_x(6, 4))
    assert y.shape == (6, 3) and torch.isfinite(y).all()
    torch.testing.assert_close(y.sum(dim=1), torch.ones(6))


def test_transformer_layers_follow_tinybigs_constructor() -> None:
    spec = load_spec({"dims": [4, 6, 6], "preset": {"name": "transformer", "fc_dims": [6, 2]}})
    kinds = [
        layer.heads[0].instance_interdependence.name
        if layer.heads[0].instance_interdependence
        else "perceptron"
        for layer in spec.layers
    ]
    assert kinds == [
        "lowrank_parameterized_bilinear_interdependence",
        "perceptron",
        "lowrank_parameterized_bilinear_interdependence",
        "perceptron",
        "perceptron",  # 6 -> 6: n == fc_dims[-1]? no (2): batch norm, relu, dropout on
        "perceptron",  # 6 -> 2: the last
    ]
    assert [(layer.m, layer.output_dim) for layer in spec.layers] == [
        (4, 6),
        (6, 6),
        (6, 6),
        (6, 6),
        (6, 6),
        (6, 2),
    ]
    last = [p.name for p in spec.layers[-1].heads[0].output_process]
    assert last == ["softmax"]
    scale = spec.layers[0].heads[0].instance_interdependence.softmax
    assert scale.rescale_factor == pytest.approx(math.sqrt(6)) and scale.mask_zeros


def test_width_shares_one_head_and_projects_back_to_n() -> None:
    base = {"dims": [3, 4], "preset": {"name": "transformer", "fc_dims": [2]}}
    one = load_spec(base)
    wide = load_spec({**base, "preset": {**base["preset"], "width": 3}})
    layer = wide.layers[0]
    assert layer.width == 3 and layer.share_heads and layer.output_dim == 4
    # shared heads count once; the fusion maps 3 * 4 -> 4 instead of 4 -> 4
    assert wide.layers[0].parameters - one.layers[0].parameters == 3 * 4 * 4 - 4 * 4
    model = build(wide)
    assert sum(p.numel() for p in model.parameters()) == wide.parameters
    assert model(_x(5, 3)).shape == (5, 2)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    dims=st.lists(st.integers(1, 6), min_size=2, max_size=3),
    fc_dims=st.lists(st.integers(1, 5), min_size=1, max_size=2),
    rows=st.integers(2, 6),
    width=st.integers(1, 2),
    channels=st.integers(1, 2),
    flags=st.fixed_dictionaries(
        {
            "with_lorr_interdependence": st.booleans(),
            "with_dual_lphm_interdependence": st.booleans(),
            "with_taylor": st.booleans(),
            "with_lorr": st.booleans(),
            "with_residual": st.booleans(),
            "with_batch_norm": st.booleans(),
            "enable_bias": st.booleans(),
        }
    ),
)
def test_static_dims_equal_the_built_model(
    dims: list[int],
    fc_dims: list[int],
    rows: int,
    width: int,
    channels: int,
    flags: dict[str, bool],
) -> None:
    preset = {
        "name": "transformer",
        "fc_dims": fc_dims,
        "width": width,
        "channels": channels,
        "with_dropout": False,
        **flags,
    }
    result = validate_data({"seed": 0, "dims": dims, "preset": preset})
    assert result.ok, [str(d) for d in result.errors]
    spec = result.spec
    assert spec is not None
    assert len(spec.layers) == 2 * (len(dims) - 1) + len(fc_dims)
    model = build(spec)
    assert sum(p.numel() for p in model.parameters()) == spec.parameters
    y = model(_x(rows, dims[0]))
    assert y.shape == (rows, spec.layers[-1].output_dim) == (rows, fc_dims[-1])
    assert torch.isfinite(y).all()


# --- tinybig semantics reject the classes -----------------------------------------------------

_TYPO = "unexpected keyword argument 'mask_zero'"


def test_tinybig_semantics_reject_the_transformer_preset_where_it_is() -> None:
    text = "semantics: tinybig\ndims: [4, 4]\npreset: {name: transformer, fc_dims: [2]}\n"
    result = validate_text(text, file="spec.yaml")
    assert result.spec is None
    [error] = result.errors
    assert error.code is Code.TINYBIG_BILINEAR and error.path == ("preset",)
    assert (error.line, error.column) == (3, 9)
    assert "tinybig.model.transformer" in error.message and _TYPO in error.message
    assert error.expected == "semantics: native" and error.found == "semantics: tinybig"
    assert "set semantics: native" in (error.suggestion or "")


def test_tinybig_semantics_reject_the_bilinear_head_preset() -> None:
    data = {
        "semantics": "tinybig",
        "layers": [
            {"m": 3, "n": 2, "heads": [{"expansion": "identity_expansion"}]},
            {"n": 2, "heads": [{"preset": "bilinear"}]},
        ],
    }
    errors = validate_data(data).errors
    assert [(e.code, e.path) for e in errors] == [
        (Code.TINYBIG_BILINEAR, ("layers", 1, "heads", 0, "preset"))
    ]
    assert "bilinear_interdependence_head" in errors[0].message


@pytest.mark.parametrize(
    ("config", "pointer"),
    [
        (
            {
                "model_class": "tinybig.model.transformer",
                "model_parameters": {"dims": [3, 3], "fc_dims": [2], "batch_num": 4},
            },
            "model_class",
        ),
        (
            {
                "layer_class": "tinybig.layer.bilinear_layers.bilinear_interdependence_layer",
                "layer_parameters": {"m": 3, "n": 2, "width": 2, "with_lorr": True},
            },
            "layer_class",
        ),
        (
            {
                "head_class": "tinybig.head.bilinear_interdependence_head",
                "head_parameters": {"m": 3, "n": 2, "channel_num": 2},
            },
            "head_class",
        ),
    ],
    ids=["model", "layer", "head"],
)
def test_from_tinybig_rejects_them_and_suggests_the_native_spec(
    config: dict[str, Any], pointer: str
) -> None:
    data, diags = from_tinybig(config)
    assert data is None
    [error] = [d for d in diags if d.severity == "error"]
    assert error.code is Code.TINYBIG_BILINEAR and error.pointer == pointer
    assert _TYPO in error.message and "cannot be converted" in error.message
    native = json.loads((error.suggestion or "").split("write it as the native spec ", 1)[1])
    spec = load_spec({**native, "seed": 0})  # the suggestion is a valid native spec
    assert spec.semantics == "native"
    assert build(spec)(_x(4, 3)).shape[0] == 4


def test_a_softmax_interdependence_does_not_export_to_tinybig() -> None:
    spec = load_spec(_head({"m": 3, "n": 2, "heads": [{"preset": "bilinear"}]}))
    _, diags = export_tinybig(spec)
    [error] = [d for d in diags if d.severity == "error"]
    assert error.code is Code.NOT_REPRESENTABLE
    assert error.pointer == "layers/0/heads/0/instance_interdependence/softmax"


# --- the layer preset -------------------------------------------------------------------------


def test_layer_preset_is_tinybigs_bilinear_interdependence_layer() -> None:
    head = {"m": 4, "n": 6, "heads": [{"expansion": "identity_expansion"}]}
    layer = {"preset": "bilinear", "n": 6, "width": 2, "with_lorr_interdependence": True}
    result = validate_data({"seed": 0, "layers": [head, layer]})
    assert result.ok, [str(d) for d in result.errors]
    notice = next(d for d in result.diagnostics if d.path == ("layers", 1, "preset"))
    assert notice.code is Code.PRESET_EXPANDED and "2 shared attention heads" in notice.message
    spec = result.spec
    assert spec is not None
    expanded = spec.layers[1]
    assert (expanded.m, expanded.width, expanded.share_heads) == (6, 2, True)
    assert expanded.head_fusion is not None and expanded.head_fusion.n == 6
    # one shared head (lorr W 2*3*6, psi 6*6) and the fusion 12 -> 6
    assert expanded.parameters == 2 * 3 * 6 + 6 * 6 + 12 * 6
    model = build(spec)
    assert sum(p.numel() for p in model.parameters()) == spec.parameters
    assert model(_x(5, 4)).shape == (5, 6)


def test_layer_preset_rejections_are_located() -> None:
    data = {"semantics": "tinybig", "layers": [{"preset": "bilinear", "m": 3, "n": 2}]}
    [error] = validate_data(data).errors
    assert (error.code, error.path) == (Code.TINYBIG_BILINEAR, ("layers", 0, "preset"))
    assert "bilinear_interdependence_layer" in error.message
    data = {"layers": [{"preset": "bilinear", "m": 3}]}
    [error] = validate_data(data).errors
    assert (error.code, error.path) == (Code.BILINEAR_DIMS, ("layers", 0, "preset"))
    assert "needs n" in error.message


def test_summary_counts_shared_heads_once() -> None:
    from rpnschema.summary import summarize

    head = {"m": 4, "n": 6, "heads": [{"expansion": "identity_expansion"}]}
    layer = {"preset": "bilinear", "n": 6, "width": 2}
    spec = load_spec({"layers": [head, layer]})
    summary = summarize(spec)
    rows = {row.where: row.parameters for row in summary.rows}
    assert rows["layer 1"] == 12 * 6  # the fusion's own map, not minus a second head copy
    assert rows["layer 1 head 0"] == rows["layer 1 head 1"] == 6 * 6 + 6 * 6
    assert summary.total.parameters == spec.parameters == 4 * 6 + 6 * 6 + 6 * 6 + 12 * 6
