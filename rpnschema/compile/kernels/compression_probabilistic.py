"""Probabilistic compression kernels: k features drawn per row, weighted by a density.

As tinybig: x -> 0.99 * sigmoid(x) + 0.001 (``require_normalization``), weights = density /
row sum, k indices drawn with ``torch.multinomial`` (torch's global generator: seed it for
reproducible draws), sorted per row, then the raw inputs (``simply_sampling``) or the
normalized values (optionally their log-densities) gathered. The gather is differentiable; the
draw is not. In native semantics ``require_normalization`` is always honoured (tinybig's
uniform/chi2/exponential/gamma classes ignore ``False``; the compiler passes ``True`` there).
"""

from __future__ import annotations

import torch
from torch import Tensor

from rpnschema.compile.kernels.expansion_common import check_input, check_semantics

_DISTRIBUTIONS = {
    "uniform": "Uniform",
    "normal": "Normal",
    "cauchy": "Cauchy",
    "chi2": "Chi2",
    "exponential": "Exponential",
    "gamma": "Gamma",
    "laplace": "Laplace",
}


def distribution(
    name: str, params: dict[str, float], like: Tensor
) -> torch.distributions.Distribution:
    """The torch distribution ``name`` (closed list), its parameters on ``like``'s device."""
    cls = getattr(torch.distributions, _DISTRIBUTIONS[name])
    args = {k: torch.tensor([v], dtype=like.dtype, device=like.device) for k, v in params.items()}
    if name == "uniform":  # tinybig passes plain floats: a scalar-shaped distribution
        args = {k: torch.tensor(v, dtype=like.dtype, device=like.device) for k, v in params.items()}
    return cls(**args, validate_args=False)


def weights(
    x: Tensor, dist: torch.distributions.Distribution, require_normalization: bool
) -> Tensor:
    """The sampling weights of each row (and the normalized values they come from)."""
    if require_normalization:
        x = 0.99 * torch.sigmoid(x) + 0.001
    density = torch.exp(dist.log_prob(x))
    if isinstance(dist, torch.distributions.Uniform):  # validate_args=False gives no -inf
        inside = (x >= dist.low) & (x < dist.high)
        density = torch.where(inside, density, torch.zeros_like(density))
    return density / density.sum(dim=-1, keepdim=True)


def sample(
    x: Tensor,
    *,
    semantics: str = "native",
    k: int,
    distribution_name: str,
    distribution_params: dict[str, float],
    simply_sampling: bool = True,
    with_replacement: bool = False,
    require_normalization: bool = True,
    log_prob: bool = False,
) -> Tensor:
    """(b, m) -> (b, k): k features of each row drawn by weight, in column order."""
    check_semantics(semantics)
    check_input(x)
    dist = distribution(distribution_name, distribution_params, x)
    normalized = 0.99 * torch.sigmoid(x) + 0.001 if require_normalization else x
    w = weights(x, dist, require_normalization)
    with torch.no_grad():
        index = torch.multinomial(w.detach(), k, replacement=with_replacement)
        index, _ = torch.sort(index, dim=1)
    if simply_sampling:
        return torch.gather(x, 1, index)
    picked = torch.gather(normalized, 1, index)
    return dist.log_prob(picked) if log_prob else picked
