"""Inline graphs (node ids and links), shared by the graph interdependences and the gcn/gat
model presets; kept apart so that the presets load without the interdependence family."""

from typing import Any

NodeId = int | str


def check_graph(nodes: list[NodeId] | int, links: list[Any], structure: str | None) -> None:
    """ValueError when an inline graph (or a named one's declaration) is inconsistent: a node
    count without a structure, links with a structure, a repeated node id, an unknown end."""
    if structure is not None:
        if links:
            raise ValueError("links come from the build-time structure: remove them")
        return
    if isinstance(nodes, int):
        raise ValueError(
            "nodes is a count only with structure: <name> (a graph supplied at build time);"
            " otherwise list the node ids"
        )
    seen: set[NodeId] = set()
    for node in nodes:
        if node in seen:
            raise ValueError(f"node id {node!r} appears twice in nodes")
        seen.add(node)
    for i, (a, b) in enumerate(links):
        for end in (a, b):
            if end not in seen:
                raise ValueError(f"links[{i}] names node {end!r}, which is not in nodes")
