"""Metric compression kernels: one statistic of each row (koala's batch_* metrics, dim=1).

``reduce(x, metric)`` reduces a (rows, k) tensor to (rows,); the metric and geometric
compressions share it. Both semantics compute the same values (tinybig's formulas).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from rpnschema.compile.kernels.expansion_common import check_input, check_semantics


def _skewness(x: Tensor) -> Tensor:
    centred = x - x.mean(dim=1, keepdim=True)
    return (centred**3).mean(dim=1) / (x.std(dim=1, unbiased=False) ** 3 + 1e-12)


METRICS: dict[str, Callable[[Tensor], Tensor]] = {
    "batch_max": lambda x: x.max(dim=1).values,
    "batch_min": lambda x: x.min(dim=1).values,
    "batch_sum": lambda x: x.sum(dim=1),
    "batch_prod": lambda x: x.prod(dim=1),
    "batch_mean": lambda x: x.mean(dim=1),
    # torch.median: the lower of the two middle values for an even count, as tinybig
    "batch_median": lambda x: x.median(dim=1).values,
    "batch_l1_norm": lambda x: torch.linalg.vector_norm(x, ord=1, dim=1),
    "batch_l2_norm": lambda x: torch.linalg.vector_norm(x, ord=2, dim=1),
    "batch_std": lambda x: x.std(dim=1),
    "batch_variance": lambda x: x.var(dim=1),
    "batch_skewness": _skewness,
    "batch_geometric_mean": lambda x: torch.exp(torch.log(x).mean(dim=1)),
    "batch_harmonic_mean": lambda x: x.size(1) / torch.reciprocal(x).sum(dim=1),
}


def reduce(x: Tensor, metric: str) -> Tensor:
    """The metric of each row of a 2-d tensor: (rows, k) -> (rows,)."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; expected one of {sorted(METRICS)}")
    return METRICS[metric](x)


def metric(x: Tensor, *, semantics: str = "native", metric: str) -> Tensor:
    """metric_compression: (b, m) -> (b, 1)."""
    check_semantics(semantics)
    check_input(x)
    return reduce(x, metric).unsqueeze(1)
