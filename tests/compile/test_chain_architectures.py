"""tinybig 0.2.1's chain architectures (chain_interdependence_head / _layer, model.rnn and
model.regression_rnn): the shared conformance cases, then the layout rules on other shapes and
options, checked against the math written out here with tinybig's forward as the recipe."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rpnschema.compile import build, load_tinybig_state_dict
from rpnschema.compile.kernels.interdependence_topological import chain_matrix
from rpnschema.interop import from_tinybig
from rpnschema.spec.interdependence import topological as to
from rpnschema.validate import load_spec, validate_data
from tests.compile.test_architecture_conformance import ATOL, RTOL, _cases, _class, _model, f32

CHAIN = ("chain_interdependence_head", "chain_interdependence_layer", "rnn", "regression_rnn")
CASES = [
    pytest.param(c, id=c["id"])
    for c in _cases("heads") + _cases("layers") + _cases("models")
    if _class(c) in CHAIN or c["id"].startswith("rpn_head_inst_chain")
]


def test_every_chain_class_has_cases() -> None:
    assert {_class(p.values[0]) for p in CASES} == {*CHAIN, "rpn_head"}
    assert len(CASES) == 5


@pytest.mark.parametrize("case", CASES)
def test_chain_cases_reproduce_tinybig(case: dict[str, Any]) -> None:
    model = _model(case)  # param_count checked on the normalized spec
    assert sum(p.numel() for p in model.parameters()) == case["param_count"]
    config = case["tinybig_config"]
    target = model if "model_class" in config else model.layers[0]
    target = target.heads[0] if "head_class" in config else target
    assert set(case["parameters"]) <= set(target.state_dict())
    load_tinybig_state_dict(target, case["parameters"])
    model.eval()
    with torch.no_grad():
        y = model(f32(case["x"]))
    assert list(y.shape) == case["y_shape"]
    torch.testing.assert_close(y, f32(case["y"]), rtol=RTOL, atol=ATOL)


# --- the rules on other shapes: the math of tinybig's forward, written out -------------------


def _A(params: dict[str, Any], semantics: str = "tinybig") -> torch.Tensor:
    """The chain matrix tinybig's chain head builds from its arguments."""
    L = params["chain_length"]
    name, extra = "chain_interdependence", {}
    if params.get("with_exponential_approx"):
        name = "exponential_approx_multihop_chain_interdependence"
    elif params.get("with_inverse_approx"):
        name = "inverse_approx_multihop_chain_interdependence"
    elif params.get("with_multihop"):
        name = "multihop_chain_interdependence"
        extra = {"h": params.get("h", 1), "accumulative": params.get("accumulative", False)}
    cls = {c.model_fields["name"].annotation.__args__[0]: c for c in to.TOPOLOGICAL_TYPES}[name]
    spec = cls(
        name=name,
        chain_length=L,
        bi_directional=params.get("bi_directional", False),
        self_dependence=params.get("self_dependence", True),
        self_scaling=params.get("self_scaling", 1.0),
        **extra,
    )
    A = chain_matrix(name, spec, semantics)
    return A.to_dense() if A.is_sparse else A


def _chain_head_reference(
    x: torch.Tensor,
    state: dict[str, torch.Tensor],
    params: dict[str, Any],
    prefix: str = "",
    W: torch.Tensor | None = None,
) -> torch.Tensor:
    """tinybig's chain_interdependence_head: positions mixed by A^T, each mapped by W (n x m:
    the identity reconciliation's w unless given) plus the bias, and the residual per position;
    ReLU / softmax over the whole row."""
    L, m, n = params["chain_length"], params["m"], params["n"]
    b = x.shape[0]
    xs = x.reshape(b, L, m)
    mixed = torch.einsum("ij,bim->bjm", _A(params).to(x.dtype), xs)
    W = state[f"{prefix}w"].reshape(n, m) if W is None else W
    y = mixed @ W.T
    if f"{prefix}b" in state:
        y = y + state[f"{prefix}b"]
    if params.get("with_residual"):
        y = y + xs @ state[f"{prefix}w_remainder"].T
    y = y.reshape(b, L * n)
    if params.get("with_relu", True):
        y = torch.relu(y)
    if params.get("with_softmax", True):
        y = torch.softmax(y, dim=-1)
    return y


