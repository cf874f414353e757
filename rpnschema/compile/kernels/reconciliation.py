"""Parameter reconciliation kernels psi: w (l,) -> W (n, D), in pure torch.

Every kernel takes the parameter vector ``w`` (1-D of length l; a (1, l) row as tinybig passes it is
accepted too), keyword-only ``n`` and ``D``, ``semantics`` (``"native"`` or ``"tinybig"``) and the
function's own parameters under tinybig's constructor names and defaults (minus ``name``,
``device``, ``enable_bias`` and ``require_parameters``: the reconciliation bias belongs to the
head).
It returns a dense (n, D) tensor with ``w``'s dtype and device. Kernels are vectorized, never modify
their inputs and make no data-dependent Python decisions, so they run on the ``meta`` device.

Semantics. ``"tinybig"`` reproduces tinybig 0.2.1 bit for bit in layout; ``"native"`` follows the
documented mathematics. They differ only in the final assembly of W for:

- ``hm`` / ``lphm`` / ``dual_lphm``: native ``W = kron(A, B)`` (A p x q, B s x t, s = n/p,
  t = D/q); tinybig flattens A before its einsum, giving ``W = outer(vec A, vec B).reshape(n, D)``.
- ``duplicated_padding``: native ``W = kron(ones(p, q), reshape(w, (s, t)))``; tinybig gives
  ``W.flatten() = w`` tiled p*q times.

Both modes use the same l and the same slicing of w into the factors. The two layouts coincide
when s = n/p == 1 or q == 1 (then the flat indices agree). Every other reconciliation is
identical in the two modes (see ``SAME_IN_BOTH_SEMANTICS``).

Parameterless kernels (constant, zero, one, constant_eye) accept ``w=None`` and take ``dtype`` and
``device`` keywords (defaulting to w's, else torch's default dtype on CPU).

Random reconciliations (masking, random_matrix_adaption, random_matrix_hypernet, hypernet) are
split in two: ``make_<name>_buffers(n=, D=, generator=, dtype=, device=, **params)`` draws
everything tinybig draws at random (masks, fixed random matrices, the hypernet's frozen MLP) from
``generator`` and returns a dict of tensors for the compiler to register as module buffers; the
kernel takes them as ``buffers=``. Draws are made in float32 on the generator's device and then
cast, so a seed gives the same function whatever the model's dtype. tinybig-only options that are
not kernel concerns:

- ``masking_reconciliation(fixed_mask=False)`` redraws the mask at every forward in tinybig; the
  kernel always uses the mask it is given (a compiler wanting that behaviour redraws the buffer).
- ``hypernet_reconciliation(static=False)`` makes the MLP trainable: register the same tensors as
  parameters instead of buffers. ``net`` (a user-supplied module) is not supported.

``duplicated_diagonal_padding`` returns a sparse COO tensor in tinybig; here it is dense.
Its tinybig constraints amount to ``n == p == q`` and ``q | D``; W = kron(I_n, w as a 1 x l row).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import torch
from torch import Tensor

from rpnschema import factors

#: :func:`rpnschema.factors.resolve_pq`, memoized: a pure function of ints that the kernels call
#: on every forward (tinybig's closest-divisor search loops up to sqrt(D) in Python)
resolve_pq = lru_cache(maxsize=1024)(factors.resolve_pq)

__all__ = [
    "RANDOM_BUFFERS",
    "RECONCILIATIONS",
    "SAME_IN_BOTH_SEMANTICS",
    "SEMANTICS",
    "constant",
    "constant_eye",
    "dual_lphm",
    "duplicated_diagonal_padding",
    "duplicated_padding",
    "hm",
    "hypernet",
    "identity",
    "lorr",
    "lphm",
    "make_hypernet_buffers",
    "make_masking_buffers",
    "make_random_matrix_adaption_buffers",
    "make_random_matrix_hypernet_buffers",
    "masking",
    "one",
    "random_matrix_adaption",
    "random_matrix_hypernet",
    "zero",
]

SEMANTICS = ("native", "tinybig")


# --------------------------------------------------------------------------- helpers


def _check_semantics(semantics: str) -> None:
    if semantics not in SEMANTICS:
        raise ValueError(f"semantics must be one of {SEMANTICS}, got {semantics!r}")


def _vec(w: Tensor | None, l: int, name: str) -> Tensor:
    """w as a 1-D view of length l (accepts (l,) or (1, l)); shape errors raise ValueError."""
    if w is None:
        raise ValueError(f"{name}: w is required (l = {l})")
    if w.ndim == 2 and w.shape[0] == 1:
        w = w.reshape(-1)
    if w.ndim != 1 or w.shape[0] != l:
        raise ValueError(f"{name}: w must have shape ({l},) or (1, {l}), got {tuple(w.shape)}")
    return w


def _like(w: Tensor | None, dtype: torch.dtype | None, device) -> dict:
    if dtype is None:
        dtype = w.dtype if w is not None else torch.get_default_dtype()
    if device is None:
        device = w.device if w is not None else torch.device("cpu")
    return {"dtype": dtype, "device": device}


def _kron_assemble(A: Tensor, B: Tensor, semantics: str) -> Tensor:
    """Combine factors A (p, q) and B (s, t) into W (p*s, q*t)."""
    p, q = A.shape
    s, t = B.shape
    if semantics == "native":
        # W[i*s + k, j*t + m] = A[i, j] * B[k, m]: the same single products as
        # einsum("ij,km->ikjm"), without einsum's dispatch cost
        return torch.kron(A, B)
    # tinybig: einsum('pq,st->psqt') on A.view(1, -1), B.view(1, -1) = outer product of the
    # flattened factors, then viewed as (n, D).
    return torch.outer(A.reshape(-1), B.reshape(-1)).reshape(p * s, q * t)


def _draw_randn(generator: torch.Generator, shape, dtype, device) -> Tensor:
    x = torch.randn(*shape, generator=generator, device=generator.device, dtype=torch.float32)
    return x.to(device=device, dtype=dtype)


def _draw_rand(generator: torch.Generator, shape, dtype, device) -> Tensor:
    x = torch.rand(*shape, generator=generator, device=generator.device, dtype=torch.float32)
    return x.to(device=device, dtype=dtype)


def _buffer(buffers: dict[str, Tensor] | None, key: str, shape: tuple, name: str) -> Tensor:
    if buffers is None or key not in buffers:
        raise ValueError(f"{name}: buffers[{key!r}] is required (see make_{name}_buffers)")
    b = buffers[key]
    if tuple(b.shape) != tuple(shape):
        raise ValueError(f"{name}: buffers[{key!r}] must have shape {shape}, got {tuple(b.shape)}")
    return b


# --------------------------------------------------------------------------- constant family


def constant(
    w: Tensor | None = None,
    *,
    n: int,
    D: int,
    c: float = 1.0,
    semantics: str = "native",
    dtype: torch.dtype | None = None,
    device=None,
) -> Tensor:
    """W = c * ones(n, D). l = 0 (w is ignored)."""
    _check_semantics(semantics)
    return torch.full((n, D), float(c), **_like(w, dtype, device))


def zero(
    w: Tensor | None = None,
    *,
    n: int,
    D: int,
    semantics: str = "native",
    dtype: torch.dtype | None = None,
    device=None,
) -> Tensor:
    """W = zeros(n, D). l = 0."""
    return constant(w, n=n, D=D, c=0.0, semantics=semantics, dtype=dtype, device=device)


def one(
    w: Tensor | None = None,
    *,
    n: int,
    D: int,
    semantics: str = "native",
    dtype: torch.dtype | None = None,
    device=None,
) -> Tensor:
    """W = ones(n, D). l = 0."""
    return constant(w, n=n, D=D, c=1.0, semantics=semantics, dtype=dtype, device=device)


def constant_eye(
    w: Tensor | None = None,
    *,
    n: int,
    D: int,
    semantics: str = "native",
    dtype: torch.dtype | None = None,
    device=None,
) -> Tensor:
    """W = eye(n, D) (ones on the main diagonal of the rectangle). l = 0."""
    _check_semantics(semantics)
    return torch.eye(n, D, **_like(w, dtype, device))


# --------------------------------------------------------------------------- reshaping family


def identity(w: Tensor, *, n: int, D: int, semantics: str = "native") -> Tensor:
    """W = reshape(w, (n, D)). l = n*D."""
    _check_semantics(semantics)
    return _vec(w, n * D, "identity_reconciliation").reshape(n, D)


def make_masking_buffers(
    *,
    n: int,
    D: int,
    generator: torch.Generator,
    dtype: torch.dtype = torch.float32,
    device=None,
    p: float = 0.5,
    fixed_mask: bool = True,
) -> dict[str, Tensor]:
    """{"mask": bool (n, D)}: tinybig's ``torch.rand(n, D) < p`` (kept entries are True)."""
    u = torch.rand(n, D, generator=generator, device=generator.device, dtype=torch.float32)
    return {"mask": (u < p).to(device=device if device is not None else generator.device)}


