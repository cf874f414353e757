"""The softmax normalization of an interdependence matrix (spec:
:class:`rpnschema.spec.interdependence.softmax.MatrixSoftmax`)."""

from __future__ import annotations

import torch
from torch import Tensor

#: What a masked entry becomes before the softmax (tinybig's operator_based_normalize_matrix).
MASKED = -1e9

_DIMS = {"row": (1,), "column": (0,), "row_column": (1, 0)}


def softmax_matrix(A: Tensor, mode: str, rescale_factor: float, mask_zeros: bool) -> Tensor:
    """softmax(rescale_factor * A) along ``mode``; entries equal to 0 stay 0 with mask_zeros."""
    if A.is_sparse:
        A = A.to_dense()
    A = A * rescale_factor
    keep = A != 0 if mask_zeros else None
    out = A if keep is None else torch.where(keep, A, torch.full_like(A, MASKED))
    for dim in _DIMS[mode]:
        out = torch.softmax(out, dim=dim)
    return out if keep is None else out * keep.to(out.dtype)
