"""Structure-aware evaluation of a head's <kappa(x), psi(w)>: the same function as materializing
kappa(x) (b, D) and W (C, n, D), without building what the algebra lets us skip.

Paths (``choose_path`` picks one per head at build time; ``RPNHead.evaluation_path`` shows it):

- ``bilinear-identity``: Taylor d=2 (no pre/post-processing) with identity W. Each row of
  W is [W1 (m) | W2 (m x m)], i.e. an (m + 1, m) matrix, so one GEMM gives x W1^T and W2 x per
  output and a batched dot with [1, x] finishes y = x W1^T + x^T W2 x. No b x (m + m^2) tensor.
- ``bilinear-lowrank``: the same with lorr W = A B: the bilinear form against B's r
  rows, then A.
- ``bilinear-ln-identity`` / ``bilinear-ln-lowrank``: the same behind a layer_norm over the
  whole expansion (its only post-processing): mean and variance of [x, x (x) x] are
  (S1 + S1^2) / D and (S2 + S2^2) / D - mean^2 with S1 = sum x, S2 = sum x^2, so
  LN(kappa) W^T = (kappa (W g)^T - mean (W g) 1) / std + W beta (g, beta: its affine weights).
- ``lowrank``: lorr W = A B against any materialized expansion: (kappa B^T) A^T.
- ``kron``: native hm / lphm / dual_lphm / duplicated_padding W = kron(A, B) (A p x q, B s x t):
  kappa viewed as (b, q, t), then B and A as reshaped matmuls.
- ``outer`` / ``outer-ln``: the same families in tinybig semantics, whose
  W = reshape(outer(vec A, vec B), (n, D)) is not a Kronecker product: kappa against vec B's
  chunks, then A (:mod:`rpnschema.compile.fast_outer`); chosen when that costs fewer
  multiply-adds than the dense GEMM. On a Taylor d=2 expansion the chunk sums are bilinear forms
  in x (no b x D expansion); ``outer-ln`` is that behind a layer_norm over the expansion (its
  only post-processing), with the normalization folded into the factors in closed form as on
  ``bilinear-ln-*``.
- ``bspline-slabs``: a B-spline expansion (no pre/post-processing) with identity W over at
  least :data:`SLAB_MIN_FEATURES` features: the bases built a slab of inputs at a time and
  multiplied into the output, rebuilt in the backward for W's gradient
  (:mod:`rpnschema.compile.kernels.bspline_linear`); the b x D expansion is never alive whole.
- ``nested-bilinear-identity`` / ``nested-bilinear-lowrank``: a two-part nested expansion
  whose outer part is a plain Taylor d=2 (no processing on the composition), identity or lorr
  W, at any D: the ``bilinear-*`` form on s = inner(x), so the b x D expansion is never built
  (tinybig's composite doc config: bspline then taylor). A B-spline inner part takes its input
  gradient by hand (:mod:`rpnschema.compile.kernels.bspline_grad`), one autograd node instead of
  the kernel's chain.
- ``fused``: everything else, and heads with fewer than :data:`MIN_FEATURES` expanded
  features, where materializing is cheap and the structured paths' extra kernel calls would cost
  more than they save. The arithmetic of ``materialized`` (kappa(x) and W built, then a GEMM),
  in one forward with the per-call Python cut: empty processing slots are skipped (decided at
  build time); the components' ``forward`` is called directly rather than through
  ``nn.Module.__call__`` (a catalog expansion without pre/post-processing: its kernel); a single
  channel's W goes to ``F.linear`` without the channel list and stack, identity / lorr / native
  hm W built without the kernels' shape checks (sizes resolved at build); several channels are
  one batched GEMM into (C, b, n) with the bias inside, reduced by a same-shaped channel fusion
  along C without the fusion kernel's input checks; linear and identity remainders are inlined.
  It differs from ``materialized`` only in float summation order. Hooks registered on the
  head's components do not fire on this path (nor on the structured ones); hooks on the head
  itself, its layer and the model do.
- ``materialized``: the reference the others are tested against; never chosen, only set
  (``head.evaluation_path = "materialized"``). Every component is called as a module.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from rpnschema.compile.expansion import Expansion, NestedExpansion
from rpnschema.compile.fast_outer import outer_apply, outer_taylor2_apply, outer_worthwhile
from rpnschema.compile.kernels.bspline_grad import bspline_differentiable
from rpnschema.compile.kernels.bspline_linear import bspline_linear
from rpnschema.compile.kernels.reconciliation import resolve_pq
from rpnschema.compile.processing import StatelessLayerNorm
from rpnschema.compile.reconciliation import Reconciliation

MATERIALIZED = "materialized"
BILINEAR_IDENTITY = "bilinear-identity"
BILINEAR_LOWRANK = "bilinear-lowrank"
BILINEAR_LN_IDENTITY = "bilinear-ln-identity"
BILINEAR_LN_LOWRANK = "bilinear-ln-lowrank"
LOWRANK = "lowrank"
KRON = "kron"
OUTER = "outer"
OUTER_LN = "outer-ln"
BSPLINE_SLABS = "bspline-slabs"
NESTED_BILINEAR_IDENTITY = "nested-bilinear-identity"
NESTED_BILINEAR_LOWRANK = "nested-bilinear-lowrank"
FUSED = "fused"
PATHS = (
    BILINEAR_IDENTITY,
    BILINEAR_LOWRANK,
    BILINEAR_LN_IDENTITY,
    BILINEAR_LN_LOWRANK,
    LOWRANK,
    KRON,
    OUTER,
    OUTER_LN,
    BSPLINE_SLABS,
    NESTED_BILINEAR_IDENTITY,
    NESTED_BILINEAR_LOWRANK,
    FUSED,
    MATERIALIZED,
)
#: below this D, materializing kappa and W is cheaper than the structured paths' extra calls
MIN_FEATURES = 1024
#: below this D the B-spline bases of a batch are small, and autograd keeping them costs less
#: than rebuilding them in the backward (``bspline-slabs``)
SLAB_MIN_FEATURES = 2**16

_IDENTITY_PATHS = (BILINEAR_IDENTITY, BILINEAR_LN_IDENTITY, NESTED_BILINEAR_IDENTITY)
_LOWRANK_PATHS = (BILINEAR_LOWRANK, BILINEAR_LN_LOWRANK, LOWRANK, NESTED_BILINEAR_LOWRANK)

_KRON_NAMES = frozenset(
    {
        "hm_reconciliation",
        "lphm_reconciliation",
        "dual_lphm_reconciliation",
        "duplicated_padding_reconciliation",
    }
)


def _is_taylor2(expansion: nn.Module) -> bool:
    """Taylor d=2 computed directly on the head input (no preprocessing, not composite)."""
    return (
        type(expansion) is Expansion
        and expansion.name == "taylor_expansion"
        and expansion.params.get("d") == 2
        and len(expansion.preprocess) == 0
    )


def _is_plain_bspline(expansion: nn.Module) -> bool:
    return (
        type(expansion) is Expansion
        and expansion.name == "bspline_expansion"
        and len(expansion.preprocess) == 0
        and len(expansion.postprocess) == 0
    )


def _is_plain_taylor2(expansion: nn.Module) -> bool:
    return _is_taylor2(expansion) and len(expansion.postprocess) == 0


def _nested_taylor2_prefix(expansion: nn.Module) -> nn.Module | None:
    """The inner part of a two-part nested expansion whose outer part is a plain Taylor d=2
    (kappa = taylor2(inner(x)); no processing on the composition itself), else None."""
    if type(expansion) is not NestedExpansion or expansion._pre or expansion._post:
        return None
    functions = expansion.functions
    if len(functions) != 2 or not _is_plain_taylor2(functions[1]):
        return None
    return functions[0]


def _layer_norm_of(expansion: nn.Module) -> nn.Module | None:
    """The expansion's layer_norm over all D features when it is its only post-processing."""
    if not _is_taylor2(expansion) or len(expansion.postprocess) != 1:
        return None
    ln = expansion.postprocess[0]
    if isinstance(ln, nn.LayerNorm) and len(ln.normalized_shape) == 1:
        return ln
    if isinstance(ln, StatelessLayerNorm):
        return ln
    return None