def masking(
    w: Tensor,
    *,
    n: int,
    D: int,
    buffers: dict[str, Tensor],
    p: float = 0.5,
    fixed_mask: bool = True,
    semantics: str = "native",
) -> Tensor:
    """W = reshape(w, (n, D)) * mask. l = n*D (tinybig counts every entry, masked or not)."""
    _check_semantics(semantics)
    mask = _buffer(buffers, "mask", (n, D), "masking")
    W = _vec(w, n * D, "masking_reconciliation").reshape(n, D)
    return W * mask.to(dtype=W.dtype)


def duplicated_padding(
    w: Tensor,
    *,
    n: int,
    D: int,
    p: int = 2,
    q: int | None = None,
    semantics: str = "native",
) -> Tensor:
    """Duplicated padding. l = (n/p)(D/q); q defaults to p.

    native: W = kron(ones(p, q), reshape(w, (n/p, D/q))) (each block is the s x t matrix).
    tinybig: W.flatten() = w repeated p*q times.
    """
    _check_semantics(semantics)
    p, q = resolve_pq("duplicated_padding", n, D, p, q)
    s, t = n // p, D // q
    B = _vec(w, s * t, "duplicated_padding_reconciliation").reshape(s, t)
    A = torch.ones(p, q, dtype=B.dtype, device=B.device)
    return _kron_assemble(A, B, semantics)


