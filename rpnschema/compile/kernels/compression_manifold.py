"""Manifold compression kernels: a scikit-learn embedding of each batch's rows (both semantics).

Each call runs ``fit_transform`` on the batch (tinybig's koala manifold classes): the output
depends on the whole batch and is not differentiable. MDS and t-SNE draw from numpy's global
RNG (seed numpy for reproducible outputs); LLE, MDS and spectral embedding return float64.
"""

from __future__ import annotations

import torch
from torch import Tensor

from rpnschema.compile.kernels._sklearn import sklearn
from rpnschema.compile.kernels.expansion_common import check_input


class Embedding:
    """``function`` (isomap, lle, mds, spectral_embedding, tsne) with n_components = D."""

    def __init__(
        self,
        *,
        semantics: str,
        D: int,
        function: str,
        n_neighbors: int = 5,
        perplexity: float = 5.0,
    ):
        manifold = sklearn("manifold")
        self.model = {
            "isomap": lambda: manifold.Isomap(n_neighbors=n_neighbors, n_components=D),
            "lle": lambda: manifold.LocallyLinearEmbedding(n_neighbors=n_neighbors, n_components=D),
            "mds": lambda: manifold.MDS(n_components=D),
            "spectral_embedding": lambda: manifold.SpectralEmbedding(n_components=D),
            "tsne": lambda: manifold.TSNE(n_components=D, perplexity=perplexity),
        }[function]()

    def __call__(self, x: Tensor) -> Tensor:
        check_input(x)
        return torch.from_numpy(self.model.fit_transform(x.detach().cpu().numpy())).to(x.device)
