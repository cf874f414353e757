"""Which functions of a spec compute something else under native than under tinybig semantics."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rpnschema.errors import Code, Diagnostic, Loc, plural
from rpnschema.interop._tinybig_table import NATIVE_CHANGES

#: Compressions whose tinybig constructor ignores ``require_normalization: false``.
ALWAYS_NORMALIZED = frozenset(
    f"naive_{d}_probabilistic_compression" for d in ("uniform", "chi2", "exponential", "gamma")
)
_CYLINDER_COMPRESSIONS = tuple(
    f"cylinder_{k}_based_geometric_compression" for k in ("patch", "max", "min", "mean")
)
_LISTS = ("functions", "preprocess", "postprocess", "activation", "input_process", "output_process")
_SINGLE = (
    "expansion",
    "reconciliation",
    "remainder",
    "channel_fusion",
    "head_fusion",
    "attribute_interdependence",
    "instance_interdependence",
)


def _components(node: Any, path: Loc) -> Iterator[tuple[Loc, dict[str, Any]]]:
    """Every component mapping (with a ``name``) below a model, layer or head node."""
    if not isinstance(node, dict):
        return
    if isinstance(node.get("name"), str) and path and path[-1] not in ("layers", "heads"):
        yield path, node
    for key in _SINGLE:
        if isinstance(node.get(key), dict):
            yield from _components(node[key], (*path, key))
    for key in (*_LISTS, "layers", "heads"):
        items = node.get(key)
        if isinstance(items, list):
            for i, item in enumerate(items):
                yield from _components(item, (*path, key, i))


def _why(component: dict[str, Any]) -> str | None:
    name = component["name"]
    if name == "layer_norm" and component.get("elementwise_affine") is False:
        return None  # no parameters: the same output whether registered or not
    if name in NATIVE_CHANGES:
        return NATIVE_CHANGES[name]
    if name == "hybrid_interdependence" and component.get("softmax") is not None:
        return (
            "the masked softmax masks by the structure's links (tinybig: by the fused matrix's "
            "nonzero entries, so a node whose features are all 0 drops out of its neighbours' "
            "softmax)"
        )
    combinatorial = name in ("combinatorial_expansion", "combinatorial_normal_expansion")
    if combinatorial and component.get("with_replacement") is True:
        return "with_replacement is honoured (tinybig ignores it): D and outputs change"
    fitted = f"{name} {component.get('function', '')}"
    if "PCA" in fitted:
        return "a batch PCA in torch (differentiable; no running state across batches)"
    if "random_projection" in fitted:
        return "one random projection drawn at build time (tinybig draws one per batch)"
    if name in ALWAYS_NORMALIZED and component.get("require_normalization") is False:
        return "require_normalization: false is honoured (tinybig always normalizes)"
    if name in ("cylinder_patch_based_geometric_expansion", *_CYLINDER_COMPRESSIONS):
        pd, pd2 = component.get("p_d", 0), component.get("p_d_prime")
        if pd2 is not None and pd2 != pd:
            return "patches span [-p_d, p_d'] (tinybig: [-p_d', p_d']): D and outputs change"
    return None


def changed_functions(node: dict[str, Any], path: Loc = ()) -> list[tuple[Loc, str, str]]:
    """(native path, function name, what changes) of each function of spec data (a model, layer
    or head at ``path``) whose output differs between native and tinybig semantics."""
    out = []
    for where, component in _components(node, path):
        why = _why(component)
        if why is not None:
            out.append((where, component["name"], why))
    return out


def native_changes(spec: dict[str, Any]) -> list[Diagnostic]:
    """Notices (at native spec paths) for each function whose outputs change when a tinybig
    config is run under native semantics, and one summary at the root."""
    places: list[Diagnostic] = []
    names: list[str] = []
    for path, name, why in changed_functions(spec):
        names.append(name)
        places.append(
            Diagnostic(
                Code.SEMANTICS,
                f"{name} computes a different output under semantics: native: {why}",
                path=path,
                severity="notice",
            )
        )
    if names:
        distinct = list(dict.fromkeys(names))
        where = plural(len(names), "place")
        summary = (
            f"semantics: native changes the outputs of {plural(len(distinct), 'function')} "
            f"({where} in the model): {', '.join(distinct)}; "
            "tinybig checkpoints do not reproduce tinybig's outputs there"
        )
    else:
        summary = "semantics: native: no function of this model changes its outputs"
    return [Diagnostic(Code.SEMANTICS, summary, path=(), severity="notice"), *places]
