"""The architecture of a normalized spec as a graph (Mermaid or Graphviz dot). No torch.

Nodes: the input, each head (or, for a head with channels, each channel and the channel
fusion), each layer's head fusion, and the output; layers are clusters. Edges carry the size
of the vector flowing along them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from rpnschema.sequence import input_width
from rpnschema.spec.base import Component
from rpnschema.spec.head import HeadSpec
from rpnschema.spec.model import ModelSpec


@dataclass
class Node:
    id: str
    label: str
    kind: str  # input, head, channel, fusion, output
    layer: int | None = None


@dataclass
class Edge:
    source: str
    target: str
    size: int


@dataclass
class Graph:
    name: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def layer_nodes(self, layer: int) -> list[Node]:
        return [n for n in self.nodes if n.layer == layer]


def _head_label(head: HeadSpec, j: int, channel: int | None = None) -> str:
    def short(component: Component | None, suffix: str) -> str:
        return component.name.removesuffix(suffix) if component is not None else ""

    where = f"head {j}" + (f" channel {channel}" if channel is not None else "")
    return (
        f"{where}: {_interdependences(head)}{short(head.expansion, '_expansion')} D={head.D}, "
        f"{short(head.reconciliation, '_reconciliation')} l={head.l}, "
        f"{short(head.remainder, '_remainder')}"
        + (f", {head.steps} positions" if head.steps is not None else "")
    )


def _interdependence(fn: Component) -> str:
    name = fn.name.removesuffix("_interdependence")
    parts = getattr(fn, "functions", None)
    if parts is None:
        return name
    inner = " * " if getattr(fn.fusion, "name", "") == "prod_fusion" else ", "  # type: ignore[attr-defined]
    text = f"{name}({inner.join(_interdependence(f) for f in parts)})"
    softmax = getattr(fn, "softmax", None)
    return f"{softmax.mode} softmax of {text}" if softmax is not None else text


def _interdependences(head: HeadSpec) -> str:
    """``attr: ..., inst: ..., `` for the head's interdependence slots (empty without)."""
    out = ""
    for slot, tag in (("attribute_interdependence", "attr"), ("instance_interdependence", "inst")):
        fn = getattr(head, slot, None)
        if fn is not None:
            out += f"{tag}: {_interdependence(fn)}, "
    return out


def build_graph(spec: ModelSpec) -> Graph:
    """The graph of a normalized spec (``rpnschema.load_spec``)."""
    layers = spec.layers or []
    g = Graph(spec.name)
    width = input_width(layers[0])
    g.nodes.append(Node("input", f"input ({width})", "input"))
    prev, size = "input", width
    for i, layer in enumerate(layers):
        outs: list[tuple[str, int]] = []
        if layer.pool_steps:  # the heads see the positions' mean
            pid = f"L{i}P"
            g.nodes.append(Node(pid, f"mean of {layer.steps} positions", "fusion", i))
            g.edges.append(Edge(prev, pid, size))
            prev, size = pid, layer.m
        for j, head in enumerate(layer.heads):
            hid = f"L{i}H{j}"
            if head.channels == 1:
                g.nodes.append(Node(hid, _head_label(head, j), "head", i))
                g.edges.append(Edge(prev, hid, size))
                outs.append((hid, head.output_dim))
                continue
            fid = f"{hid}F"
            fusion = head.channel_fusion.name if head.channel_fusion else "fusion"
            for k in range(head.channels):
                cid = f"{hid}C{k}"
                g.nodes.append(Node(cid, _head_label(head, j, k), "channel", i))
                g.edges.append(Edge(prev, cid, size))
                g.edges.append(Edge(cid, fid, head.n))
            g.nodes.append(Node(fid, f"head {j}: {fusion}", "fusion", i))
            outs.append((fid, head.output_dim))
        if layer.head_fusion is not None:
            fid = f"L{i}F"
            g.nodes.append(Node(fid, layer.head_fusion.name, "fusion", i))
            g.edges += [Edge(src, fid, n) for src, n in outs]
            outs = [(fid, layer.output_dim)]
        ((prev, size),) = outs
    g.nodes.append(Node("output", f"output ({size})", "output"))
    g.edges.append(Edge(prev, "output", size))
    return g


def _quote(text: str) -> str:
    return json.dumps(text)  # "..." with escapes, valid in both Mermaid and dot


def to_mermaid(g: Graph) -> str:
    """Mermaid flowchart text (renders as-is in Markdown on code hosting sites)."""
    lines = ["flowchart LR"]
    shapes = {"input": ("([", "])"), "output": ("([", "])"), "fusion": ("{{", "}}")}
    layers = sorted({n.layer for n in g.nodes if n.layer is not None})

    def node(n: Node) -> str:
        left, right = shapes.get(n.kind, ("[", "]"))
        return f"{n.id}{left}{_quote(n.label)}{right}"

    lines += [f"  {node(n)}" for n in g.nodes if n.layer is None]
    for i in layers:
        lines.append(f'  subgraph layer{i}["layer {i}"]')
        lines += [f"    {node(n)}" for n in g.layer_nodes(i)]
        lines.append("  end")
    lines += [f'  {e.source} -->|"{e.size}"| {e.target}' for e in g.edges]
    return "\n".join(lines) + "\n"


def to_dot(g: Graph) -> str:
    """Graphviz dot text (``dot -Tsvg`` renders it)."""
    shapes = {"input": "oval", "output": "oval", "fusion": "hexagon"}
    lines = [f"digraph {_quote(g.name)} {{", "  rankdir=LR;", "  node [shape=box];"]

    def node(n: Node) -> str:
        shape = shapes.get(n.kind)
        extra = f", shape={shape}" if shape else ""
        return f"{_quote(n.id)} [label={_quote(n.label)}{extra}];"

    lines += [f"  {node(n)}" for n in g.nodes if n.layer is None]
    for i in sorted({n.layer for n in g.nodes if n.layer is not None}):
        lines.append(f"  subgraph cluster_layer{i} {{")
        lines.append(f'    label="layer {i}";')
        lines += [f"    {node(n)}" for n in g.layer_nodes(i)]
        lines.append("  }")
    lines += [f'  {_quote(e.source)} -> {_quote(e.target)} [label="{e.size}"];' for e in g.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"
