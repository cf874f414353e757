"""Reconciliation kernels: tinybig conformance, native Kronecker layout, random buffers, dtypes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from rpnschema.compile.kernels import reconciliation as R
from rpnschema.factors import find_close_factors, resolve_pq

DATA = Path(__file__).resolve().parents[1] / "data" / "conformance"
CASES = json.loads((DATA / "reconciliations.json").read_text())["cases"]
DETERMINISTIC = [c for c in CASES if not c.get("random")]
RANDOM = [c for c in CASES if c.get("random")]
RTOL, ATOL = 1e-5, 1e-6


def f32(v) -> torch.Tensor:
    """Conformance numbers: parse as float64, cast to float32 (bit-exact inputs)."""
    return torch.tensor(v, dtype=torch.float64).to(torch.float32)


def kernel_call(name, w, *, n, D, semantics="native", buffers=None, **params):
    fn = R.RECONCILIATIONS[name]
    if name in R.RANDOM_BUFFERS:
        return fn(w, n=n, D=D, buffers=buffers, semantics=semantics, **params)
    return fn(w, n=n, D=D, semantics=semantics, **params)


def make_buffers(name, *, n, D, seed=0, dtype=torch.float32, device="cpu", **params):
    g = torch.Generator().manual_seed(seed)
    return R.RANDOM_BUFFERS[name](n=n, D=D, generator=g, dtype=dtype, device=device, **params)


# --------------------------------------------------------------------------- conformance


def test_catalog_complete():
    expected = {
        "constant_reconciliation",
        "zero_reconciliation",
        "one_reconciliation",
        "constant_eye_reconciliation",
        "identity_reconciliation",
        "masking_reconciliation",
        "duplicated_padding_reconciliation",
        "duplicated_diagonal_padding_reconciliation",
        "lorr_reconciliation",
        "hm_reconciliation",
        "lphm_reconciliation",
        "dual_lphm_reconciliation",
        "hypernet_reconciliation",
        "random_matrix_adaption_reconciliation",
        "random_matrix_hypernet_reconciliation",
    }
    assert set(R.RECONCILIATIONS) == expected
    assert set(R.RANDOM_BUFFERS) == {
        "masking_reconciliation",
        "hypernet_reconciliation",
        "random_matrix_adaption_reconciliation",
        "random_matrix_hypernet_reconciliation",
    }
    assert {c["function"] for c in CASES} == expected


@pytest.mark.parametrize("case", DETERMINISTIC, ids=[c["id"] for c in DETERMINISTIC])
def test_conformance_tinybig(case):
    n, D = case["n"], case["D"]
    w = None if case["w"] is None else f32(case["w"])
    W = kernel_call(case["function"], w, n=n, D=D, semantics="tinybig", **case["params"])
    expected = f32(case["W"])
    assert W.shape == (n, D) and W.dtype == torch.float32 and W.layout == torch.strided
    torch.testing.assert_close(W, expected, rtol=RTOL, atol=ATOL)
    if w is not None:  # the 1-D form gives the same result, and the input is untouched
        w1 = w.reshape(-1).clone()
        W1 = kernel_call(case["function"], w1, n=n, D=D, semantics="tinybig", **case["params"])
        torch.testing.assert_close(W1, expected, rtol=RTOL, atol=ATOL)
        assert torch.equal(w1, f32(case["w"]).reshape(-1))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_conformance_l_and_shape(case):
    """Every case's l is the length the kernel accepts (and l +/- 1 is rejected)."""
    name, n, D, l = case["function"], case["n"], case["D"], case["l"]
    params = dict(case["params"])
    buffers = make_buffers(name, n=n, D=D, **params) if name in R.RANDOM_BUFFERS else None
    if l == 0:
        W = kernel_call(name, None, n=n, D=D, buffers=buffers, **params)
    else:
        W = kernel_call(name, torch.randn(l), n=n, D=D, buffers=buffers, **params)
        for bad in (l - 1, l + 1):
            with pytest.raises(ValueError):
                kernel_call(name, torch.randn(bad), n=n, D=D, buffers=buffers, **params)
    assert list(W.shape) == case.get("W_shape", [n, D])


@pytest.mark.parametrize(
    "case", [c for c in CASES if "resolved_params" in c], ids=lambda c: c["id"]
)
def test_resolved_params(case):
    params = case["params"]
    p, q = resolve_pq(case["function"], case["n"], case["D"], params.get("p"), params.get("q"))
    expected = {"p": params.get("p"), "q": params.get("q")} | case["resolved_params"]
    assert {"p": p, "q": q} == expected


# --------------------------------------------------------------------------- factors