def duplicated_diagonal_padding(
    w: Tensor,
    *,
    n: int,
    D: int,
    p: int = 2,
    q: int | None = None,
    semantics: str = "native",
) -> Tensor:
    """Block-diagonal duplication: W = kron(eye(p), w as a 1 x l row). l = (n/p)(D/q).

    tinybig's asserts (p == n, q * l == D) and its final view require n == p == q and q | D.
    Same in both semantics; dense result (tinybig returns sparse COO).
    """
    _check_semantics(semantics)
    p, q = resolve_pq("duplicated_diagonal_padding", n, D, p, q)
    if not (p == n and q == p):
        raise ValueError(
            f"duplicated_diagonal_padding needs n == p == q, got n={n}, p={p}, q={q} (D={D})"
        )
    l = D // q
    v = _vec(w, l, "duplicated_diagonal_padding_reconciliation")
    eye = torch.eye(p, dtype=v.dtype, device=v.device)
    return (eye[:, :, None] * v[None, None, :]).reshape(n, D)


# --------------------------------------------------------------------------- low-rank family


def lorr(w: Tensor, *, n: int, D: int, r: int = 2, semantics: str = "native") -> Tensor:
    """Low-rank W = A B, A = w[:n r] as (n, r), B = w[n r:] as (r, D) (row-major). l = r (n + D).

    (tinybig 0.2.1 reshapes the second factor to (r, D), not (D, r) as in older tinybig code.)
    """
    _check_semantics(semantics)
    v = _vec(w, r * (n + D), "lorr_reconciliation")
    A = v[: n * r].reshape(n, r)
    B = v[n * r :].reshape(r, D)
    return A @ B


def hm(
    w: Tensor,
    *,
    n: int,
    D: int,
    semantics: str = "native",
    p: int | None = None,
    q: int | None = None,
) -> Tensor:
    """Hypercomplex multiplication. A = w[:pq] as (p, q), B = rest as (n/p, D/q).

    l = pq + (n/p)(D/q). Omitted p/q resolved by ``resolve_pq`` (tinybig's find_close_factors).
    native: W = kron(A, B); tinybig: outer(vec A, vec B).reshape(n, D).
    """
    _check_semantics(semantics)
    p, q = resolve_pq("hm", n, D, p, q)
    s, t = n // p, D // q
    v = _vec(w, p * q + s * t, "hm_reconciliation")
    A = v[: p * q].reshape(p, q)
    B = v[p * q :].reshape(s, t)
    return _kron_assemble(A, B, semantics)


