"""Geometric interdependence matrices: the patch layout of the geometric patch expansions
(:mod:`rpnschema.compile.kernels.expansion_geometric`) as a sparse h*w*d x (P*S) (padding) or
h*w*d x P (aggregation) 0/1 matrix; tinybig's column order (patch-major: column p*S + s is
cell s of patch p).
"""

from __future__ import annotations

import torch
from torch import Tensor

from rpnschema.compile.kernels import expansion_geometric as geo
from rpnschema.compile.kernels.interdependence_topological import normalize


def geometric_matrix(
    shape: str,
    h: int,
    w: int,
    d: int,
    mode: str,
    normalization: bool,
    normalization_mode: str,
    semantics: str,
    **patch: int | str | None,
) -> Tensor:
    """A (sparse COO, float64) of one channel's grid."""
    cells, cd = geo.cells_and_distances(shape, semantics, **patch)
    index = geo.patch_index(h, w, d, tuple(cells), tuple(cd))
    S = len(cells)
    P = len(index) // S if S else 0
    pad = h * w * d
    rows, cols = [], []
    for k in range(S):
        for g in range(P):
            i = index[k * P + g]
            if i != pad:
                rows.append(i)
                cols.append(g * S + k if mode == "padding" else g)
    width = P * S if mode == "padding" else P
    A = torch.sparse_coo_tensor(
        torch.tensor([rows, cols], dtype=torch.long).reshape(2, -1),
        torch.ones(len(rows), dtype=torch.float64),
        (pad, width),
        check_invariants=True,
    ).coalesce()
    return normalize(A, normalization_mode) if normalization else A


def apply_channels(x: Tensor, At: Tensor, channels: int, patch_size: int | None) -> Tensor:
    """x (b, C*h*w*d) -> tinybig's layout: [patch][channel][cell] (padding, patch_size = S) or
    [centre][channel] (aggregation, patch_size None); At is A^T (sparse or dense)."""
    b = x.size(0)
    flat = x.reshape(b * channels, -1)
    y = torch.sparse.mm(At, flat.t()).t() if At.is_sparse else flat @ At.t()
    if patch_size is None:
        return y.reshape(b, channels, -1).permute(0, 2, 1).reshape(b, -1)
    return y.reshape(b, channels, -1, patch_size).permute(0, 2, 1, 3).reshape(b, -1)
