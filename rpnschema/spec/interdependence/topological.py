"""Topological interdependence functions: A comes from a graph or a chain, not from the data.

Structures are written inline in the spec: a graph as ``nodes`` (ids, in the row order of A)
and ``links`` (``[source, target]`` pairs of ids), a chain by its ``chain_length``. Inline
structures count towards the document limits (``--max-nodes`` values), so a spec cannot smuggle
in a structure larger than the limits allow, and A is built sparse (one entry per link). A graph
that comes from data is named instead (``structure: <name>``, with ``nodes`` its node count) and
supplied at build time: ``build(spec, structures={name: {"nodes": [...], "links": [...]}})``.
The node count must equal the size of the side it acts on: m in the attribute slot, b (the
head's ``batch``) in the instance slot. d' = d and l = 0.
"""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from rpnschema.spec.base import empty_list
from rpnschema.spec.graphs import NodeId, check_graph
from rpnschema.spec.interdependence.base import Interdependence, NormalizationMode, PositiveInt


class _Structure(Interdependence):
    normalization: bool = Field(default=False, description="Normalize A (normalization_mode).")
    normalization_mode: NormalizationMode = "row"
    self_dependence: bool = Field(default=False, description="Add self_scaling * I to A.")


class _Graph(_Structure):
    nodes: Annotated[list[NodeId], Field(min_length=1)] | PositiveInt = Field(
        description="Node ids, in row order; or, with structure, the node count."
    )
    structure: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]*$")] | None = Field(
        default=None,
        description="Name of a graph supplied at build time (build(spec, structures=...)).",
    )
    links: list[Annotated[tuple[NodeId, NodeId], Field(strict=False)]] = Field(
        default_factory=empty_list, description="Directed links [source, target] between node ids."
    )
    directed: bool = Field(default=True, description="false: every link goes both ways.")

    @model_validator(mode="after")
    def _known_nodes(self):
        check_graph(self.nodes, self.links, self.structure)
        return self


class GraphInterdependence(_Graph):
    """A = adjacency of the graph (+ I with self_dependence), normalized on request."""

    name: Literal["graph_interdependence"]


class MultihopGraphInterdependence(_Graph):
    """A = adj^h, or adj + ... + adj^h with accumulative."""

    name: Literal["multihop_graph_interdependence"]
    h: PositiveInt = 1
    accumulative: bool = False


class PagerankMultihopGraphInterdependence(_Graph):
    """A = c (I - (1 - c) adj)^-1 (dense). tinybig ignores self_dependence; native honours it."""

    name: Literal["pagerank_multihop_graph_interdependence"]
    c: Annotated[float, Field(gt=0, le=1, description="Restart probability.")] = 0.15


class _Chain(_Structure):
    chain_length: PositiveInt = Field(description="Number of positions in the chain.")
    bi_directional: bool = Field(default=False, description="Links go both ways.")
    self_dependence: bool = Field(default=True, description="Add self_scaling * I to A.")
    self_scaling: float = 1.0


class ChainInterdependence(_Chain):
    """A = chain adjacency (i -> i+1) + self_scaling I, normalized on request."""

    name: Literal["chain_interdependence"]


class MultihopChainInterdependence(_Chain):
    """A = adj^h, or adj + ... + adj^h with accumulative (then column-normalized when
    bi_directional). tinybig ignores self_scaling here; native honours it."""

    name: Literal["multihop_chain_interdependence"]
    h: PositiveInt = 1
    accumulative: bool = False


class InverseApproxMultihopChainInterdependence(_Chain):
    """Native: A = (I - adj)^-1 = sum_h adj^h. tinybig: the same for directed chains; for
    bi-directional ones adj + ... + adj^(n-1), column-normalized."""

    name: Literal["inverse_approx_multihop_chain_interdependence"]


class ExponentialApproxMultihopChainInterdependence(_Chain):
    """A = exp(adj) (matrix exponential). tinybig ignores self_dependence/self_scaling;
    native honours them (exp(adj + s I) = e^s exp(adj))."""

    name: Literal["exponential_approx_multihop_chain_interdependence"]


TOPOLOGICAL_TYPES = (
    GraphInterdependence,
    MultihopGraphInterdependence,
    PagerankMultihopGraphInterdependence,
    ChainInterdependence,
    MultihopChainInterdependence,
    InverseApproxMultihopChainInterdependence,
    ExponentialApproxMultihopChainInterdependence,
)
