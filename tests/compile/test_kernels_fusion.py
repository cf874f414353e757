"""Fusion kernels: tinybig conformance, native Kronecker fusions, random buffers, dtypes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from rpnschema.compile.kernels import fusion as F
from rpnschema.factors import resolve_pq

DATA = Path(__file__).resolve().parents[1] / "data" / "conformance"
CASES = json.loads((DATA / "fusions.json").read_text())["cases"]
DETERMINISTIC = [c for c in CASES if not c.get("random")]
RTOL, ATOL = 1e-5, 1e-6


def f32(v) -> torch.Tensor:
    """Conformance numbers: parse as float64, cast to float32 (bit-exact inputs)."""
    return torch.tensor(v, dtype=torch.float64).to(torch.float32)


def case_params(case) -> dict:
    params = dict(case["params"])
    for key in case.get("tensor_params", []):
        params[key] = f32(params[key])
    return params


def call(name, xs, w=None, *, semantics="native", buffers=None, **params):
    fn = F.FUSIONS[name]
    if name in F.RANDOM_BUFFERS:
        return fn(xs, w=w, buffers=buffers, semantics=semantics, **params)
    return fn(xs, w=w, semantics=semantics, **params)


def make_buffers(name, *, seed=0, dtype=torch.float32, device="cpu", **params):
    g = torch.Generator().manual_seed(seed)
    return F.RANDOM_BUFFERS[name](generator=g, dtype=dtype, device=device, **params)


CATALOG = {
    "summation_fusion",
    "average_fusion",
    "mean_fusion",
    "weighted_summation_fusion",
    "parameterized_weighted_summation_fusion",
    "max_fusion",
    "min_fusion",
    "sum_fusion",
    "prod_fusion",
    "median_fusion",
    "l1_norm_fusion",
    "l2_norm_fusion",
    "concatenation_fusion",
    "parameterized_concatenation_fusion",
    "lowrank_parameterized_concatenation_fusion",
    "hm_parameterized_concatenation_fusion",
    "lphm_parameterized_concatenation_fusion",
    "dual_lphm_parameterized_concatenation_fusion",
    "random_matrix_adaption_parameterized_concatenation_fusion",
}


def test_catalog_complete():
    assert set(F.FUSIONS) == CATALOG
    assert set(F.RANDOM_BUFFERS) == {"random_matrix_adaption_parameterized_concatenation_fusion"}
    assert {c["function"] for c in CASES} <= CATALOG


# --------------------------------------------------------------------------- conformance


@pytest.mark.parametrize("case", DETERMINISTIC, ids=[c["id"] for c in DETERMINISTIC])
def test_conformance_tinybig(case):
    xs = [f32(x) for x in case["inputs"]]
    originals = [x.clone() for x in xs]
    w = None if case["w"] is None else f32(case["w"])
    y = call(case["function"], xs, w, semantics="tinybig", **case_params(case))
    expected = f32(case["y"])
    assert y.shape == expected.shape and y.shape[-1] == case["n"]
    torch.testing.assert_close(y, expected, rtol=RTOL, atol=ATOL)
    assert all(torch.equal(a, b) for a, b in zip(xs, originals, strict=True))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_conformance_n_l_shape(case):
    """n is the output width; the kernels accept a w of length l (1-D or (1, l)) and reject l+1."""
    name, dims, l = case["function"], case["dims"], case["l"]
    params = case_params(case)
    xs = [torch.randn(4, d) for d in dims]
    bufs = make_buffers(name, **params) if name in F.RANDOM_BUFFERS else None
    if l == 0:
        y = call(name, xs, None, buffers=bufs, **params)
    else:
        for w in (torch.randn(l), torch.randn(1, l)):
            y = call(name, xs, w, buffers=bufs, **params)
        with pytest.raises(ValueError):
            call(name, xs, torch.randn(l + 1), buffers=bufs, **params)
    assert y.shape == (4, case["n"])
    if "y_shape" in case:
        assert list(y.shape) == case["y_shape"]


# --------------------------------------------------------------------------- native semantics

KRON_FUSIONS = [
    ("hm_parameterized_concatenation_fusion", [3, 3], {"p": 2, "q": 3, "n": 4}),
    ("hm_parameterized_concatenation_fusion", [3, 3], {"p": 2, "n": 4}),
    ("lphm_parameterized_concatenation_fusion", [2, 4], {"r": 1, "p": 2, "q": 2, "n": 4}),
    ("lphm_parameterized_concatenation_fusion", [3, 3], {"r": 2, "p": 3, "n": 6}),
    ("dual_lphm_parameterized_concatenation_fusion", [3, 3], {"r": 2, "p": 2, "q": 3, "n": 4}),
]


def _kron_W(name, w, n, D, params):
    p, q = resolve_pq(name, n, D, params["p"], params.get("q"))
    s, t, r = n // p, D // q, params.get("r")
    if name.startswith("hm"):
        return torch.kron(w[: p * q].reshape(p, q), w[p * q :].reshape(s, t))
    if name.startswith("lphm"):
        A = w[: p * q].reshape(p, q)
        S, T = w[p * q : p * q + s * r].reshape(s, r), w[p * q + s * r :].reshape(r, t)
        return torch.kron(A, S @ T)
    P, Q, S, T = torch.split(w, [p * r, q * r, s * r, t * r])
    return torch.kron(P.reshape(p, r) @ Q.reshape(r, q), S.reshape(s, r) @ T.reshape(r, t))


def _l_kron(name, n, D, params):
    p, q = resolve_pq(name, n, D, params["p"], params.get("q"))
    s, t, r = n // p, D // q, params.get("r")
    if name.startswith("hm"):
        return p * q + s * t
    if name.startswith("lphm"):
        return p * q + r * (s + t)
    return r * (p + q + s + t)


@pytest.mark.parametrize(("name", "dims", "params"), KRON_FUSIONS)
def test_native_kron_fusions(name, dims, params):
    n = params.get("n", dims[0])
    D = sum(dims)
    w = torch.randn(_l_kron(name, n, D, params), dtype=torch.float64)
    xs = [torch.randn(5, d, dtype=torch.float64) for d in dims]
    W = _kron_W(name, w, n, D, params)
    y = call(name, xs, w, semantics="native", **params)
    torch.testing.assert_close(y, torch.cat(xs, -1) @ W.T)
    yt = call(name, xs, w[None, :], semantics="tinybig", **params)
    assert yt.shape == y.shape and not torch.allclose(y, yt)


SAME_IN_BOTH = sorted(
    CATALOG
    - {
        "hm_parameterized_concatenation_fusion",
        "lphm_parameterized_concatenation_fusion",
        "dual_lphm_parameterized_concatenation_fusion",
    }
)
SAME_PARAMS = {
    "weighted_summation_fusion": {"weights": [0.5, -1.0, 2.0]},
    "parameterized_concatenation_fusion": {"n": 2},
    "lowrank_parameterized_concatenation_fusion": {"n": 2, "r": 2},
    "random_matrix_adaption_parameterized_concatenation_fusion": {"n": 2, "r": 2},
}
SAME_L = {
    "parameterized_weighted_summation_fusion": 3,
    "parameterized_concatenation_fusion": 2 * 9,
    "lowrank_parameterized_concatenation_fusion": 2 * (2 + 9),
    "random_matrix_adaption_parameterized_concatenation_fusion": 2 + 2,
}


def test_same_in_both_list():
    assert set(SAME_IN_BOTH) == set(F.SAME_IN_BOTH_SEMANTICS)


@pytest.mark.parametrize("name", SAME_IN_BOTH)
def test_native_equals_tinybig(name):
    dims = [3, 3, 3]
    xs = [torch.randn(4, 3) for _ in dims]
    params = dict(SAME_PARAMS.get(name, {}))
    if "weights" in params:
        params["weights"] = torch.tensor(params["weights"])
    if name in F.RANDOM_BUFFERS:
        params["buffers"] = make_buffers(name, dims=dims, **params)
    w = torch.randn(SAME_L[name]) if name in SAME_L else None
    yn = call(name, xs, w, semantics="native", dims=dims, **params)
    yt = call(name, xs, w, semantics="tinybig", dims=dims, **params)
    assert torch.equal(yn, yt)


def test_parameterized_weighted_summation_head_shape():
    """(1, l) is what a head/layer gives a fusion: native accepts it, tinybig (like 0.2.1) fails."""
    assert "parameterized_weighted_summation_fusion" in F.TINYBIG_NOT_HEAD_FUSABLE
    xs = [torch.randn(4, 3) for _ in range(3)]
    w = torch.randn(3)
    expected = sum(wi * x for wi, x in zip(w, xs, strict=True))
    for ww in (w, w[None, :]):
        y = F.parameterized_weighted_summation(xs, w=ww, semantics="native")
        torch.testing.assert_close(y, expected)
    torch.testing.assert_close(
        F.parameterized_weighted_summation(xs, w=w, semantics="tinybig"), expected
    )
    with pytest.raises(ValueError, match="tinybig"):
        F.parameterized_weighted_summation(xs, w=w[None, :], semantics="tinybig")
    with pytest.raises(ValueError):
        F.parameterized_weighted_summation(xs, w=torch.randn(2), semantics="native")


# --------------------------------------------------------------------------- behaviour


def test_median_even_is_lower_middle():
    xs = [torch.full((1, 2), v) for v in (3.0, 1.0, 4.0, 2.0)]
    assert torch.equal(F.median(xs), torch.full((1, 2), 2.0))


def test_metric_values():
    xs = [torch.tensor([[1.0, -2.0]]), torch.tensor([[-3.0, 4.0]])]
    assert torch.equal(F.max_(xs), torch.tensor([[1.0, 4.0]]))
    assert torch.equal(F.min_(xs), torch.tensor([[-3.0, -2.0]]))
    assert torch.equal(F.sum_(xs), torch.tensor([[-2.0, 2.0]]))
    assert torch.equal(F.prod(xs), torch.tensor([[-3.0, -8.0]]))
    assert torch.equal(F.l1_norm(xs), torch.tensor([[4.0, 6.0]]))
    torch.testing.assert_close(F.l2_norm(xs), torch.tensor([[10.0, 20.0]]).sqrt())


def test_shape_errors():
    with pytest.raises(ValueError):
        F.summation([torch.randn(2, 3), torch.randn(2, 4)])
    with pytest.raises(ValueError):
        F.concatenation([torch.randn(2, 3), torch.randn(3, 4)])
    with pytest.raises(ValueError):
        F.summation([torch.randn(2, 3)] * 2, dims=[3, 4])
    with pytest.raises(ValueError):  # n is required for unequal dims
        F.parameterized_concatenation([torch.randn(2, 2), torch.randn(2, 4)], w=torch.randn(36))
    with pytest.raises(ValueError):
        F.summation([])
    with pytest.raises(ValueError):  # p must divide n
        F.hm_parameterized_concatenation([torch.randn(2, 3)] * 2, w=torch.randn(10), p=3, n=4)


def test_random_fusion_seeds():
    name = "random_matrix_adaption_parameterized_concatenation_fusion"
    dims = [2, 2]
    xs = [torch.randn(4, 2) for _ in dims]
    w = torch.randn(5)
    ys = [
        call(name, xs, w, n=3, r=2, buffers=make_buffers(name, dims=dims, n=3, r=2, seed=s))
        for s in (7, 7, 8)
    ]
    assert ys[0].shape == (4, 3)
    assert torch.equal(ys[0], ys[1]) and not torch.equal(ys[0], ys[2])
    bufs = make_buffers(name, dims=dims, n=3, r=2)
    assert bufs["A"].shape == (3, 2) and bufs["B"].shape == (4, 2)


# --------------------------------------------------------------------------- dtype / device

SMOKE_L = {
    "parameterized_weighted_summation_fusion": 2,
    "parameterized_concatenation_fusion": 4 * 8,
    "lowrank_parameterized_concatenation_fusion": 2 * (4 + 8),
    "hm_parameterized_concatenation_fusion": 4 + 2 * 4,
    "lphm_parameterized_concatenation_fusion": 4 + 2 * (2 + 4),
    "dual_lphm_parameterized_concatenation_fusion": 2 * (2 + 2 + 2 + 4),
    "random_matrix_adaption_parameterized_concatenation_fusion": 4 + 2,
}
SMOKE_PARAMS = {
    "weighted_summation_fusion": {"weights": [0.5, 2.0]},
    "hm_parameterized_concatenation_fusion": {"p": 2},
    "lphm_parameterized_concatenation_fusion": {"p": 2, "r": 2},
    "dual_lphm_parameterized_concatenation_fusion": {"p": 2, "r": 2},
}


@pytest.mark.parametrize("name", sorted(CATALOG))
@pytest.mark.parametrize("semantics", ["native", "tinybig"])
@pytest.mark.parametrize(
    ("dtype", "device"),
    [(torch.float64, "cpu"), (torch.bfloat16, "cpu"), (torch.float32, "meta")],
    ids=["float64", "bfloat16", "meta"],
)
def test_dtype_device_smoke(name, semantics, dtype, device):
    dims = [4, 4]
    xs = [torch.randn(3, 4, dtype=dtype, device=device) for _ in dims]
    params = dict(SMOKE_PARAMS.get(name, {}))
    if "weights" in params:
        params["weights"] = torch.tensor(params["weights"], dtype=dtype, device=device)
    if name in F.RANDOM_BUFFERS:
        params["buffers"] = make_buffers(name, dims=dims, dtype=dtype, device=device)
    w = torch.randn(SMOKE_L[name], dtype=dtype, device=device) if name in SMOKE_L else None
    y = call(name, xs, w, semantics=semantics, **params)
    assert y.shape == (3, 8 if name == "concatenation_fusion" else 4)
    assert y.dtype == dtype and y.device.type == device
