"""Topological interdependence matrices from graphs and chains, built once (they do not depend
on the data). Matrices that stay sparse (adjacencies, their powers) are sparse COO tensors, so a
graph of N nodes and E links costs O(N + E), not N^2; the inverse and exponential ones are dense
by nature.

``semantics="tinybig"`` reproduces tinybig 0.2.1, including what it ignores
(self_scaling of multihop chains, self_dependence of pagerank and of the approximate chains) and
its bi-directional inverse approximation (adj + ... + adj^(n-1), column-normalized).
``"native"`` honours those options and computes the inverse approximation (I - adj)^-1 that the
documentation defines.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import torch
from torch import Tensor


def _sparse(
    n: int,
    pairs: Iterable[tuple[int, int]],
    values: Sequence[float] | None = None,
    dtype: torch.dtype = torch.float64,
) -> Tensor:
    pairs = list(pairs)
    if not pairs:
        return torch.sparse_coo_tensor(
            torch.zeros((2, 0), dtype=torch.long),
            torch.zeros(0, dtype=dtype),
            (n, n),
            check_invariants=True,
        ).coalesce()
    idx = torch.tensor(pairs, dtype=torch.long).t()
    vals = (
        torch.tensor(values, dtype=dtype)
        if values is not None
        else torch.ones(len(pairs), dtype=dtype)
    )
    return torch.sparse_coo_tensor(idx, vals, (n, n), check_invariants=True).coalesce()


def adjacency(
    n: int,
    links: Iterable[tuple[int, int]],
    directed: bool,
    self_dependence: bool = False,
    self_scaling: float = 1.0,
    normalization: bool = False,
    normalization_mode: str = "row",
) -> Tensor:
    """Sparse adjacency (each link once), + self_scaling * I, then normalized on request."""
    edges = set()
    for a, b in links:
        edges.add((a, b))
        if not directed:
            edges.add((b, a))
    A = _sparse(n, sorted(edges))
    if self_dependence:
        A = (A + self_scaling * _sparse(n, [(i, i) for i in range(n)])).coalesce()
    return normalize(A, normalization_mode) if normalization else A


def normalize(A: Tensor, mode: str) -> Tensor:
    """Divide by row sums, column sums, or the square roots of both (zero sums count as 1)."""
    dense = not A.is_sparse
    S = A.to_sparse().coalesce() if dense else A.coalesce()
    idx, vals = S.indices(), S.values()

    def sums(dim: int, v: Tensor) -> Tensor:
        """Row sums (dim 1) or column sums (dim 0)."""
        out = torch.zeros(S.size(1 - dim), dtype=v.dtype).index_add_(0, idx[1 - dim], v)
        return torch.where(out == 0, torch.ones_like(out), out)

    if mode == "row":
        vals = vals / sums(1, vals)[idx[0]]
    elif mode == "column":
        vals = vals / sums(0, vals)[idx[1]]
    elif mode == "row_column":
        vals = vals / torch.sqrt(sums(1, vals))[idx[0]]
        vals = vals / torch.sqrt(sums(0, vals))[idx[1]]
    else:
        raise ValueError(f"normalization_mode must be row, column or row_column, got {mode!r}")
    out = torch.sparse_coo_tensor(idx, vals, S.shape, check_invariants=True).coalesce()
    return out.to_dense() if dense else out


def power(A: Tensor, h: int, accumulative: bool) -> Tensor:
    """A^h, or A + A^2 + ... + A^h (sparse stays sparse)."""
    P, total = A, A
    for _ in range(h - 1):
        with warnings.catch_warnings():  # sparse @ sparse goes through (beta) CSR internally
            warnings.filterwarnings("ignore", message="Sparse CSR tensor support")
            P = torch.sparse.mm(A, P) if A.is_sparse else A @ P
        total = (total + P).coalesce() if A.is_sparse else total + P
    return total if accumulative else P


def _eye(n: int) -> Tensor:
    return torch.eye(n, dtype=torch.float64)


def graph_matrix(name: str, spec: Any, index: dict[Any, int], semantics: str) -> Tensor:
    """A of a graph interdependence spec (nodes mapped to rows by ``index``)."""
    n = len(index)
    links = [(index[a], index[b]) for a, b in spec.links]
    self_dep = spec.self_dependence
    if name == "pagerank_multihop_graph_interdependence" and semantics == "tinybig":
        self_dep = False  # tinybig ignores it
    adj = adjacency(
        n, links, spec.directed, self_dep, 1.0, spec.normalization, spec.normalization_mode
    )
    if name == "graph_interdependence":
        return adj
    if name == "multihop_graph_interdependence":
        return power(adj, spec.h, spec.accumulative)
    return spec.c * torch.inverse(_eye(n) - (1.0 - spec.c) * adj.to_dense())


def chain_matrix(name: str, spec: Any, semantics: str) -> Tensor:
    """A of a chain interdependence spec."""
    n = spec.chain_length
    links = [(i, i + 1) for i in range(n - 1)]
    tinybig = semantics == "tinybig"
    self_dep, scaling = spec.self_dependence, spec.self_scaling
    if name == "multihop_chain_interdependence" and tinybig:
        scaling = 1.0  # tinybig ignores self_scaling here
    if name == "inverse_approx_multihop_chain_interdependence" or (
        name == "exponential_approx_multihop_chain_interdependence" and tinybig
    ):
        self_dep = False  # tinybig ignores it; native: the series' h = 0 term is I already
    adj = adjacency(
        n,
        links,
        not spec.bi_directional,
        self_dep,
        scaling,
        spec.normalization,
        spec.normalization_mode,
    )
    if name == "chain_interdependence":
        return adj
    if name == "multihop_chain_interdependence":
        A = power(adj, spec.h, spec.accumulative)
        if spec.accumulative and spec.bi_directional:
            A = normalize(A, "column")
        return A
    if name == "inverse_approx_multihop_chain_interdependence":
        if tinybig and spec.bi_directional:
            return normalize(power(adj, max(n - 1, 1), True), "column")
        return torch.inverse(_eye(n) - adj.to_dense())
    return torch.matrix_exp(adj.to_dense())


GRAPHS = frozenset(
    {
        "graph_interdependence",
        "multihop_graph_interdependence",
        "pagerank_multihop_graph_interdependence",
    }
)
CHAINS = frozenset(
    {
        "chain_interdependence",
        "multihop_chain_interdependence",
        "inverse_approx_multihop_chain_interdependence",
        "exponential_approx_multihop_chain_interdependence",
    }
)
