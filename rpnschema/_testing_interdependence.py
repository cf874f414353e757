"""Hypothesis strategies for interdependence functions (re-exported by rpnschema.testing)."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from rpnschema.spec import COMPONENT_TYPES, component_name
from rpnschema.spec.interdependence import kernel as ke

INTERDEPENDENCE_NAMES: tuple[str, ...] = tuple(
    component_name(cls) for cls in COMPONENT_TYPES["interdependence"]
)
_KERNELS = ke.KernelName.__args__  # type: ignore[attr-defined]
_KRON = ("hm", "lphm", "dual_lphm")


def _divisor(draw: Any, k: int) -> int:
    return draw(st.sampled_from([f for f in range(1, k + 1) if k % f == 0]))


@st.composite
def _params(draw: Any, name: str, kind: str, ms: tuple[int, ...], b: int) -> dict[str, Any]:
    """Parameters of ``name`` valid in the ``kind`` slot for every m in ms and batch b, with
    d' = d (so the head's expansion sees the same width)."""
    m = math.gcd(*ms)
    rows = b if kind == "attribute" else m  # the rows of the data a kernel sees
    p: dict[str, Any] = {}
    if name == "constant_interdependence":
        p["A"] = [[float(i == j) for j in range(b)] for i in range(b)]
    elif name == "constant_c_interdependence":
        p["c"] = draw(st.floats(-2, 2, allow_nan=False))
    elif name in ("polynomial_kernel_interdependence",):
        p["d"] = draw(st.integers(1, 3))
    elif name == "minkowski_distance_interdependence":
        p["p"] = draw(st.sampled_from([1.0, 2.0, 3.0]))
    elif name == "anisotropic_rbf_kernel_interdependence" and draw(st.booleans()):
        p["a_vector"] = [draw(st.floats(0.1, 2.0)) for _ in range(rows)]
    elif name in (
        "statistical_kernel_based_interdependence",
        "numerical_kernel_based_interdependence",
    ):
        p["kernel"] = draw(st.sampled_from(_KERNELS))
    elif name == "custom_hybrid_kernel_interdependence":
        p["kernels"] = draw(st.lists(st.sampled_from(_KERNELS), min_size=1, max_size=3))
    elif name.startswith(_KRON):
        bilinear = "bilinear" in name
        e = (b if kind == "attribute" else m) if bilinear else (m if kind == "attribute" else b)
        p["p"] = _divisor(draw, e)
        if name.startswith(("lphm", "dual_lphm")):
            p["r"] = draw(st.integers(1, 2))
    elif name.startswith(("lowrank", "random_matrix")):
        p["r"] = draw(st.integers(1, 3))
    elif name in (
        "graph_interdependence",
        "multihop_graph_interdependence",
        "pagerank_multihop_graph_interdependence",
    ):
        nodes = list(range(b))
        links = draw(
            st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(nodes)), max_size=2 * b)
        )
        p.update(nodes=nodes, links=[list(link) for link in links], directed=draw(st.booleans()))
    elif "geometric" in name:  # instance slot only: the batch is an h x 1 x 1 grid
        p.update(h=b, w=1, interdependence_matrix_mode="aggregation")
        patch = {"p_h": draw(st.integers(0, 2)), "p_w": 0, "p_d": 0}
        if name == "geometric_interdependence":
            p["patch"] = {"shape": "cuboid", **patch}
        elif name.startswith("cuboid"):
            p.update(patch)
        elif name.startswith("cylinder"):
            p.update(r=draw(st.integers(0, 2)), p_d=0)
        else:
            p["r"] = draw(st.integers(0, 2))
        p["normalization"] = draw(st.booleans())
    elif name == "parameterized_rpn_interdependence":
        p["data_transformation"] = draw(
            st.sampled_from(["identity_expansion", {"name": "taylor_expansion", "d": 2}])
        )
        p["parameter_fabrication"] = draw(
            st.sampled_from(["identity_reconciliation", {"name": "lorr_reconciliation", "r": 1}])
        )
    elif name == "hybrid_interdependence":
        simple = ["identity_interdependence", "cosine_similarity_interdependence"]
        p["functions"] = [draw(st.sampled_from(simple)), "parameterized_interdependence"]
        p["fusion"] = draw(st.sampled_from(["mean_fusion", "prod_fusion", "max_fusion"]))
        if draw(st.booleans()):  # graph attention's masked softmax
            p["softmax"] = {"mode": draw(st.sampled_from(["column", "row"]))}
    elif "chain" in name:
        p["chain_length"] = b
        if not name.startswith("inverse"):
            p["bi_directional"] = draw(st.booleans())
    if name.startswith("multihop"):
        p["h"] = draw(st.integers(1, 3))
    return p


def slot_names(kind: str, semantics: str = "native") -> list[str]:
    """The names :func:`interdependences` draws for a slot and semantics."""
    sized = ("graph", "chain", "geometric", "constant_interdependence")
    native_only = ("cylinder_patch", "sphere_patch")
    return [
        n
        for n in INTERDEPENDENCE_NAMES
        if (kind == "instance" or not any(k in n for k in sized))
        and (semantics == "native" or not n.startswith(native_only))
        and (semantics == "native" or kind == "instance" or n != "hybrid_interdependence")
    ]


def interdependences(
    kind: str, m: int | tuple[int, ...], b: int, semantics: str = "native"
) -> SearchStrategy[Any]:
    """An interdependence function for the ``kind`` slot (attribute / instance) of a head with
    input size m (or every m of a tuple) and batch b, keeping d' = d, valid under
    ``semantics``. Topological and geometric functions are drawn for the instance slot (their
    size is the batch)."""
    ms = m if isinstance(m, tuple) else (m,)
    names = slot_names(kind, semantics)
    return st.sampled_from(names).flatmap(
        lambda name: _params(name, kind, ms, b).map(lambda p: {"name": name, **p})
    )