def lphm(
    w: Tensor,
    *,
    n: int,
    D: int,
    semantics: str = "native",
    p: int | None = None,
    q: int | None = None,
    r: int = 2,
) -> Tensor:
    """Low-rank PHM. w = [A (p q) | S (s r) | T (r t)], B = S T (s x t). l = pq + r(s + t).

    native: W = kron(A, B); tinybig: outer(vec A, vec B).reshape(n, D).
    """
    _check_semantics(semantics)
    p, q = resolve_pq("lphm", n, D, p, q)
    s, t = n // p, D // q
    v = _vec(w, p * q + r * (s + t), "lphm_reconciliation")
    A = v[: p * q].reshape(p, q)
    S = v[p * q : p * q + s * r].reshape(s, r)
    T = v[p * q + s * r :].reshape(r, t)
    return _kron_assemble(A, S @ T, semantics)


def dual_lphm(
    w: Tensor,
    *,
    n: int,
    D: int,
    semantics: str = "native",
    p: int | None = None,
    q: int | None = None,
    r: int = 2,
) -> Tensor:
    """Dual low-rank PHM. w = [P (p r) | Q (r q) | S (s r) | T (r t)], A = P Q, B = S T.

    l = r (p + q + s + t). native: W = kron(A, B); tinybig: outer(vec A, vec B).reshape(n, D).
    """
    _check_semantics(semantics)
    p, q = resolve_pq("dual_lphm", n, D, p, q)
    s, t = n // p, D // q
    v = _vec(w, r * (p + q + s + t), "dual_lphm_reconciliation")
    o1, o2, o3 = p * r, (p + q) * r, (p + q + s) * r
    P = v[:o1].reshape(p, r)
    Q = v[o1:o2].reshape(r, q)
    S = v[o2:o3].reshape(s, r)
    T = v[o3:].reshape(r, t)
    return _kron_assemble(P @ Q, S @ T, semantics)


# --------------------------------------------------------------------------- random-matrix family


def make_random_matrix_adaption_buffers(
    *,
    n: int,
    D: int,
    generator: torch.Generator,
    dtype: torch.dtype = torch.float32,
    device=None,
    r: int = 2,
) -> dict[str, Tensor]:
    """{"A": randn(n, r), "B": randn(D, r)} (drawn in that order, like tinybig)."""
    device = device if device is not None else generator.device
    A = _draw_randn(generator, (n, r), dtype, device)
    B = _draw_randn(generator, (D, r), dtype, device)
    return {"A": A, "B": B}


def random_matrix_adaption(
    w: Tensor,
    *,
    n: int,
    D: int,
    buffers: dict[str, Tensor],
    r: int = 2,
    semantics: str = "native",
) -> Tensor:
    """W = diag(w[:n]) A diag(w[n:]) B^T with fixed random A (n, r), B (D, r). l = n + r."""
    _check_semantics(semantics)
    A = _buffer(buffers, "A", (n, r), "random_matrix_adaption")
    B = _buffer(buffers, "B", (D, r), "random_matrix_adaption")
    v = _vec(w, n + r, "random_matrix_adaption_reconciliation")
    lam1, lam2 = v[:n], v[n:]
    return (lam1[:, None] * A.to(v.dtype) * lam2[None, :]) @ B.to(v.dtype).T


def make_random_matrix_hypernet_buffers(
    *,
    n: int,
    D: int,
    generator: torch.Generator,
    dtype: torch.dtype = torch.float32,
    device=None,
    r: int = 2,
    l: int = 64,
    hidden_dim: int = 128,
) -> dict[str, Tensor]:
    """{"P": (l, r), "Q": (hidden_dim, r), "S": (hidden_dim, r), "T": (n D, r)}, all randn."""
    device = device if device is not None else generator.device
    return {
        "P": _draw_randn(generator, (l, r), dtype, device),
        "Q": _draw_randn(generator, (hidden_dim, r), dtype, device),
        "S": _draw_randn(generator, (hidden_dim, r), dtype, device),
        "T": _draw_randn(generator, (n * D, r), dtype, device),
    }


