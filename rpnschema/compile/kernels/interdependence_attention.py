"""Masked softmax of a fused interdependence matrix (graph attention), dense and on edges.

The dense form normalizes a (d, d') matrix; the edge form computes the same values only at the
links of a sparse structure (O(links) memory instead of O(d d')) and applies the result with
``index_add`` (differentiable in the scores, no sparse autograd).
"""

from __future__ import annotations

import torch
from torch import Tensor


def masked_softmax(A: Tensor, mask: Tensor, mode: str, rescale: float) -> Tensor:
    """softmax over each column (``mode`` column) or row of ``rescale * A`` restricted to
    ``mask``; 0 outside it (a column without any masked-in entry is all 0)."""
    dim = 0 if mode == "column" else 1
    scores = (A * rescale).masked_fill(~mask, torch.finfo(A.dtype).min)
    return torch.softmax(scores, dim=dim) * mask.to(A.dtype)


def edge_softmax(scores: Tensor, keep: Tensor, group: Tensor, size: int) -> Tensor:
    """softmax of ``scores`` (one per edge) within each ``group`` (the edge's column or row
    index, ``size`` groups); edges with ``keep`` false get 0 and do not count."""
    low = torch.finfo(scores.dtype).min
    masked = scores.masked_fill(~keep, low)
    top = torch.full((size,), low, dtype=scores.dtype, device=scores.device)
    top = top.scatter_reduce(0, group, masked, reduce="amax", include_self=True)
    e = torch.exp(masked - top[group]) * keep.to(scores.dtype)
    total = torch.zeros(size, dtype=scores.dtype, device=scores.device).index_add(0, group, e)
    return e / total.clamp_min(torch.finfo(scores.dtype).tiny)[group]


def bilinear_edge_scores(x: Tensor, W: Tensor, rows: Tensor, cols: Tensor) -> Tensor:
    """(x W x^T)[rows, cols] for x (b, m), W (m, m), without forming the b x b matrix."""
    return ((x @ W)[rows] * x[cols]).sum(dim=1)


def edge_apply(values: Tensor, rows: Tensor, cols: Tensor, target: Tensor, size: int) -> Tensor:
    """A^T target for the sparse A with ``values`` at (rows, cols): out[j] = sum_i A[i, j] t[i]
    (``size`` rows of output)."""
    out = target.new_zeros((size, target.shape[1]))
    return out.index_add(0, cols, values.unsqueeze(1) * target[rows])
