"""Fusion kernels: a list of (..., d_i) tensors (+ optional w) -> (..., n), in pure torch.

Every kernel is ``f(xs, *, w=None, dims=None, semantics="native", **params)`` with the function's
own parameters under tinybig's constructor names and defaults (minus ``name``, ``device``,
``require_parameters`` where tinybig forces it, and the pre/post-processing functions, which the
compiler applies). ``dims`` defaults to the inputs' last dimensions; when given it is checked
against them. ``w`` is 1-D of length l; the (1, l) row that tinybig's heads and layers create is
accepted as well (except where tinybig semantics says otherwise, below). Inputs are never modified.

Output dimension n(dims) (as tinybig's ``calculate_n``):

- summation / average / weighted_summation / parameterized_weighted_summation and the metric
  fusions (mean, max, min, sum, prod, median, l1_norm, l2_norm): all inputs must have the same
  shape; n = dims[0].
- concatenation: n = sum(dims) (only the leading dimensions must agree).
- parameterized concatenations: n = the ``n`` parameter, or dims[0] when omitted (then all dims
  must be equal); y = cat(xs) @ W.T with W = psi(w; n, D = sum(dims)) for psi = reshape
  (l = n sum(dims)), lorr, hm, lphm, dual_lphm or random_matrix_adaption (see ``reconciliation``).

Semantics: the hm/lphm/dual_lphm parameterized concatenations inherit their reconciliation's layout
(native Kronecker, tinybig outer-product). ``parameterized_weighted_summation_fusion`` (and
``weighted_summation_fusion`` with ``require_parameters=True``) cannot be a head or channel fusion
in tinybig 0.2.1: the owner's parameter is (1, l) and tinybig asserts ``w.size(0) == len(xs)``.
In tinybig semantics these kernels therefore reject a (1, l) w when there is more than one input
(``TINYBIG_NOT_HEAD_FUSABLE``); in native semantics they take w as (l,) or (1, l), l = len(xs).
Medians of an even count are the lower middle value in both semantics (torch.median).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor

from rpnschema.compile.kernels import reconciliation as _rec
from rpnschema.compile.kernels.reconciliation import resolve_pq

__all__ = [
    "FUSIONS",
    "RANDOM_BUFFERS",
    "SAME_IN_BOTH_SEMANTICS",
    "STACKED",
    "TINYBIG_NOT_HEAD_FUSABLE",
    "average",
    "concatenation",
    "dual_lphm_parameterized_concatenation",
    "hm_parameterized_concatenation",
    "l1_norm",
    "l2_norm",
    "lowrank_parameterized_concatenation",
    "lphm_parameterized_concatenation",
    "make_random_matrix_adaption_parameterized_concatenation_buffers",
    "max_",
    "mean",
    "median",
    "min_",
    "parameterized_concatenation",
    "parameterized_weighted_summation",
    "prod",
    "random_matrix_adaption_parameterized_concatenation",
    "sum_",
    "summation",
    "weighted_summation",
]

#: Fusions that tinybig 0.2.1 cannot use as a head's channel fusion or a layer's head fusion
#: (``weighted_summation_fusion`` only when built with ``require_parameters=True``).
TINYBIG_NOT_HEAD_FUSABLE = frozenset(
    {"parameterized_weighted_summation_fusion", "weighted_summation_fusion"}
)

# --------------------------------------------------------------------------- helpers

_check_semantics = _rec._check_semantics


def _dims(xs: Sequence[Tensor], dims: Sequence[int] | None, name: str) -> list[int]:
    if not xs:
        raise ValueError(f"{name}: the input list cannot be empty")
    actual = [int(x.shape[-1]) for x in xs]
    if dims is None:
        return actual
    dims = [int(d) for d in dims]
    if dims != actual:
        raise ValueError(f"{name}: inputs have last dimensions {actual}, dims says {dims}")
    return dims


def _stack_same(xs: Sequence[Tensor], dims: Sequence[int] | None, name: str) -> Tensor:
    _dims(xs, dims, name)
    shape = xs[0].shape
    if any(x.shape != shape for x in xs):
        raise ValueError(f"{name}: all inputs must have the same shape")
    return torch.stack(list(xs), dim=0)


def _cat(xs: Sequence[Tensor], dims: Sequence[int] | None, name: str) -> tuple[Tensor, list[int]]:
    dims = _dims(xs, dims, name)
    lead = xs[0].shape[:-1]
    if any(x.shape[:-1] != lead for x in xs):
        raise ValueError(f"{name}: inputs differ in a dimension other than the last")
    return torch.cat(list(xs), dim=-1), dims


def _out_n(n: int | None, dims: list[int], name: str) -> int:
    if n is not None:
        return int(n)
    if any(d != dims[0] for d in dims):
        raise ValueError(f"{name}: n is required when the input dims differ ({dims})")
    return dims[0]


def _weighted(x: Tensor, weights: Tensor) -> Tensor:
    return (x * weights.reshape(-1, *[1] * (x.ndim - 1))).sum(dim=0)


# --------------------------------------------------------------------------- summations


def weighted_summation(
    xs: Sequence[Tensor],
    *,
    w: Tensor | None = None,
    dims: Sequence[int] | None = None,
    weights: Tensor | Sequence[float] | None = None,
    require_parameters: bool = False,
    semantics: str = "native",
) -> Tensor:
    """sum_i weights[i] * xs[i]; weights = ``w`` if require_parameters else ``weights``.

    l = len(xs) if require_parameters else 0. See the module note on (1, l) weights.
    """
    name = "weighted_summation_fusion"
    _check_semantics(semantics)
    x = _stack_same(xs, dims, name)
    k = x.shape[0]
    wt = w if require_parameters else weights
    if wt is None:
        raise ValueError(f"{name}: {'w' if require_parameters else 'weights'} is required")
    wt = torch.as_tensor(wt, dtype=x.dtype, device=x.device)
    if semantics == "tinybig" and (wt.ndim == 0 or wt.shape[0] != k):
        raise ValueError(
            f"{name}: tinybig needs weights of shape ({k},) (one per input), got "
            f"{tuple(wt.shape)}; a (1, l) head/layer fusion parameter fails in tinybig 0.2.1"
        )
    if wt.numel() != k:
        raise ValueError(f"{name}: need {k} weights, got shape {tuple(wt.shape)}")
    return _weighted(x, wt)


def parameterized_weighted_summation(
    xs: Sequence[Tensor],
    *,
    w: Tensor,
    dims: Sequence[int] | None = None,
    semantics: str = "native",
) -> Tensor:
    """sum_i w[i] * xs[i] with learnable w. l = len(dims)."""
    return weighted_summation(xs, w=w, dims=dims, require_parameters=True, semantics=semantics)


def _sum(x: Tensor, dim: int = 0) -> Tensor:
    return x.sum(dim=dim)


def _average(x: Tensor, dim: int = 0) -> Tensor:
    return (x * (1.0 / x.shape[dim])).sum(dim=dim)


def summation(
    xs: Sequence[Tensor],
    *,
    w: Tensor | None = None,
    dims: Sequence[int] | None = None,
    semantics: str = "native",
) -> Tensor:
    """sum_i xs[i]. l = 0."""
    _check_semantics(semantics)
    return _sum(_stack_same(xs, dims, "summation_fusion"))


def average(
    xs: Sequence[Tensor],
    *,
    w: Tensor | None = None,
    dims: Sequence[int] | None = None,
    semantics: str = "native",
) -> Tensor:
    """sum_i xs[i] * (1/k) (tinybig's weighted form of the mean). l = 0."""
    _check_semantics(semantics)
    return _average(_stack_same(xs, dims, "average_fusion"))


# --------------------------------------------------------------------------- metric fusions


_PLAIN = ("mean", "prod", "median", "l1_norm", "l2_norm")  # max_/min_/sum_ avoid the builtins

#: fusion name -> ``op(x, dim)``, its operation on the inputs stacked along ``dim`` (the fusions
#: that take same-shaped inputs and no weight); the compiled modules use it on inputs they know
#: agree, the kernels with dim 0
STACKED: dict[str, Callable[[Tensor, int], Tensor]] = {
    "summation_fusion": _sum,
    "average_fusion": _average,
}


def _metric(op: Callable[[Tensor, int], Tensor], fname: str):
    STACKED[fname] = op

    def kernel(
        xs: Sequence[Tensor],
        *,
        w: Tensor | None = None,
        dims: Sequence[int] | None = None,
        semantics: str = "native",
    ) -> Tensor:
        _check_semantics(semantics)
        return op(_stack_same(xs, dims, fname), 0)

    short = fname[: -len("_fusion")]
    kernel.__name__ = kernel.__qualname__ = short if short in _PLAIN else short + "_"
    kernel.__doc__ = f"Element-wise {short} over the inputs (all the same shape). l = 0."
    return kernel


# the operations are module-level functions (not lambdas) so that modules holding them pickle


def _mean(x: Tensor, dim: int = 0) -> Tensor:
    return x.mean(dim=dim)


def _amax(x: Tensor, dim: int = 0) -> Tensor:
    return x.amax(dim=dim)


def _amin(x: Tensor, dim: int = 0) -> Tensor:
    return x.amin(dim=dim)


def _prod(x: Tensor, dim: int = 0) -> Tensor:
    return x.prod(dim=dim)


def _median(x: Tensor, dim: int = 0) -> Tensor:
    return x.median(dim=dim).values


def _l1(x: Tensor, dim: int = 0) -> Tensor:
    return torch.linalg.vector_norm(x, ord=1, dim=dim)


def _l2(x: Tensor, dim: int = 0) -> Tensor:
    return torch.linalg.vector_norm(x, ord=2, dim=dim)


mean = _metric(_mean, "mean_fusion")
max_ = _metric(_amax, "max_fusion")
min_ = _metric(_amin, "min_fusion")
sum_ = _metric(_sum, "sum_fusion")
prod = _metric(_prod, "prod_fusion")
median = _metric(_median, "median_fusion")
l1_norm = _metric(_l1, "l1_norm_fusion")
l2_norm = _metric(_l2, "l2_norm_fusion")


# --------------------------------------------------------------------------- concatenations


def concatenation(
    xs: Sequence[Tensor],
    *,
    w: Tensor | None = None,
    dims: Sequence[int] | None = None,
    semantics: str = "native",
) -> Tensor:
    """cat(xs, -1). n = sum(dims), l = 0."""
    _check_semantics(semantics)
    return _cat(xs, dims, "concatenation_fusion")[0]


def parameterized_concatenation(
    xs: Sequence[Tensor],
    *,
    w: Tensor | None,
    dims: Sequence[int] | None = None,
    n: int | None = None,
    semantics: str = "native",
) -> Tensor:
    """cat(xs) @ reshape(w, (n, sum(dims))).T. l = n sum(dims); n defaults to dims[0]."""
    name = "parameterized_concatenation_fusion"
    _check_semantics(semantics)
    x, dims = _cat(xs, dims, name)
    n = _out_n(n, dims, name)
    D = x.shape[-1]
    W = _rec._vec(w, n * D, name).reshape(n, D)
    return torch.matmul(x, W.T)


def lowrank_parameterized_concatenation(
    xs: Sequence[Tensor],
    *,
    w: Tensor | None,
    dims: Sequence[int] | None = None,
    n: int | None = None,
    r: int = 2,
    semantics: str = "native",
) -> Tensor:
    """cat(xs) @ lorr(w; n, sum(dims), r).T. l = r (n + sum(dims))."""
    name = "lowrank_parameterized_concatenation_fusion"
    _check_semantics(semantics)
    x, dims = _cat(xs, dims, name)
    n = _out_n(n, dims, name)
    W = _rec.lorr(w, n=n, D=x.shape[-1], r=r, semantics=semantics)
    return torch.matmul(x, W.T)


def hm_parameterized_concatenation(
    xs: Sequence[Tensor],
    *,
    w: Tensor | None,
    p: int,
    q: int | None = None,
    dims: Sequence[int] | None = None,
    n: int | None = None,
    semantics: str = "native",
) -> Tensor:
    """cat(xs) @ hm(w; n, sum(dims), p, q).T; p required, q defaults to p.

    l = pq + (n/p)(sum(dims)/q).
    """
    name = "hm_parameterized_concatenation_fusion"
    _check_semantics(semantics)
    x, dims = _cat(xs, dims, name)
    n = _out_n(n, dims, name)
    D = x.shape[-1]
    p, q = resolve_pq(name, n, D, p, q)
    W = _rec.hm(w, n=n, D=D, p=p, q=q, semantics=semantics)
    return torch.matmul(x, W.T)


def lphm_parameterized_concatenation(
    xs: Sequence[Tensor],
    *,
    w: Tensor | None,
    r: int,
    p: int,
    q: int | None = None,
    dims: Sequence[int] | None = None,
    n: int | None = None,
    semantics: str = "native",
) -> Tensor:
    """cat(xs) @ lphm(w; n, sum(dims), p, q, r).T; r and p required, q defaults to p.

    l = pq + r (n/p + sum(dims)/q).
    """
    name = "lphm_parameterized_concatenation_fusion"
    _check_semantics(semantics)
    x, dims = _cat(xs, dims, name)
    n = _out_n(n, dims, name)
    D = x.shape[-1]
    p, q = resolve_pq(name, n, D, p, q)
    W = _rec.lphm(w, n=n, D=D, p=p, q=q, r=r, semantics=semantics)
    return torch.matmul(x, W.T)


def dual_lphm_parameterized_concatenation(
    xs: Sequence[Tensor],
    *,
    w: Tensor | None,
    r: int,
    p: int,
    q: int | None = None,
    dims: Sequence[int] | None = None,
    n: int | None = None,
    semantics: str = "native",
) -> Tensor:
    """cat(xs) @ dual_lphm(w; n, sum(dims), p, q, r).T; r and p required, q defaults to p.

    l = r (p + q + n/p + sum(dims)/q).
    """
    name = "dual_lphm_parameterized_concatenation_fusion"
    _check_semantics(semantics)
    x, dims = _cat(xs, dims, name)
    n = _out_n(n, dims, name)
    D = x.shape[-1]
    p, q = resolve_pq(name, n, D, p, q)
    W = _rec.dual_lphm(w, n=n, D=D, p=p, q=q, r=r, semantics=semantics)
    return torch.matmul(x, W.T)


def make_random_matrix_adaption_parameterized_concatenation_buffers(
    *,
    dims: Sequence[int],
    generator: torch.Generator,
    dtype: torch.dtype = torch.float32,
    device=None,
    n: int | None = None,
    r: int = 2,
) -> dict[str, Tensor]:
    """{"A": randn(n, r), "B": randn(sum(dims), r)}: the fixed matrices of the fusion's psi."""
    dims = [int(d) for d in dims]
    n = _out_n(n, dims, "random_matrix_adaption_parameterized_concatenation_fusion")
    return _rec.make_random_matrix_adaption_buffers(
        n=n, D=sum(dims), generator=generator, dtype=dtype, device=device, r=r
    )


def random_matrix_adaption_parameterized_concatenation(
    xs: Sequence[Tensor],
    *,
    w: Tensor | None,
    buffers: dict[str, Tensor],
    dims: Sequence[int] | None = None,
    n: int | None = None,
    r: int = 2,
    semantics: str = "native",
) -> Tensor:
    """cat(xs) @ random_matrix_adaption(w; n, sum(dims), r).T. l = n + r."""
    name = "random_matrix_adaption_parameterized_concatenation_fusion"
    _check_semantics(semantics)
    x, dims = _cat(xs, dims, name)
    n = _out_n(n, dims, name)
    W = _rec.random_matrix_adaption(
        w, n=n, D=x.shape[-1], buffers=buffers, r=r, semantics=semantics
    )
    return torch.matmul(x, W.T)


# --------------------------------------------------------------------------- tables

FUSIONS: dict[str, Callable[..., Tensor]] = {
    "summation_fusion": summation,
    "average_fusion": average,
    "mean_fusion": mean,
    "weighted_summation_fusion": weighted_summation,
    "parameterized_weighted_summation_fusion": parameterized_weighted_summation,
    "max_fusion": max_,
    "min_fusion": min_,
    "sum_fusion": sum_,
    "prod_fusion": prod,
    "median_fusion": median,
    "l1_norm_fusion": l1_norm,
    "l2_norm_fusion": l2_norm,
    "concatenation_fusion": concatenation,
    "parameterized_concatenation_fusion": parameterized_concatenation,
    "lowrank_parameterized_concatenation_fusion": lowrank_parameterized_concatenation,
    "hm_parameterized_concatenation_fusion": hm_parameterized_concatenation,
    "lphm_parameterized_concatenation_fusion": lphm_parameterized_concatenation,
    "dual_lphm_parameterized_concatenation_fusion": dual_lphm_parameterized_concatenation,
    "random_matrix_adaption_parameterized_concatenation_fusion": (
        random_matrix_adaption_parameterized_concatenation
    ),
}

RANDOM_BUFFERS: dict[str, Callable[..., dict[str, Tensor]]] = {
    "random_matrix_adaption_parameterized_concatenation_fusion": (
        make_random_matrix_adaption_parameterized_concatenation_buffers
    ),
}

#: Fusions whose native and tinybig outputs are identical (for inputs both accept).
SAME_IN_BOTH_SEMANTICS = frozenset(FUSIONS) - {
    "hm_parameterized_concatenation_fusion",
    "lphm_parameterized_concatenation_fusion",
    "dual_lphm_parameterized_concatenation_fusion",
}