_FLAGS = st.fixed_dictionaries(
    {},
    optional={
        "bi_directional": st.booleans(),
        "self_dependence": st.booleans(),
        "with_residual": st.booleans(),
        "with_relu": st.booleans(),
        "with_softmax": st.booleans(),
        "enable_bias": st.booleans(),
        "with_lorr": st.booleans(),
        "r": st.integers(1, 2),
    },
)
_TOPOLOGY = st.sampled_from(
    [
        {},
        {"with_multihop": True, "h": 2},
        {"with_multihop": True, "h": 3, "accumulative": True},
        {"with_inverse_approx": True},
        {"with_exponential_approx": True},
    ]
)


@settings(max_examples=25, deadline=None)
@given(
    L=st.integers(1, 5),
    m=st.integers(1, 4),
    n=st.integers(1, 4),
    flags=_FLAGS,
    topology=_TOPOLOGY,
    kind=st.sampled_from(["head", "layer"]),
)
def test_chain_heads_and_layers_follow_tinybigs_layout(
    L: int, m: int, n: int, flags: dict[str, Any], topology: dict[str, Any], kind: str
) -> None:
    params = {"m": m, "n": n, "chain_length": L, **flags, **topology}
    config = {f"{kind}_class": f"tinybig.{kind}.chain_interdependence_{kind}"}
    config[f"{kind}_parameters"] = params
    data, diags = from_tinybig(config)
    assert data is not None, [d.message for d in diags]
    spec = load_spec(data)
    layer = spec.layers[0]
    assert (layer.steps, layer.m, layer.output_dim) == (L, m, L * n)
    r = flags.get("r", 3)
    expected = r * (n + m) if flags.get("with_lorr") else n * m
    expected += (n * m if flags.get("with_residual") else 0) + (
        n if flags.get("enable_bias") else 0
    )
    assert spec.parameters == expected
    model = build(spec, seed=1)
    assert sum(p.numel() for p in model.parameters()) == expected
    x = torch.randn(3, L * m, generator=torch.Generator().manual_seed(L + 10 * m))
    head = model.layers[0].heads[0]
    with torch.no_grad():
        y = model(x)
        W = head.reconciliation(head.w, 1, x)[0]  # n x m (lorr: its low-rank product)
    reference = _chain_head_reference(x, head.state_dict(), params, W=W)
    torch.testing.assert_close(y, reference, rtol=RTOL, atol=ATOL)


def _rnn_reference(
    model: torch.nn.Module, x: torch.Tensor, name: str, L: int, dims: list[int]
) -> torch.Tensor:
    """tinybig.model.rnn / regression_rnn's forward with the built model's weights (default
    options: ReLU hidden layers, softmax out)."""
    b = x.shape[0]
    state = model.state_dict()
    j = 0
    for m, n in itertools.pairwise(dims[:-1]):
        w = state[f"layers.{j}.heads.0.w"].reshape(n, m)
        x = torch.relu(x.reshape(b * L, m) @ w.T).reshape(b, L * n)  # per position
        chain = {"m": n, "n": n, "chain_length": L, "with_softmax": False}
        x = _chain_head_reference(x, state, chain, f"layers.{j + 1}.heads.0.")
        j += 2
    w = state[f"layers.{j}.heads.0.w"]
    x = x.reshape(b, L, -1).mean(dim=1) if name == "rnn" else x
    return torch.softmax(x @ w.reshape(dims[-1], -1).T, dim=-1)


@settings(max_examples=20, deadline=None)
@given(
    name=st.sampled_from(["rnn", "regression_rnn"]),
    L=st.integers(1, 4),
    dims=st.lists(st.integers(1, 4), min_size=2, max_size=4),
)
def test_rnn_models_infer_their_sizes_and_compute_tinybigs_forward(
    name: str, L: int, dims: list[int]
) -> None:
    data, diags = from_tinybig(
        {
            "model_class": f"tinybig.model.{name}",
            "model_parameters": {"chain_length": L, "dims": dims},
        }
    )
    assert data is not None, [d.message for d in diags]
    spec = load_spec(data)
    assert len(spec.layers) == 2 * (len(dims) - 2) + 1
    assert spec.layers[0].m * (spec.layers[0].steps or 1) == L * dims[0]
    assert spec.layers[-1].output_dim == dims[-1]
    model = build(spec, seed=2)
    assert sum(p.numel() for p in model.parameters()) == spec.parameters
    x = torch.randn(4, L * dims[0], generator=torch.Generator().manual_seed(L))
    with torch.no_grad():
        y = model(x)
    assert y.shape == (4, dims[-1])
    torch.testing.assert_close(y, _rnn_reference(model, x, name, L, dims), rtol=RTOL, atol=ATOL)


