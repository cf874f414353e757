"""Hand-written plain-torch versions of the benchmarked examples.

Each function computes one ``examples/<name>.yaml`` model from a dict of weights under the
built module's state-dict names, the way the reference tinybig does: every expansion and every
reconciled n x D weight matrix is materialized, then applied with ``F.linear``. They do not use
rpnschema's kernels; dimensions and factor sizes are written out from the example files (the
hypercomplex p, q are tinybig's closest-divisor choice, as ``rpnschema resolve`` prints them).
``benchmarks/bench_compile.py`` times them against the built modules, and
``tests/compile/test_bench_plain.py`` checks that they compute the same function.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

Params = dict[str, Tensor]
PlainFn = Callable[[Params, Tensor], Tensor]


def plain_params(state_dict: dict[str, Tensor]) -> Params:
    """Independent leaf copies of a module's floating-point state, requiring grad."""
    return {
        k: v.detach().clone().requires_grad_(True)
        for k, v in state_dict.items()
        if v.is_floating_point()
    }


# ---------------------------------------------------------------- expansions (b, m) -> (b, D)


def taylor2(x: Tensor) -> Tensor:
    """[x, x (x) x]: tinybig's powers by einsum, concatenated; D = m + m^2."""
    b, m = x.shape
    return torch.cat([x, torch.einsum("ba,bc->bac", x, x).reshape(b, m * m)], dim=1)


def bspline(x: Tensor, lo: float, hi: float, t: int, d: int) -> Tensor:
    """Cox-de Boor bases of degree d on tinybig's grid: t intervals of [lo, hi], extended by d
    knots on each side; (b, m * (t + d)), the t + d bases of feature j in columns j(t+d)...
    """
    h = (hi - lo) / t
    g = torch.arange(-d, t + d + 1).to(x.dtype) * h + lo  # t + 2d + 1 knots
    u = x.unsqueeze(-1)
    B = ((u >= g[:-1]) & (u < g[1:])).to(x.dtype)  # degree 0: t + 2d bases
    for k in range(1, d + 1):
        left = (u - g[: -k - 1]) / (g[k:-1] - g[: -k - 1])
        right = (g[k + 1 :] - u) / (g[k + 1 :] - g[1:-k])
        B = left * B[..., :-1] + right * B[..., 1:]
    return B.reshape(x.shape[0], -1)


def chebyshev(x: Tensor, d: int) -> Tensor:
    """T_1..T_d per feature, feature-major (column j * d + k - 1)."""
    T = [torch.ones_like(x), x]
    for _ in range(2, d + 1):
        T.append(2 * x * T[-1] - T[-2])
    return torch.stack(T[1:], dim=-1).reshape(x.shape[0], -1)


def legendre(x: Tensor, d: int) -> Tensor:
    """P_1..P_d per feature, feature-major."""
    P = [torch.ones_like(x), x]
    for k in range(2, d + 1):
        P.append((2 * k - 1) / k * x * P[-1] - (k - 1) / k * P[-2])
    return torch.stack(P[1:], dim=-1).reshape(x.shape[0], -1)


def gaussian_rbf(x: Tensor, lo: float, hi: float, k: int, eps: float) -> Tensor:
    """exp(-((x_j - c) eps)^2) for k centres c evenly spaced over [lo, hi], feature-major."""
    c = torch.linspace(lo, hi, k, dtype=x.dtype)
    return torch.exp(-(((x[..., None] - c) * eps) ** 2)).reshape(x.shape[0], -1)


# ---------------------------------------------------------- reconciliations w (l,) -> W (n, D)


def lorr(w: Tensor, n: int, D: int, r: int) -> Tensor:
    """A B with A = w[:nr] as (n, r), B = the rest as (r, D)."""
    return w[: n * r].reshape(n, r) @ w[n * r :].reshape(r, D)


