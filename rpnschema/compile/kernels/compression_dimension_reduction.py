"""Dimension-reduction compression kernels (stateful).

tinybig semantics use scikit-learn as tinybig does: IncrementalPCA.partial_fit on every call
(state accumulates), a new SparseRandomProjection (numpy's global RNG) on every call. Native
semantics are torch: PCA of each batch by SVD (differentiable; sklearn's sign convention), and
one sparse random projection drawn at build time from the component's seed (a fixed linear map).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from rpnschema.compile.kernels._sklearn import sklearn
from rpnschema.compile.kernels.expansion_common import check_input


class SklearnIncrementalPCA:
    def __init__(self, *, semantics: str, D: int):
        self.model = sklearn("decomposition").IncrementalPCA(n_components=D)

    def __call__(self, x: Tensor) -> Tensor:
        check_input(x)
        data = x.detach().cpu().numpy()
        self.model.partial_fit(data)
        return torch.from_numpy(self.model.transform(data)).to(x.device)


class SklearnRandomProjection:
    def __init__(self, *, semantics: str, D: int):
        self.model = sklearn("random_projection").SparseRandomProjection(n_components=D)

    def __call__(self, x: Tensor) -> Tensor:
        check_input(x)
        data = x.detach().cpu().numpy()
        self.model.fit(data)
        return torch.from_numpy(self.model.transform(data)).to(x.device)


def batch_pca(x: Tensor, D: int) -> Tensor:
    """Scores of x on its first D principal axes (centred per batch); axis signs as sklearn's
    svd_flip (the largest-magnitude loading of each axis is positive)."""
    centred = x - x.mean(dim=0, keepdim=True)
    _, _, vh = torch.linalg.svd(centred, full_matrices=False)
    axes = vh[:D]
    signs = torch.sign(axes.gather(1, axes.abs().argmax(dim=1, keepdim=True)))
    return centred @ (axes * signs).T


class TorchPCA:
    def __init__(self, *, semantics: str, D: int):
        self.D = D

    def __call__(self, x: Tensor) -> Tensor:
        check_input(x)
        return batch_pca(x, self.D)


def sparse_projection(m: int, D: int, generator: torch.Generator) -> Tensor:
    """A (D, m) sparse random matrix as sklearn's default: density 1/sqrt(m), entries
    +-sqrt(1/density)/sqrt(D) with equal probability."""
    density = 1 / math.sqrt(m)
    keep = torch.rand(D, m, generator=generator) < density
    sign = torch.where(torch.rand(D, m, generator=generator) < 0.5, -1.0, 1.0)
    return keep * sign * math.sqrt(1 / density) / math.sqrt(D)


class TorchRandomProjection:
    def __init__(self, *, semantics: str, D: int, m: int, generator: torch.Generator):
        self.matrix = sparse_projection(m, D, generator)

    def __call__(self, x: Tensor) -> Tensor:
        check_input(x)
        return x @ self.matrix.to(device=x.device, dtype=x.dtype).T