# --- native semantics and located errors -----------------------------------------------------


def _chain_layer(**head: Any) -> dict[str, Any]:
    return {"layers": [{"m": 2, "n": 3, "heads": [{"preset": "chain", "chain_length": 4, **head}]}]}


def test_native_chain_heads_fuse_several_channels_per_position() -> None:
    spec = load_spec(_chain_layer(channels=2, with_softmax=False))
    assert spec.layers[0].output_dim == 12 and spec.parameters == 12
    y = build(spec, seed=0)(torch.randn(5, 8))
    assert y.shape == (5, 12)


def _layer(steps: int | None = None, pool_steps: bool | None = None, **head: Any) -> dict:
    """A one-layer spec m=2 -> n=3 with the sequence fields given and an identity head."""
    layer = {"m": 2, "n": 3, "steps": steps, "pool_steps": pool_steps}
    layer = {k: v for k, v in layer.items() if v is not None}
    return {"layers": [{**layer, "heads": [{"expansion": "identity_expansion", **head}]}]}


def _errors(data: dict[str, Any]) -> list[tuple[str, tuple, str]]:
    result = validate_data(data)
    return [(d.code.value, d.path, d.message) for d in result.diagnostics if d.severity == "error"]


def test_tinybig_semantics_reject_what_tinybig_cannot_run() -> None:
    config = {
        "head_class": "tinybig.head.chain_interdependence_head",
        "head_parameters": {"m": 2, "n": 3, "chain_length": 4, "channel_num": 2},
    }
    data, _ = from_tinybig(config)
    ((code, path, message),) = _errors(data)
    assert (code, path) == ("RPN478", ("layers", 0, "heads", 0, "channels"))
    assert "AssertionError" in message
    ((code, path, message),) = _errors(
        {**_chain_layer(with_batch_norm=True), "semantics": "tinybig"}
    )
    assert (code, path) == ("RPN478", ("layers", 0, "heads", 0, "output_process", 0))
    assert "BatchNorm1d(num_features=n)" in message
    assert load_spec(_chain_layer(with_batch_norm=True)).parameters == 6 + 2 * 12  # native


@pytest.mark.parametrize(
    ("data", "code", "path", "says"),
    [
        (
            {
                "layers": [
                    {"m": 2, "n": 5, "heads": [{"expansion": "identity_expansion"}]},
                    {"n": 3, "heads": [{"preset": "chain", "chain_length": 2}]},
                ]
            },
            "RPN475",
            ("layers", 1, "m"),
            "not steps (=2) positions",
        ),
        (
            _layer(steps=4, channels=2, channel_fusion="concatenation_fusion"),
            "RPN476",
            ("layers", 0, "heads", 0, "channel_fusion", "name"),
            "instead of n = 3",
        ),
        (
            _layer(steps=4, instance_interdependence="pearson_correlation_interdependence"),
            "RPN477",
            ("layers", 0, "heads", 0, "instance_interdependence", "name"),
            "computes A from the data",
        ),
        (_layer(pool_steps=True), "RPN479", ("layers", 0, "pool_steps"), "has no steps"),
        (
            {
                "layers": [
                    {"m": 2, "n": 3, "steps": 3, "heads": [{"preset": "chain", "chain_length": 4}]}
                ]
            },
            "RPN479",
            ("layers", 0, "steps"),
            "every head of a sequence layer reads the same positions",
        ),
    ],
)
def test_sequence_errors_are_located(data: dict, code: str, path: tuple, says: str) -> None:
    errors = _errors(data)
    assert (code, path) in [(c, p) for c, p, _ in errors], errors
    assert any(says in m for c, _, m in errors if c == code)


def test_rnn_preset_expands_into_the_tinybig_layers() -> None:
    result = validate_data({"preset": {"name": "rnn", "chain_length": 3}, "dims": [2, 3, 2]})
    assert result.ok
    layers = result.spec.layers
    assert [(lay.m, lay.steps, lay.pool_steps, lay.output_dim) for lay in layers] == [
        (2, 3, None, 9),
        (3, 3, None, 9),
        (3, 3, True, 2),
    ]
    assert layers[1].heads[0].instance_interdependence.name == "chain_interdependence"
    converted, _ = from_tinybig(
        {
            "model_class": "tinybig.model.rnn",
            "model_parameters": {"chain_length": 3, "dims": [2, 3, 2]},
        }
    )
    native = load_spec({**converted, "semantics": "native"})
    assert native.layers == layers