def choose_path(expansion: nn.Module, reconciliation: nn.Module, semantics: str) -> str:
    """The cheapest exact evaluation of <expansion(x), reconciliation(w)>; one of :data:`PATHS`
    (never ``materialized``: ``fused`` computes the same, with less per-call overhead)."""
    if type(reconciliation) is not Reconciliation:
        return FUSED
    name = reconciliation.name
    if _nested_taylor2_prefix(expansion) is not None:
        if name == "identity_reconciliation":
            return NESTED_BILINEAR_IDENTITY
        if name == "lorr_reconciliation":
            return NESTED_BILINEAR_LOWRANK
    if reconciliation.D < MIN_FEATURES:
        return FUSED
    taylor2 = _is_plain_taylor2(expansion)
    ln = _layer_norm_of(expansion) is not None
    if name == "identity_reconciliation" and (taylor2 or ln):
        return BILINEAR_IDENTITY if taylor2 else BILINEAR_LN_IDENTITY
    if name == "lorr_reconciliation":
        if taylor2 or ln:
            return BILINEAR_LOWRANK if taylor2 else BILINEAR_LN_LOWRANK
        return LOWRANK
    if name == "identity_reconciliation" and _is_plain_bspline(expansion):
        return BSPLINE_SLABS if reconciliation.D >= SLAB_MIN_FEATURES else FUSED
    if name in _KRON_NAMES and semantics == "native":
        return KRON
    if name in _KRON_NAMES and _outer_worthwhile(reconciliation):
        return OUTER_LN if ln else OUTER
    return FUSED


