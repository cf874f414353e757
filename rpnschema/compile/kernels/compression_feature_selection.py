"""Feature-selection compression kernels (stateful: running statistics over the calls).

Both keep tinybig's koala state: a running mean of the per-call statistic while
``incremental`` (it stops after 100 calls, or when the mean moves by less than 0.01 in
Euclidean norm; later calls then replace the statistic by the call's own).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from rpnschema.compile.kernels._sklearn import sklearn
from rpnschema.compile.kernels.expansion_common import check_input

T_THRESHOLD, STOP_THRESHOLD = 100, 0.01


class _Running:
    """koala's incremental mean of a statistic over the calls."""

    def __init__(self) -> None:
        self.value: Tensor | None = None
        self.t = 0
        self.incremental = True

    def update(self, new: Tensor) -> Tensor:
        if not self.incremental:
            self.value = new
            return new
        old = torch.zeros_like(new) if self.value is None else self.value
        self.t += 1
        self.value = ((self.t - 1) * old + new) / self.t
        if self.t >= T_THRESHOLD or torch.linalg.vector_norm(old - self.value) < STOP_THRESHOLD:
            self.incremental = False
        return self.value


class VarianceThreshold:
    """The D columns of largest running variance (unbiased, per call), ascending-variance order.

    Gradients flow through the selected columns (the selection itself is a gather).
    """

    def __init__(self, *, semantics: str, D: int):
        self.D = D
        self.state = _Running()

    def __call__(self, x: Tensor) -> Tensor:
        check_input(x)
        v = self.state.update(torch.var(x.detach(), dim=0))
        index = torch.from_numpy(np.argsort(v.cpu().numpy(), kind="quicksort")[-self.D :].copy())
        return x[:, index.to(x.device)]


class FeatureClustering:
    """Spectral clustering of the columns (scikit-learn, random_state 42) into D clusters, on
    exp(-dist^2 / 2) of the running column-distance matrix; outputs per-cluster column means
    (float64, as tinybig; not differentiable)."""

    def __init__(self, *, semantics: str, D: int):
        self.D = D
        self.state = _Running()
        self.model = sklearn("cluster").SpectralClustering(
            n_clusters=D, affinity="precomputed", random_state=42
        )
        self.labels: np.ndarray | None = None

    def __call__(self, x: Tensor) -> Tensor:
        check_input(x)
        data = x.detach().cpu()
        dist = self.state.update(torch.cdist(data.T, data.T))
        self.model.fit(np.exp(-(dist.numpy() ** 2) / 2.0))
        self.labels = self.model.labels_
        values = data.numpy()
        out = np.zeros((values.shape[0], self.D))
        for i in range(self.D):
            members = values[:, self.labels == i]
            if members.shape[1] > 0:
                out[:, i] = members.mean(axis=1)
        return torch.from_numpy(out).to(x.device)
