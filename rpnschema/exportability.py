"""Which components ``rpnschema export`` can trace, decided on the spec before anything is built.

``torch.export`` and the ONNX exporter trace one forward pass in eval mode into a graph: a
component whose forward takes a Python branch on tensor *values*, refits itself on each batch
with non-tensor code, or calls out of torch cannot be traced (or would be traced into a
program that differs from the eager model). Such a component declares it here, in one table
keyed by its catalog name, so the export stops with a located RPN600 diagnostic that names
the component and says why, before any tensor exists.

Every built-in component of the current catalog but the interdependences that keep a sparse
matrix (graphs, chains, grid patches: :data:`SPARSE_INTERDEPENDENCES`) traces in both
semantics, with a fixed or a dynamic batch (``python benchmarks/bench_deploy.py --only
catalog`` exports one model per component; ``tests/compile/test_export.py`` every example);
other component families that cannot be traced add their entries where they are defined, and
plugins with :func:`declare`. A component that is not declared but still fails to trace is
reported after the fact by :mod:`rpnschema.compile.export`, naming the first failing head.

This module never imports torch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from rpnschema.errors import Code, Diagnostic, Loc
from rpnschema.spec.base import Component, Spec

#: A component's export rule: the reason it cannot be exported with these parameters, or None.
Rule = Callable[[Component], "str | None"]

#: catalog name -> rule. A name that is not here exports.
NOT_EXPORTABLE: dict[str, Rule] = {}

_SPARSE = "its interdependence matrix A is a sparse tensor, which torch.export cannot trace"
#: The interdependences whose A is kept as a sparse tensor (graphs, chains, grid patches).
SPARSE_INTERDEPENDENCES = (
    "graph_interdependence",
    "multihop_graph_interdependence",
    "chain_interdependence",
    "multihop_chain_interdependence",
    "exponential_approx_multihop_chain_interdependence",
    "geometric_interdependence",
    *(
        f"{shape}_patch{mode}_based_geometric_interdependence"
        for shape in ("cuboid", "cylinder", "sphere")
        for mode in ("", "_padding", "_aggregation")
    ),
)


def declare(name: str, reason: str | Rule) -> None:
    """Declare that the component ``name`` cannot be exported: always (``reason`` a text) or
    for some parameters (``reason`` a function of the component spec, None when it can)."""
    NOT_EXPORTABLE[name] = reason if callable(reason) else (lambda _component: reason)


for _name in SPARSE_INTERDEPENDENCES:
    NOT_EXPORTABLE[_name] = lambda _component: _SPARSE
# the bi-directional chain's approximate inverse is sparse; the directed one is dense
NOT_EXPORTABLE["inverse_approx_multihop_chain_interdependence"] = lambda c: (
    _SPARSE if getattr(c, "bi_directional", False) else None
)


def undeclare(name: str) -> None:
    """Forget ``name``'s rule (e.g. when its plugin is unregistered)."""
    NOT_EXPORTABLE.pop(name, None)


def components(node: Any, path: Loc = ()) -> Iterator[tuple[Loc, Component]]:
    """Every component of a spec (nested ones included) with its path, in document order."""
    if isinstance(node, Component):
        yield path, node
    if isinstance(node, Spec):
        for name in type(node).model_fields:
            yield from components(getattr(node, name), (*path, name))
    elif isinstance(node, (list, tuple)):
        for i, item in enumerate(node):
            yield from components(item, (*path, i))


def export_diagnostics(spec: Spec, document: Any = None) -> list[Diagnostic]:
    """An RPN600 error for every component of ``spec`` (a normalized spec) that cannot be
    exported; located in ``document`` (an :class:`rpnschema.io.Document`) when given."""
    found = []
    for path, component in components(spec):
        rule = NOT_EXPORTABLE.get(component.name)
        reason = rule(component) if rule is not None else None
        if reason is None:
            continue
        d = Diagnostic(
            Code.NOT_EXPORTABLE,
            f"{component.name} cannot be exported: {reason}",
            path=path,
            expected="components that torch.export can trace",
            found=component.name,
            suggestion="replace it for deployment, or export a model without it",
        )
        found.append(document.locate(d) if document is not None else d)
    return found