def _outer_worthwhile(rec: nn.Module) -> bool:
    p, q = resolve_pq(rec.name.removesuffix("_reconciliation"), rec.n, rec.D, *_pq(rec))
    return outer_worthwhile(rec.n, rec.D, (rec.n // p) * (rec.D // q))


def _pq(rec: nn.Module) -> tuple[int | None, int | None]:
    return rec.params.get("p"), rec.params.get("q")


def taylor2_bilinear(x: Tensor, rows: Tensor) -> Tensor:
    """[x, x (x) x] @ rows^T without the expansion. x (b, m), rows (k, m + m^2) -> (b, k)."""
    b, m = x.shape
    k = rows.shape[0]
    # row j as an (m + 1, m) matrix: [W1_j; W2_j]; t[:, j] = [x W1_j^T, W2_j x]
    t = (x @ rows.reshape(k * (m + 1), m).T).view(b, k, m + 1)
    x1 = torch.cat([x.new_ones(b, 1), x], dim=1)
    return torch.bmm(t, x1.unsqueeze(2)).squeeze(2)


def taylor2_layer_norm_bilinear(x: Tensor, rows: Tensor, ln: nn.Module) -> Tensor:
    """layer_norm([x, x (x) x]) @ rows^T in closed form. x (b, m), rows (k, m + m^2) -> (b, k).

    ``ln`` normalizes all D = m + m^2 features (``nn.LayerNorm`` or the stateless one).
    """
    weight, bias = getattr(ln, "weight", None), getattr(ln, "bias", None)
    scaled = rows * weight if weight is not None else rows
    mean, rstd = taylor2_stats(x, rows.shape[1], ln.eps)
    y = (taylor2_bilinear(x, scaled) - mean[:, None] * scaled.sum(1)) * rstd[:, None]
    return y + rows @ bias if bias is not None else y


def taylor2_stats(x: Tensor, D: int, eps: float) -> tuple[Tensor, Tensor]:
    """Mean and 1 / sqrt(var + eps) over the D = m + m^2 features of [x, x (x) x], per row, in
    closed form: (S1 + S1^2) / D and (S2 + S2^2) / D - mean^2 with S1 = sum x, S2 = sum x^2."""
    s1, s2 = x.sum(1), x.square().sum(1)
    mean = (s1 + s1.square()) / D
    var = ((s2 + s2.square()) / D - mean.square()).clamp_min(0)
    return mean, torch.rsqrt(var + eps)


def _lorr_factors(w: Tensor, n: int, D: int, r: int) -> tuple[Tensor, Tensor]:
    """A (C, n, r) and B (C, r, D) of every channel's lorr W = A B."""
    C = w.shape[0]
    return w[:, : n * r].reshape(C, n, r), w[:, n * r :].reshape(C, r, D)


def _kron_factors(rec: nn.Module, v: Tensor) -> tuple[Tensor, Tensor]:
    """A (p, q) and B (n/p, D/q) of one channel's native Kronecker W = kron(A, B)."""
    name, n, D, params = rec.name, rec.n, rec.D, rec.params
    short = name.removesuffix("_reconciliation")
    p, q = resolve_pq(short, n, D, *_pq(rec))
    s, t = n // p, D // q
    if name == "duplicated_padding_reconciliation":
        return v.new_ones(p, q), v.reshape(s, t)
    if name == "hm_reconciliation":
        return v[: p * q].reshape(p, q), v[p * q :].reshape(s, t)
    r = params["r"]
    if name == "lphm_reconciliation":
        S = v[p * q : p * q + s * r].reshape(s, r)
        return v[: p * q].reshape(p, q), S @ v[p * q + s * r :].reshape(r, t)
    o1, o2, o3 = p * r, (p + q) * r, (p + q + s) * r
    A = v[:o1].reshape(p, r) @ v[o1:o2].reshape(r, q)
    return A, v[o2:o3].reshape(s, r) @ v[o3:].reshape(r, t)


def kron_apply(kappa: Tensor, A: Tensor, B: Tensor) -> Tensor:
    """kappa @ kron(A, B)^T by the vec trick. kappa (b, q t), A (p, q), B (s, t) -> (b, p s)."""
    b = kappa.shape[0]
    (p, q), (s, t) = A.shape, B.shape
    Z = kappa.reshape(b * q, t) @ B.T  # (b q, s)
    Y = A @ Z.view(b, q, s)  # (b, p, s)
    return Y.reshape(b, p * s)


def evaluate(path: str, x: Tensor, expansion: nn.Module, rec: nn.Module, w: Tensor) -> Tensor:
    """<kappa(x), psi(w_c)> for every channel c without the bias: (b, C, n).

    ``x`` is the head's (input-processed) input, ``w`` its (C, l) parameters.
    """
    C, n, D = w.shape[0], rec.n, rec.D
    b = x.shape[0]
    ln = _layer_norm_of(expansion)
    if path in (NESTED_BILINEAR_IDENTITY, NESTED_BILINEAR_LOWRANK):
        inner = _nested_taylor2_prefix(expansion)
        if _is_plain_bspline(inner):  # its input gradient by hand: fewer autograd nodes
            x = bspline_differentiable(x, semantics=inner.semantics, **inner.params)
        else:
            x = inner(x)  # the Taylor part's input
        path = BILINEAR_IDENTITY if path == NESTED_BILINEAR_IDENTITY else BILINEAR_LOWRANK
    if path in _IDENTITY_PATHS:
        rows = w.reshape(C * n, D)
        if path == BILINEAR_LN_IDENTITY:
            return taylor2_layer_norm_bilinear(x, rows, ln).view(b, C, n)
        return taylor2_bilinear(x, rows).view(b, C, n)
    if path in _LOWRANK_PATHS:
        r = rec.params["r"]
        A, B = _lorr_factors(w, n, D, r)
        if path == BILINEAR_LOWRANK:
            z = taylor2_bilinear(x, B.reshape(C * r, D))
        elif path == BILINEAR_LN_LOWRANK:
            z = taylor2_layer_norm_bilinear(x, B.reshape(C * r, D), ln)
        else:
            z = expansion(x) @ B.reshape(C * r, D).T
        if C == 1:
            return (z @ A[0].T).unsqueeze(1)
        return torch.einsum("bcr,cnr->bcn", z.view(b, C, r), A)
    if path == BSPLINE_SLABS:
        kw = {"semantics": expansion.semantics, **expansion.params}
        # every channel's rows at once: w (C, n D) is W (C n, D) without a copy, so W's
        # gradient is written straight into w's (a per-channel w[c] would copy it once more)
        return bspline_linear(x, w.view(C * n, D), **kw).view(b, C, n)
    if path == KRON:
        kappa = expansion(x)
        ys = [kron_apply(kappa, *_kron_factors(rec, w[c])) for c in range(C)]
        return torch.stack(ys, dim=1)
    if path == OUTER and _is_plain_taylor2(expansion):
        ys = [outer_taylor2_apply(x, *_kron_factors(rec, w[c])) for c in range(C)]
        return torch.stack(ys, dim=1)
    if path == OUTER:
        kappa = expansion(x)
        ys = [outer_apply(kappa, *_kron_factors(rec, w[c])) for c in range(C)]
        return torch.stack(ys, dim=1)
    if path == OUTER_LN:  # the layer_norm in closed form, the expansion never built
        stats = taylor2_stats(x, D, ln.eps)
        ys = [outer_taylor2_apply(x, *_kron_factors(rec, w[c]), ln, stats) for c in range(C)]
        return torch.stack(ys, dim=1)
    raise ValueError(f"no structure-aware evaluation {path!r}; paths: {', '.join(PATHS)}")
