"""FLOPs and memory of a head's interdependence slots, from a normalized head (no torch).

Dense products (``x A``, ``A^T kappa``, a bilinear ``X^T W X``, a data kernel's Gram matrix)
count as matmul FLOPs, as the built module computes them; products on a sparse structure
(graphs, chains) and on its links (graph attention) count as elementwise estimates. A fixed A
is built once and kept (twice: A and its transpose); a sparse one as values plus two int64
indices per stored entry. The number of entries of an inline graph or chain is counted from its
links; a graph supplied at build time counts one entry per node (its links are unknown until
the build, and a dense bound would reject large sparse graphs); multihop and pagerank matrices
count as dense.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rpnschema.spec.interdependence import basic as ba
from rpnschema.spec.interdependence import geometric as ge
from rpnschema.spec.interdependence import hybrid as hy
from rpnschema.spec.interdependence import parameterized as pa
from rpnschema.spec.interdependence import topological as to

#: Elementwise operations per entry of a masked softmax (mask, exp, sum, divide, mask again).
SOFTMAX_COST = 5
#: Elements a sparse entry takes: its value and two int64 indices (two elements each).
SPARSE_ENTRY = 5
_SPARSE = (to.GraphInterdependence, to.ChainInterdependence, to.MultihopChainInterdependence)


@dataclass(frozen=True)
class Cost:
    """matmul and elementwise FLOPs of one forward, forward elements alive, buffer elements."""

    matmul: int = 0
    elementwise: int = 0
    forward: int = 0
    buffers: int = 0

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            self.matmul + other.matmul,
            self.elementwise + other.elementwise,
            self.forward + other.forward,
            self.buffers + other.buffers,
        )


def stored_entries(fn: Any, d: int, d_prime: int) -> int | None:
    """Entries of a sparse fixed A (None: A is dense, d x d')."""
    if not isinstance(fn, _SPARSE):
        return None
    if getattr(fn, "structure", None) is not None:
        return d
    if isinstance(fn, to.MultihopChainInterdependence) and fn.h > 1:
        return None
    if isinstance(fn, to.GraphInterdependence):
        links = {tuple(link) for link in fn.links}
        if not fn.directed:
            links |= {(b, a) for a, b in links}
        loops = {(a, b) for a, b in links if a == b}
        return len(links) + (d - len(loops) if fn.self_dependence else 0)
    links = (d - 1) * (2 if fn.bi_directional else 1)
    return links + (d if fn.self_dependence else 0)


def _fixed(fn: Any) -> bool:
    return isinstance(fn, (ba.BASIC_TYPES, to.TOPOLOGICAL_TYPES, ge._Geometric))


def _fabrication(fn: Any, rows: int, cols: int) -> Cost:
    """Fabricating a parameterized function's rows x cols matrix: lorr is a product (matmul),
    the others elementwise."""
    if fn.name.startswith("lowrank_"):
        return Cost(matmul=2 * rows * fn.r * cols, forward=rows * cols)
    return Cost(elementwise=rows * cols, forward=rows * cols)


def _matrix(fn: Any, d: int, d_prime: int, e: int) -> Cost:
    """The cost of computing A (d x d') from data with e entries per row of the other side."""
    if _fixed(fn):
        nnz = stored_entries(fn, d, d_prime)
        return Cost(buffers=2 * (d * d_prime if nnz is None else SPARSE_ENTRY * nnz))
    if isinstance(fn, pa._Bilinear):
        product = Cost(matmul=2 * d * e * e + 2 * d * d * e, forward=d * e + d * d_prime)
        return _fabrication(fn, e, e) + product
    if isinstance(fn, hy.HybridInterdependence):
        total = Cost()
        for part in fn.functions:
            total += _matrix(part, d, d_prime, e)
        k = len(fn.functions)
        total += Cost(elementwise=k * d * d_prime, forward=(k + 1) * d * d_prime)
        if fn.softmax is not None:
            total += Cost(elementwise=SOFTMAX_COST * d * d_prime, forward=2 * d * d_prime)
        return total
    if isinstance(fn, pa._Parameterized):
        return _fabrication(fn, d, d_prime)
    if isinstance(fn, hy.ParameterizedRPNInterdependence):
        return Cost(elementwise=d * d_prime, forward=d * d_prime)
    return Cost(matmul=2 * d * d_prime * e, forward=d * d_prime)  # a data kernel


def _attention(fn: hy.HybridInterdependence, b: int, m: int, D: int) -> Cost | None:
    """Graph attention evaluated on the links (the built module's path), else None."""
    if fn.softmax is None or fn.fusion.name != "prod_fusion" or len(fn.functions) != 2:
        return None
    structure = next((f for f in fn.functions if isinstance(f, _SPARSE)), None)
    bilinear = next((f for f in fn.functions if isinstance(f, pa._Bilinear)), None)
    if structure is None or bilinear is None:
        return None
    nnz = stored_entries(structure, b, b)
    links = b * b if nnz is None else nnz
    scores = Cost(
        matmul=2 * b * m * m,
        elementwise=links * (2 * m + 1 + SOFTMAX_COST + 2 * D),
        forward=b * m + 4 * links + b * D,
        buffers=2 * SPARSE_ENTRY * links,
    )
    return _fabrication(bilinear, m, m) + scores


def head_cost(head: Any, batch: int) -> Cost:
    """The interdependence slots' cost of one normalized head on ``batch`` rows (an instance
    interdependence fixes the batch: the head's own ``batch`` wins)."""
    total = Cost()
    b, m, D, c = head.batch or batch, head.m, head.D, head.channels
    attr = head.attribute_interdependence
    if attr is not None and head.m_prime is not None:
        m_prime = head.m_prime
        part = _matrix(attr, m, m_prime, b)
        nnz = stored_entries(attr, m, m_prime)
        apply = b * m * m_prime if nnz is None else b * nnz
        total += part + (Cost(matmul=2 * apply) if nnz is None else Cost(elementwise=2 * apply))
        total += Cost(forward=b * m_prime)
    inst = head.instance_interdependence
    if inst is not None and head.b_prime is not None:
        b_prime = head.b_prime
        runs = c if (head.l_instance_interdependence or 0) > 0 else 1
        edges = _attention(inst, b, m, D) if isinstance(inst, hy.HybridInterdependence) else None
        if edges is not None:
            total += Cost(edges.matmul * runs, edges.elementwise * runs, edges.forward)
            return total + Cost(buffers=edges.buffers)
        part = _matrix(inst, b, b_prime, m)
        nnz = stored_entries(inst, b, b_prime)
        apply = Cost(matmul=2 * b * b_prime * D) if nnz is None else Cost(elementwise=2 * nnz * D)
        total += Cost(
            (part.matmul + apply.matmul) * runs,
            (part.elementwise + apply.elementwise) * runs,
            part.forward + b_prime * D,
            part.buffers,
        )
    return total
