"""Kernel interdependence matrices: ``fn(x, **params) -> A`` with x (rows, cols) and A
(cols, cols), a kernel between the columns of x (the head input x in the attribute slot, x^T in
the instance slot). tinybig's koala kernels, vectorized; ``semantics`` only matters for
rv_coefficient (tinybig: zero diagonal; native: the correlation of a column with itself, 1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor

_EPS = 1e-10


def _cov(x: Tensor) -> tuple[Tensor, Tensor]:
    """(centred x, unbiased covariance of the columns)."""
    xc = x - x.mean(dim=0, keepdim=True)
    return xc, xc.t() @ xc / (x.size(0) - 1)


def kl_divergence(x: Tensor, semantics: str = "native") -> Tensor:
    """A_ij = sum_k p_ki log(p_ki / p_kj), p = softmax of each column."""
    p = torch.softmax(x, dim=0)
    logp = torch.log(p)
    return (p.unsqueeze(2) * (logp.unsqueeze(2) - logp.unsqueeze(1))).sum(dim=0)


def pearson_correlation(x: Tensor, semantics: str = "native") -> Tensor:
    xc, cov = _cov(x)
    std = torch.std(xc, dim=0, correction=1)
    return cov / torch.outer(std, std)


def _off_diagonal(A: Tensor) -> Tensor:
    return A * (1 - torch.eye(A.size(0), dtype=A.dtype, device=A.device))


def rv_coefficient(x: Tensor, semantics: str = "native") -> Tensor:
    """clamp(corr_ij, 0, 1); tinybig fills only i != j (zero diagonal)."""
    _, cov = _cov(x)
    var = torch.diagonal(cov)
    A = torch.clamp(cov / torch.sqrt(torch.outer(var, var)), 0.0, 1.0)
    if semantics == "tinybig":
        return _off_diagonal(A)
    return A


def mutual_information(x: Tensor, semantics: str = "native") -> Tensor:
    """0.5 log(var_i var_j / det cov(x_i, x_j)) for i != j, zero diagonal (variances and the
    determinant clamped at 1e-10); the diagonal (a column with itself) is infinite, so it stays
    0 in both semantics."""
    _, cov = _cov(x)
    var = torch.diagonal(cov).clamp(min=_EPS)
    det = (torch.outer(var, var) - cov * cov).clamp(min=_EPS)
    return _off_diagonal(0.5 * torch.log(torch.outer(var, var) / det))


def linear(x: Tensor, semantics: str = "native") -> Tensor:
    return x.t() @ x


def polynomial(x: Tensor, c: float = 0.0, d: int = 1, semantics: str = "native") -> Tensor:
    return (x.t() @ x + c) ** d


def hyperbolic_tangent(
    x: Tensor, c: float = 0.0, alpha: float = 1.0, semantics: str = "native"
) -> Tensor:
    return torch.tanh(alpha * (x.t() @ x) + c)


def _distance(x: Tensor, p: float) -> Tensor:
    """||x_i - x_j||_p between columns, (cols, cols)."""
    return torch.norm(x.unsqueeze(2) - x.unsqueeze(1), p=p, dim=0)


def exponential(x: Tensor, gamma: float = 1.0, semantics: str = "native") -> Tensor:
    return torch.exp(-gamma * _distance(x, 2) ** 2)


def cosine_similarity(x: Tensor, semantics: str = "native") -> Tensor:
    norm = torch.norm(x, p=2, dim=0, keepdim=True)
    norm = torch.where(norm == 0, torch.ones_like(norm), norm)
    xn = x / norm
    return xn.t() @ xn


def minkowski_distance(x: Tensor, p: float = 2.0, semantics: str = "native") -> Tensor:
    return torch.exp(-_distance(x, p))


def manhattan_distance(x: Tensor, semantics: str = "native") -> Tensor:
    return torch.exp(-_distance(x, 1))


def euclidean_distance(x: Tensor, semantics: str = "native") -> Tensor:
    return torch.exp(-_distance(x, 2))


def chebyshev_distance(x: Tensor, semantics: str = "native") -> Tensor:
    return torch.exp(-_distance(x, float("inf")))


def canberra_distance(x: Tensor, semantics: str = "native") -> Tensor:
    a, b = x.unsqueeze(2), x.unsqueeze(1)
    dist = (torch.abs(a - b) / (torch.abs(a) + torch.abs(b) + _EPS)).sum(dim=0)
    return torch.exp(-dist)


def gaussian_rbf(x: Tensor, sigma: float = 1.0, semantics: str = "native") -> Tensor:
    return torch.exp(-(_distance(x, 2) ** 2) / (2 * sigma**2))


def laplacian(x: Tensor, sigma: float = 1.0, semantics: str = "native") -> Tensor:
    return torch.exp(-_distance(x, 1) / sigma)


def anisotropic_rbf(
    x: Tensor,
    a_vector: Sequence[float] | Tensor | None = None,
    a_scalar: float = 1.0,
    semantics: str = "native",
) -> Tensor:
    """exp(-sum_k a_k (x_ki - x_kj)^2); ``a_vector`` has one weight per row of x."""
    rows = x.size(0)
    if a_vector is None:
        a = torch.full((rows,), float(a_scalar), dtype=x.dtype, device=x.device)
    else:
        a = torch.as_tensor(a_vector, dtype=x.dtype, device=x.device)
        if a.shape != (rows,):
            raise ValueError(f"a_vector has {a.numel()} weights for data with {rows} rows")
    diff = x.unsqueeze(2) - x.unsqueeze(1)  # (rows, cols, cols)
    return torch.exp(-torch.einsum("kij,k->ij", diff * diff, a))


#: Named kernels (``kernel`` / ``kernels`` fields), with their default parameters.
NAMED: dict[str, Callable[..., Tensor]] = {
    "kl_divergence_kernel": kl_divergence,
    "pearson_correlation_kernel": pearson_correlation,
    "rv_coefficient_kernel": rv_coefficient,
    "mutual_information_kernel": mutual_information,
    "linear_kernel": linear,
    "polynomial_kernel": polynomial,
    "hyperbolic_tangent_kernel": hyperbolic_tangent,
    "exponential_kernel": exponential,
    "cosine_similarity_kernel": cosine_similarity,
    "manhattan_distance_kernel": manhattan_distance,
    "euclidean_distance_kernel": euclidean_distance,
    "chebyshev_distance_kernel": chebyshev_distance,
    "canberra_distance_kernel": canberra_distance,
    "gaussian_rbf_kernel": gaussian_rbf,
    "laplacian_kernel": laplacian,
    "anisotropic_rbf_kernel": anisotropic_rbf,
}


def named(x: Tensor, kernel: str, semantics: str = "native") -> Tensor:
    return NAMED[kernel](x, semantics=semantics)


def custom_hybrid(
    x: Tensor,
    kernels: Sequence[str],
    weights: Sequence[float] | None = None,
    semantics: str = "native",
) -> Tensor:
    """sum_k weights_k kernel_k(x); equal weights by default."""
    ws = list(weights) if weights is not None else [1 / len(kernels)] * len(kernels)
    return sum(w * NAMED[k](x, semantics=semantics) for w, k in zip(ws, kernels, strict=True))


#: spec name -> kernel; the spec's own fields (minus name, require_data) are its keywords.
KERNELS: dict[str, Callable[..., Tensor]] = {
    "kl_divergence_interdependence": kl_divergence,
    "pearson_correlation_interdependence": pearson_correlation,
    "rv_coefficient_interdependence": rv_coefficient,
    "mutual_information_interdependence": mutual_information,
    "statistical_kernel_based_interdependence": named,
    "linear_kernel_interdependence": linear,
    "polynomial_kernel_interdependence": polynomial,
    "hyperbolic_tangent_kernel_interdependence": hyperbolic_tangent,
    "exponential_kernel_interdependence": exponential,
    "cosine_similarity_interdependence": cosine_similarity,
    "minkowski_distance_interdependence": minkowski_distance,
    "manhattan_distance_interdependence": manhattan_distance,
    "euclidean_distance_interdependence": euclidean_distance,
    "chebyshev_distance_interdependence": chebyshev_distance,
    "canberra_distance_interdependence": canberra_distance,
    "gaussian_rbf_kernel_interdependence": gaussian_rbf,
    "laplacian_kernel_interdependence": laplacian,
    "anisotropic_rbf_kernel_interdependence": anisotropic_rbf,
    "custom_hybrid_kernel_interdependence": custom_hybrid,
    "numerical_kernel_based_interdependence": named,
}