def random_matrix_hypernet(
    w: Tensor,
    *,
    n: int,
    D: int,
    buffers: dict[str, Tensor],
    r: int = 2,
    l: int = 64,
    hidden_dim: int = 128,
    semantics: str = "native",
) -> Tensor:
    """W = reshape(sigmoid(w P Q^T) S T^T, (n, D)) with fixed random P, Q, S, T. l = l (given)."""
    _check_semantics(semantics)
    name = "random_matrix_hypernet"
    P = _buffer(buffers, "P", (l, r), name)
    Q = _buffer(buffers, "Q", (hidden_dim, r), name)
    S = _buffer(buffers, "S", (hidden_dim, r), name)
    T = _buffer(buffers, "T", (n * D, r), name)
    v = _vec(w, l, "random_matrix_hypernet_reconciliation")[None, :]
    dt = v.dtype
    h = torch.sigmoid((v @ P.to(dt)) @ Q.to(dt).T)
    return ((h @ S.to(dt)) @ T.to(dt).T).reshape(n, D)


def make_hypernet_buffers(
    *,
    n: int,
    D: int,
    generator: torch.Generator,
    dtype: torch.dtype = torch.float32,
    device=None,
    l: int = 64,
    hidden_dim: int = 128,
    static: bool = True,
) -> dict[str, Tensor]:
    """The frozen MLP l -> hidden_dim -> n D, every weight and bias ~ N(0, 1) as in tinybig.

    Keys: "weight1" (hidden_dim, l), "bias1" (hidden_dim,), "weight2" (n D, hidden_dim),
    "bias2" (n D,). With ``static=False`` tinybig trains these: register them as parameters.
    """
    device = device if device is not None else generator.device
    return {
        "weight1": _draw_randn(generator, (hidden_dim, l), dtype, device),
        "bias1": _draw_randn(generator, (hidden_dim,), dtype, device),
        "weight2": _draw_randn(generator, (n * D, hidden_dim), dtype, device),
        "bias2": _draw_randn(generator, (n * D,), dtype, device),
    }


def hypernet(
    w: Tensor,
    *,
    n: int,
    D: int,
    buffers: dict[str, Tensor],
    l: int = 64,
    hidden_dim: int = 128,
    static: bool = True,
    semantics: str = "native",
) -> Tensor:
    """W = reshape(Linear2(sigmoid(Linear1(w))), (n, D)). l = l (given, independent of n, D)."""
    _check_semantics(semantics)
    name = "hypernet"
    W1 = _buffer(buffers, "weight1", (hidden_dim, l), name)
    b1 = _buffer(buffers, "bias1", (hidden_dim,), name)
    W2 = _buffer(buffers, "weight2", (n * D, hidden_dim), name)
    b2 = _buffer(buffers, "bias2", (n * D,), name)
    v = _vec(w, l, "hypernet_reconciliation")[None, :]
    dt = v.dtype
    h = torch.sigmoid(torch.nn.functional.linear(v, W1.to(dt), b1.to(dt)))
    return torch.nn.functional.linear(h, W2.to(dt), b2.to(dt)).reshape(n, D)


# --------------------------------------------------------------------------- tables

RECONCILIATIONS: dict[str, Callable[..., Tensor]] = {
    "constant_reconciliation": constant,
    "zero_reconciliation": zero,
    "one_reconciliation": one,
    "constant_eye_reconciliation": constant_eye,
    "identity_reconciliation": identity,
    "masking_reconciliation": masking,
    "duplicated_padding_reconciliation": duplicated_padding,
    "duplicated_diagonal_padding_reconciliation": duplicated_diagonal_padding,
    "lorr_reconciliation": lorr,
    "hm_reconciliation": hm,
    "lphm_reconciliation": lphm,
    "dual_lphm_reconciliation": dual_lphm,
    "hypernet_reconciliation": hypernet,
    "random_matrix_adaption_reconciliation": random_matrix_adaption,
    "random_matrix_hypernet_reconciliation": random_matrix_hypernet,
}

RANDOM_BUFFERS: dict[str, Callable[..., dict[str, Tensor]]] = {
    "masking_reconciliation": make_masking_buffers,
    "hypernet_reconciliation": make_hypernet_buffers,
    "random_matrix_adaption_reconciliation": make_random_matrix_adaption_buffers,
    "random_matrix_hypernet_reconciliation": make_random_matrix_hypernet_buffers,
}

#: Reconciliations whose native and tinybig outputs are identical.
SAME_IN_BOTH_SEMANTICS = frozenset(RECONCILIATIONS) - {
    "hm_reconciliation",
    "lphm_reconciliation",
    "dual_lphm_reconciliation",
    "duplicated_padding_reconciliation",
}