def test_find_close_factors():
    assert [find_close_factors(k) for k in (1, 2, 4, 6, 7, 9, 12, 16, 18, 30)] == [
        1,
        1,
        2,
        2,
        1,
        3,
        3,
        4,
        3,
        5,
    ]
    with pytest.raises(ValueError):
        find_close_factors(0)


def test_resolve_pq_rules():
    assert resolve_pq("hm_reconciliation", 4, 9) == (2, 3)
    assert resolve_pq("lphm", 6, 10, p=3) == (3, 2)  # q from D, not from p
    assert resolve_pq("dual_lphm_reconciliation", 7, 5) == (1, 1)
    assert resolve_pq("duplicated_padding_reconciliation", 2, 4, p=2) == (2, 2)
    assert resolve_pq("duplicated_padding_reconciliation", 4, 6) == (2, 2)
    assert resolve_pq("duplicated_diagonal_padding", 3, 6, p=3) == (3, 3)
    assert resolve_pq("hm_parameterized_concatenation_fusion", 4, 6, p=2) == (2, 2)
    with pytest.raises(ValueError):
        resolve_pq("hm_parameterized_concatenation_fusion", 4, 6)
    with pytest.raises(ValueError):
        resolve_pq("hm", 4, 6, p=3)
    with pytest.raises(ValueError):
        resolve_pq("lorr", 4, 6)


def test_factors_module_does_not_import_torch():
    code = "import sys, rpnschema.factors; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- native semantics

KRON_CONFIGS = [
    ("hm_reconciliation", 4, 6, {"p": 2, "q": 3}),
    ("hm_reconciliation", 6, 8, {"p": 3, "q": 2}),
    ("hm_reconciliation", 4, 9, {}),
    ("lphm_reconciliation", 4, 6, {"p": 2, "q": 2, "r": 1}),
    ("lphm_reconciliation", 6, 12, {"p": 2, "q": 3, "r": 2}),
    ("lphm_reconciliation", 9, 8, {"r": 3}),
    ("dual_lphm_reconciliation", 4, 6, {"p": 2, "q": 3, "r": 2}),
    ("dual_lphm_reconciliation", 6, 10, {"p": 3, "q": 5, "r": 1}),
    ("duplicated_padding_reconciliation", 4, 6, {"p": 2, "q": 3}),
    ("duplicated_padding_reconciliation", 6, 9, {"p": 3}),
]


def _factors(name, w, n, D, params):
    """Slice w into the Kronecker factors (A, B) independently of the kernels."""
    p, q = resolve_pq(name, n, D, params.get("p"), params.get("q"))
    s, t = n // p, D // q
    r = params.get("r", 2)
    if name == "hm_reconciliation":
        return w[: p * q].reshape(p, q), w[p * q :].reshape(s, t)
    if name == "lphm_reconciliation":
        A = w[: p * q].reshape(p, q)
        S = w[p * q : p * q + s * r].reshape(s, r)
        T = w[p * q + s * r :].reshape(r, t)
        return A, S @ T
    if name == "dual_lphm_reconciliation":
        P, Q, S, T = torch.split(w, [p * r, q * r, s * r, t * r])
        return P.reshape(p, r) @ Q.reshape(r, q), S.reshape(s, r) @ T.reshape(r, t)
    assert name == "duplicated_padding_reconciliation"
    return torch.ones(p, q, dtype=w.dtype), w.reshape(s, t)


def _l(name, n, D, params):
    p, q = resolve_pq(name, n, D, params.get("p"), params.get("q"))
    s, t, r = n // p, D // q, params.get("r", 2)
    return {
        "hm_reconciliation": p * q + s * t,
        "lphm_reconciliation": p * q + r * (s + t),
        "dual_lphm_reconciliation": r * (p + q + s + t),
        "duplicated_padding_reconciliation": s * t,
    }[name]


@pytest.mark.parametrize(("name", "n", "D", "params"), KRON_CONFIGS)
def test_native_is_kron(name, n, D, params):
    w = torch.randn(_l(name, n, D, params), dtype=torch.float64)
    A, B = _factors(name, w, n, D, params)
    W = kernel_call(name, w, n=n, D=D, semantics="native", **params)
    torch.testing.assert_close(W, torch.kron(A, B), rtol=1e-12, atol=1e-12)
    # tinybig layout: same factors, flattened outer product
    Wt = kernel_call(name, w, n=n, D=D, semantics="tinybig", **params)
    torch.testing.assert_close(
        Wt, torch.outer(A.reshape(-1), B.reshape(-1)).reshape(n, D), rtol=1e-12, atol=1e-12
    )
    assert not torch.allclose(W, Wt)  # the two layouts really differ here


