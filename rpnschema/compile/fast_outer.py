"""tinybig's hypercomplex W from its factors: kappa @ W^T without the dense n x D matrix.

In tinybig semantics hm / lphm / dual_lphm / duplicated_padding build
W = reshape(outer(vec A, vec B), (n, D)) with A (p, q), B (s, t), n = p s, D = q t. Read flat,
W is pq segments of length st (segment a = A.flat[a] * vec B) cut into n rows of length D. With
L = gcd(D, st) both cuts fall on multiples of L, so every length-L chunk c of the flat W lies in
one row (c // R, R = D / L) and one segment (c // K, K = st / L), and equals A.flat[c // K] times
chunk c % K of vec B. Hence, with z = kappa viewed as (b, R, L) times vec B viewed as (K, L),

    y[:, row] = sum_{a < R} A.flat[c // K] z[:, a, c % K],   c = row R + a,

which costs b D K + b n R multiply-adds instead of b n D (``outer_worthwhile`` says when
K < n, i.e. when it is cheaper). Behind a layer_norm over a Taylor d=2 expansion the mean and
variance come in closed form (see :func:`rpnschema.compile.fast.taylor2_stats`) and the
normalization folds into the factors, so the normalized expansion is never built either.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from rpnschema.compile.kernels.expansion_common import traced_constants


def outer_sizes(n: int, D: int, st: int) -> tuple[int, int, int]:
    """(L, R, K): the chunk length gcd(D, st), chunks per row D / L and per segment st / L."""
    L = math.gcd(D, st)
    return L, D // L, st // L


def outer_worthwhile(n: int, D: int, st: int) -> bool:
    """Whether the factored product is cheaper than the dense GEMM (b D K + b n R < b n D)."""
    _, R, K = outer_sizes(n, D, st)
    return D * K + n * R < n * D


@traced_constants
def _indices(n: int, R: int, K: int, device: str) -> tuple[Tensor, Tensor]:
    """(n, R) indices into vec A and into the chunks of vec B for every row's R chunks."""
    c = torch.arange(n * R, device=device).view(n, R)
    return c // K, c % K


def _combine(z: Tensor, A: Tensor, n: int) -> Tensor:
    """y (b, n) from z (b, R, K) and A: y[:, i] = sum_a A.flat[c // K] z[:, a, c % K]."""
    b, R, K = z.shape
    a_index, k_index = _indices(n, R, K, str(z.device))
    coef = A.reshape(-1)[a_index]  # (n, R)
    if K == 1:
        return z.view(b, R) @ coef.T
    zg = z[:, torch.arange(R, device=z.device), k_index]  # (b, n, R)
    return (zg * coef).sum(-1)


def outer_apply(kappa: Tensor, A: Tensor, B: Tensor) -> Tensor:
    """kappa @ reshape(outer(vec A, vec B), (n, D))^T. kappa (b, D) -> (b, n = p s)."""
    b, D = kappa.shape
    n = A.shape[0] * B.shape[0]
    L, R, K = outer_sizes(n, D, B.numel())
    z = kappa.reshape(b, R, L) @ B.reshape(K, L).T  # (b, R, K)
    return _combine(z, A, n)


@traced_constants
def _taylor2_pieces(m: int, L: int, device: str) -> tuple[Tensor, Tensor, int]:
    """How [x, x (x) x] (D = m + m^2) falls into chunks of length L: the chunk of every input
    feature and of every (piece, row) of x (x) x, and (m, m) masks per piece (J pieces: row i
    of x (x) x covers chunks c_i .. c_i + J - 1)."""
    # J from Python integers: a shape, so never a data-dependent value of a traced tensor
    J = max((m + i * m + m - 1) // L - (m + i * m) // L for i in range(m)) + 1
    first = (m + torch.arange(m) * m) // L  # chunk of each row's first entry
    col_chunk = (m + torch.arange(m).view(m, 1) * m + torch.arange(m).view(1, m)) // L
    masks = torch.stack([col_chunk == first.view(m, 1) + k for k in range(J)])  # (J, m, m)
    R = (m + m * m) // L
    target = (first.view(1, m) + torch.arange(J).view(J, 1)).clamp_max(R - 1)  # (J, m)
    index = torch.cat([torch.arange(m) // L, target.reshape(-1)])
    return masks.to(device), index.to(device), J


def outer_taylor2_apply(
    x: Tensor,
    A: Tensor,
    B: Tensor,
    ln: nn.Module | None = None,
    stats: tuple[Tensor, Tensor] | None = None,
) -> Tensor:
    """[x, x (x) x] @ W^T (or layer_norm of it, given ``ln`` and its closed-form ``stats``:
    mean and 1 / std per row) with W = reshape(outer(vec A, vec B), (n, D)), without building
    the b x D expansion: each row of x (x) x meets at most J chunks, so the chunk sums are J
    bilinear forms x^T H x (H: the chunk's coefficients, masked), one GEMM against x; layer_norm
    folds into the coefficients (z = rstd (S - mean sum G) + beta . B per chunk)."""
    b, m = x.shape
    D = m + m * m
    n = A.shape[0] * B.shape[0]
    L, R, K = outer_sizes(n, D, B.numel())
    masks, index, J = _taylor2_pieces(m, L, str(x.device))
    weight = getattr(ln, "weight", None) if ln is not None else None
    G = B.reshape(K, 1, L).expand(K, R, L).reshape(K, D)  # coefficient of feature C in chunk C // L
    if weight is not None:
        G = G * weight
    H = G[:, m:].reshape(1, K, m, m) * masks.view(J, 1, m, m)  # (J, K, m_i, m_j)
    P = (x @ H.reshape(J * K * m, m).T).view(b, J, K, m) * x.view(b, 1, 1, m)
    source = torch.cat(
        [(x.unsqueeze(1) * G[:, :m]).transpose(1, 2), P.transpose(2, 3).reshape(b, J * m, K)],
        dim=1,
    )
    z = x.new_zeros(b, R, K).index_add(1, index, source)  # (b, R, K) chunk sums
    if ln is not None and stats is not None:
        mean, rstd = stats
        z = (z - mean.view(b, 1, 1) * G.view(K, R, L).sum(-1).T) * rstd.view(b, 1, 1)
        bias = getattr(ln, "bias", None)
        if bias is not None:
            z = z + bias.view(R, L) @ B.reshape(K, L).T  # (R, K)
    return _combine(z, A, n)
