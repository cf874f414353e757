"""Remainder kernels: tinybig conformance (activations applied here, as the compiler does)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from rpnschema.compile.kernels import remainder as M

DATA = Path(__file__).resolve().parents[1] / "data" / "conformance"
CASES = json.loads((DATA / "remainders.json").read_text())["cases"]
RTOL, ATOL = 1e-5, 1e-6

# the activations the conformance cases name; the compiler owns the real mapping
ACTIVATIONS = {
    "torch.nn.Tanh": torch.tanh,
    "torch.nn.Sigmoid": torch.sigmoid,
    "torch.nn.SiLU": F.silu,
    "torch.nn.functional.silu": F.silu,
}


def f32(v):
    return None if v is None else torch.tensor(v, dtype=torch.float64).to(torch.float32)


def split_params(params: dict) -> tuple[dict, list]:
    params = dict(params)
    configs = params.pop("activation_function_configs", None)
    funcs = params.pop("activation_functions", None)
    params.pop("enable_bias", None)
    params.pop("require_parameters", None)
    chain = []
    if configs:
        configs = configs if isinstance(configs, list) else [configs]
        chain = [ACTIVATIONS[c["function_class"]] for c in configs]
    if funcs:
        funcs = funcs if isinstance(funcs, list) else [funcs]
        chain = [ACTIVATIONS[f] for f in funcs]
    return params, chain


def run(name, x, *, n, w=None, b=None, **params):
    fn = M.REMAINDERS[name]
    if name == "linear_remainder":
        return fn(x, w=w, b=b)
    if name == "identity_remainder":
        return fn(x, n=n)
    return fn(x, n=n, **params)


def test_catalog_complete():
    assert set(M.REMAINDERS) == {
        "zero_remainder",
        "one_remainder",
        "constant_remainder",
        "identity_remainder",
        "linear_remainder",
    }
    assert {c["function"] for c in CASES} == set(M.REMAINDERS)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_conformance(case):
    params, chain = split_params(case["params"])
    x = f32(case["x"])
    x0 = x.clone()
    y = run(case["function"], x, n=case["n"], w=f32(case["w"]), b=f32(case["b"]), **params)
    for act in chain:
        y = act(y)
    assert list(y.shape) == case["y_shape"]
    torch.testing.assert_close(y, f32(case["y"]), rtol=RTOL, atol=ATOL)
    assert torch.equal(x, x0)


def test_constant_shapes_are_batch_independent():
    x = torch.randn(7, 3, dtype=torch.float64)
    for y in (M.zero(x, n=2), M.one(x, n=2), M.constant(x, n=2, c=0.25)):
        assert y.shape == (2,) and y.dtype == torch.float64
    assert torch.equal(M.constant(n=3, c=-2.0), torch.full((3,), -2.0))
    assert M.constant(n=3, dtype=torch.bfloat16, device="meta").device.type == "meta"


def test_linear_and_identity():
    x = torch.randn(4, 3)
    assert M.linear(x, w=None) is x
    w, b = torch.randn(2, 3), torch.randn(2)
    torch.testing.assert_close(M.linear(x, w=w, b=b), x @ w.T + b)
    assert M.identity(x, n=3) is x
    with pytest.raises(ValueError):
        M.identity(x, n=2)


@pytest.mark.parametrize("name", sorted(M.REMAINDERS))
@pytest.mark.parametrize(
    ("dtype", "device"),
    [(torch.float64, "cpu"), (torch.bfloat16, "cpu"), (torch.float32, "meta")],
    ids=["float64", "bfloat16", "meta"],
)
def test_dtype_device_smoke(name, dtype, device):
    m = n = 3
    x = torch.randn(5, m, dtype=dtype, device=device)
    w = torch.randn(n, m, dtype=dtype, device=device)
    b = torch.randn(n, dtype=dtype, device=device)
    y = run(name, x, n=n, w=w, b=b)
    assert y.dtype == dtype and y.device.type == device
    assert y.shape == (
        (n,) if name in {"zero_remainder", "one_remainder", "constant_remainder"} else (5, n)
    )