def hm(w: Tensor, n: int, D: int, p: int, q: int) -> Tensor:
    """kron(A, B), A = w[:pq] as (p, q), B = the rest as (n/p, D/q) (native semantics)."""
    return torch.kron(w[: p * q].reshape(p, q), w[p * q :].reshape(n // p, D // q))


def dual_lphm(w: Tensor, n: int, D: int, p: int, q: int, r: int) -> Tensor:
    """kron(P Q, S T) from w = [P (p, r) | Q (r, q) | S (s, r) | T (r, t)] (native semantics)."""
    s, t = n // p, D // q
    P, Q, S, T = torch.split(w, [p * r, r * q, s * r, r * t])
    return torch.kron(P.reshape(p, r) @ Q.reshape(r, q), S.reshape(s, r) @ T.reshape(r, t))


# ---------------------------------------------------------------------------- the models


def iris_perceptron(p: Params, x: Tensor) -> Tensor:
    """4 -> 1: Taylor d=2 (D=20), lorr r=2 with bias, linear remainder with bias."""
    h = "layers.0.heads.0."
    W = lorr(p[h + "w"][0], n=1, D=20, r=2)
    return F.linear(taylor2(x), W, p[h + "b"]) + F.linear(
        x, p[h + "w_remainder"], p[h + "b_remainder"]
    )


def mnist_taylor(p: Params, x: Tensor) -> Tensor:
    """784 -> 64: Taylor d=2 + layer_norm over D=615,440, identity W, linear remainder;
    64 -> 10: Taylor d=2 (D=4160), lorr r=4, linear remainder."""
    h = "layers.0.heads.0."
    ln_w, ln_b = p[h + "expansion.postprocess.0.weight"], p[h + "expansion.postprocess.0.bias"]
    kappa = F.layer_norm(taylor2(x), (615440,), ln_w, ln_b, eps=1e-5)
    x = F.linear(kappa, p[h + "w"].reshape(64, 615440)) + F.linear(x, p[h + "w_remainder"])
    h = "layers.1.heads.0."
    W = lorr(p[h + "w"][0], n=10, D=4160, r=4)
    return F.linear(taylor2(x), W) + F.linear(x, p[h + "w_remainder"])


def kan_bspline(p: Params, x: Tensor) -> Tensor:
    """2 -> 5 -> 5 -> 1, each: B-spline (grid [-2, 2], t=5, d=3) with identity W, plus
    silu(linear remainder)."""
    for i, (m, n) in enumerate([(2, 5), (5, 5), (5, 1)]):
        h = f"layers.{i}.heads.0."
        W = p[h + "w"].reshape(n, m * 8)
        x = F.linear(bspline(x, -2.0, 2.0, t=5, d=3), W) + F.silu(F.linear(x, p[h + "w_remainder"]))
    return x


def dual_lphm_mnist(p: Params, x: Tensor) -> Tensor:
    """784 -> 64 -> 64 -> 10, each: Taylor d=2 + layer_norm, dual_lphm r=5 (native kron),
    zero remainder."""
    for i, (n, D, pp, q) in enumerate([(64, 615440, 8, 784), (64, 4160, 8, 64), (10, 4160, 2, 64)]):
        h = f"layers.{i}.heads.0."
        ln_w, ln_b = p[h + "expansion.postprocess.0.weight"], p[h + "expansion.postprocess.0.bias"]
        kappa = F.layer_norm(taylor2(x), (D,), ln_w, ln_b, eps=1e-5)
        x = F.linear(kappa, dual_lphm(p[h + "w"][0], n, D, pp, q, r=5))
    return x


def multihead_fusion(p: Params, x: Tensor) -> Tensor:
    """6 -> 4 with three heads (Taylor/lorr + linear remainder, Chebyshev/identity,
    Gaussian RBF/hm), parameterized concatenation fusion and relu; then 4 -> 2 identity."""
    h = "layers.0.heads."
    y0 = F.linear(taylor2(x), lorr(p[h + "0.w"][0], n=4, D=42, r=2))
    y0 = y0 + F.linear(x, p[h + "0.w_remainder"])
    y1 = F.linear(chebyshev(x, 3), p[h + "1.w"].reshape(4, 18))
    y2 = F.linear(gaussian_rbf(x, -1.0, 1.0, 5, 1.0), hm(p[h + "2.w"][0], n=4, D=30, p=2, q=5))
    y = torch.cat([y0, y1, y2], dim=1) @ p["layers.0.w_head_fusion"].reshape(4, 12).T
    return F.linear(torch.relu(y), p["layers.1.heads.0.w"].reshape(2, 4))


def multichannel_head(p: Params, x: Tensor) -> Tensor:
    """3 -> 3, two identical heads fused by mean: Legendre d=3, three channels of identity W
    with one shared bias, max over the channels, identity remainder."""
    heads = []
    for j in range(2):
        h = f"layers.0.heads.{j}."
        kappa = legendre(x, 3)
        W, b = p[h + "w"].reshape(3, 3, 9), p[h + "b"]
        channels = torch.stack([F.linear(kappa, W[c], b) for c in range(3)])
        heads.append(channels.amax(dim=0) + x)
    return torch.stack(heads).mean(dim=0)


#: example name -> (plain function, input dimension m)
PLAIN: dict[str, tuple[PlainFn, int]] = {
    "iris_perceptron": (iris_perceptron, 4),
    "mnist_taylor": (mnist_taylor, 784),
    "kan_bspline": (kan_bspline, 2),
    "dual_lphm_mnist": (dual_lphm_mnist, 784),
    "multihead_fusion": (multihead_fusion, 6),
    "multichannel_head": (multichannel_head, 3),
}

#: the examples whose first layer expands to D = 615,440 (1000 x D floats = 2.5 GB)
LARGE = frozenset({"mnist_taylor", "dual_lphm_mnist"})