@pytest.mark.parametrize(("n", "D", "p", "q"), [(2, 6, 2, 3), (4, 3, 2, 1), (3, 4, 3, 2)])
def test_layouts_coincide_when_s_or_q_is_one(n, D, p, q):
    """tinybig's flat index (i q + j) s t + k t + m equals kron's when n/p == 1 or q == 1."""
    w = torch.randn(p * q + (n // p) * (D // q))
    Wn = R.hm(w, n=n, D=D, p=p, q=q, semantics="native")
    assert torch.equal(Wn, R.hm(w, n=n, D=D, p=p, q=q, semantics="tinybig"))


def test_tinybig_duplicated_padding_tiles_w():
    w = torch.randn(4)
    W = R.duplicated_padding(w, n=4, D=6, p=2, q=3, semantics="tinybig")
    assert torch.equal(W.reshape(-1), w.repeat(6))


SAME_IN_BOTH = [
    ("constant_reconciliation", {"c": -0.5}),
    ("zero_reconciliation", {}),
    ("one_reconciliation", {}),
    ("constant_eye_reconciliation", {}),
    ("identity_reconciliation", {}),
    ("masking_reconciliation", {"p": 0.3}),
    ("duplicated_diagonal_padding_reconciliation", {"p": 3}),
    ("lorr_reconciliation", {"r": 2}),
    ("hypernet_reconciliation", {"l": 5, "hidden_dim": 4}),
    ("random_matrix_adaption_reconciliation", {"r": 3}),
    ("random_matrix_hypernet_reconciliation", {"r": 2, "l": 7, "hidden_dim": 5}),
]
N_D = {"duplicated_diagonal_padding_reconciliation": (3, 6)}


def _random_l(name, n, D, params):
    return {
        "identity_reconciliation": n * D,
        "masking_reconciliation": n * D,
        "duplicated_diagonal_padding_reconciliation": D // params.get("p", 2),
        "lorr_reconciliation": params.get("r", 2) * (n + D),
        "random_matrix_adaption_reconciliation": n + params.get("r", 2),
        "hypernet_reconciliation": params.get("l", 64),
        "random_matrix_hypernet_reconciliation": params.get("l", 64),
    }.get(name, 0)


def test_same_in_both_list():
    assert {name for name, _ in SAME_IN_BOTH} == set(R.SAME_IN_BOTH_SEMANTICS)


@pytest.mark.parametrize(("name", "params"), SAME_IN_BOTH, ids=[s[0] for s in SAME_IN_BOTH])
def test_native_equals_tinybig(name, params):
    n, D = N_D.get(name, (3, 4))
    l = _random_l(name, n, D, params)
    w = torch.randn(l) if l else None
    bufs = make_buffers(name, n=n, D=D, **params) if name in R.RANDOM_BUFFERS else None
    Wn = kernel_call(name, w, n=n, D=D, semantics="native", buffers=bufs, **params)
    Wt = kernel_call(name, w, n=n, D=D, semantics="tinybig", buffers=bufs, **params)
    assert torch.equal(Wn, Wt)


# --------------------------------------------------------------------------- random buffers

RANDOM_CONFIGS = [
    ("masking_reconciliation", 3, 4, {"p": 0.5}),
    ("random_matrix_adaption_reconciliation", 3, 5, {"r": 2}),
    ("random_matrix_hypernet_reconciliation", 3, 4, {"r": 2, "l": 8, "hidden_dim": 6}),
    ("hypernet_reconciliation", 2, 5, {"l": 8, "hidden_dim": 6}),
]


@pytest.mark.parametrize(("name", "n", "D", "params"), RANDOM_CONFIGS)
def test_random_seeds(name, n, D, params):
    w = torch.randn(_random_l(name, n, D, params))
    W = [
        kernel_call(
            name, w, n=n, D=D, buffers=make_buffers(name, n=n, D=D, seed=s, **params), **params
        )
        for s in (1, 1, 2)
    ]
    assert W[0].shape == (n, D)
    assert torch.equal(W[0], W[1])
    assert not torch.equal(W[0], W[2])


def test_random_formulas():
    n, D = 3, 5
    bufs = make_buffers("random_matrix_adaption_reconciliation", n=n, D=D, r=2)
    w = torch.randn(n + 2, dtype=torch.float64)
    A, B = bufs["A"].double(), bufs["B"].double()
    expected = torch.diag(w[:n]) @ A @ torch.diag(w[n:]) @ B.T
    W = R.random_matrix_adaption(w, n=n, D=D, buffers=bufs, r=2)
    torch.testing.assert_close(W, expected)

    bufs = make_buffers("masking_reconciliation", n=n, D=D, p=0.5)
    assert bufs["mask"].dtype == torch.bool
    w = torch.randn(n * D)
    W = R.masking(w, n=n, D=D, buffers=bufs)
    assert torch.equal(W, torch.where(bufs["mask"], w.reshape(n, D), torch.zeros(())))

    bufs = make_buffers("hypernet_reconciliation", n=2, D=3, l=4, hidden_dim=5)
    net = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Sigmoid(), torch.nn.Linear(5, 6))
    with torch.no_grad():
        net[0].weight.copy_(bufs["weight1"])
        net[0].bias.copy_(bufs["bias1"])
        net[2].weight.copy_(bufs["weight2"])
        net[2].bias.copy_(bufs["bias2"])
    w = torch.randn(1, 4)
    W = R.hypernet(w, n=2, D=3, buffers=bufs, l=4, hidden_dim=5)
    torch.testing.assert_close(W, net(w).detach().reshape(2, 3))


def test_missing_buffers_rejected():
    with pytest.raises(ValueError):
        R.masking(torch.randn(12), n=3, D=4, buffers={})
    with pytest.raises(ValueError):
        R.random_matrix_adaption(
            torch.randn(5), n=3, D=4, buffers={"A": torch.randn(3, 2), "B": torch.randn(5, 2)}
        )


# --------------------------------------------------------------------------- errors


def test_errors():
    with pytest.raises(ValueError):
        R.identity(torch.randn(12), n=3, D=4, semantics="numpy")
    with pytest.raises(ValueError):
        R.hm(torch.randn(10), n=4, D=6, p=3, q=3)  # 3 does not divide 4
    with pytest.raises(ValueError):
        R.identity(torch.randn(2, 6), n=3, D=4)  # not a (1, l) row
    with pytest.raises(ValueError):
        R.duplicated_diagonal_padding(torch.randn(3), n=2, D=6, p=2, q=1)


# --------------------------------------------------------------------------- dtype / device

SMOKE = [
    ("constant_reconciliation", 4, 6, {"c": 2.0}),
    ("zero_reconciliation", 4, 6, {}),
    ("one_reconciliation", 4, 6, {}),
    ("constant_eye_reconciliation", 4, 6, {}),
    ("identity_reconciliation", 4, 6, {}),
    ("masking_reconciliation", 4, 6, {}),
    ("duplicated_padding_reconciliation", 4, 6, {}),
    ("duplicated_diagonal_padding_reconciliation", 2, 6, {}),
    ("lorr_reconciliation", 4, 6, {}),
    ("hm_reconciliation", 4, 6, {}),
    ("lphm_reconciliation", 4, 6, {}),
    ("dual_lphm_reconciliation", 4, 6, {}),
    ("hypernet_reconciliation", 4, 6, {"l": 5, "hidden_dim": 3}),
    ("random_matrix_adaption_reconciliation", 4, 6, {}),
    ("random_matrix_hypernet_reconciliation", 4, 6, {"l": 5, "hidden_dim": 3}),
]


def _smoke_l(name, n, D, params):
    if name in {"hm_reconciliation", "lphm_reconciliation", "dual_lphm_reconciliation"} or (
        name == "duplicated_padding_reconciliation"
    ):
        return _l(name, n, D, params)
    return _random_l(name, n, D, params)


def test_smoke_covers_catalog():
    assert {s[0] for s in SMOKE} == set(R.RECONCILIATIONS)


@pytest.mark.parametrize(("name", "n", "D", "params"), SMOKE, ids=[s[0] for s in SMOKE])
@pytest.mark.parametrize("semantics", ["native", "tinybig"])
@pytest.mark.parametrize(
    ("dtype", "device"),
    [(torch.float64, "cpu"), (torch.bfloat16, "cpu"), (torch.float32, "meta")],
    ids=["float64", "bfloat16", "meta"],
)
def test_dtype_device_smoke(name, n, D, params, semantics, dtype, device):
    l = _smoke_l(name, n, D, params)
    w = torch.randn(1, l, dtype=dtype, device=device) if l else None
    bufs = (
        make_buffers(name, n=n, D=D, dtype=dtype, device=device, **params)
        if name in R.RANDOM_BUFFERS
        else None
    )
    extra = {} if w is not None else {"dtype": dtype, "device": device}
    W = kernel_call(name, w, n=n, D=D, semantics=semantics, buffers=bufs, **params, **extra)
    assert W.shape == (n, D)
    assert W.dtype == dtype
    assert W.device.type == device
