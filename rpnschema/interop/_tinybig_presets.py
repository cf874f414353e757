"""tinybig's head and layer presets (``tinybig.head.*_head``, ``tinybig.layer.*_layer``) as the
explicit heads tinybig 0.2.1 builds from them.

rpnschema's own presets differ in places (for example its ``with_residual`` gives a weighted
linear remainder), so a tinybig preset is expanded here, following tinybig's constructors, into
plain components rather than into an rpnschema preset.
"""

from __future__ import annotations

import itertools
from typing import Any

from rpnschema.factors import find_close_factors
from rpnschema.interop import _tinybig_table as T
from rpnschema.interop._tinybig_table import PresetInfo

_FLAGS = (
    "enable_bias",
    "with_bspline",
    "with_hybrid_expansion",
    "with_lorr",
    "with_taylor",
    "with_dual_lphm",
    "with_residual",
    "with_batch_norm",
    "with_relu",
    "with_dropout",
    "with_softmax",
    "with_replacement",
    "with_multihop",
    "with_pagerank",
    "accumulative",
    "directed",
    "normalization",
    "self_dependence",
    "bi_directional",
    "with_inverse_approx",
    "with_exponential_approx",
    "with_dual_lphm_interdependence",
    "with_lorr_interdependence",
)
#: The graph heads (the same options; graph_bilinear adds the attention).
_GRAPH_KINDS = ("graph", "graph_bilinear")
#: Model presets whose output options tinybig sets per layer (:func:`gcn_layer`).
PER_LAYER_OUTPUT = ("gcn", "gat")
_DISTRIBUTIONS = ("normal", "exponential", "cauchy", "gamma", "chi2", "laplace")
_KERNELS = ("linear", "gaussian_rbf", "inverse_quadratic_rbf")

#: Preset arguments -> the native field they end up in (for locating diagnostics).
FIELD_SOURCES: dict[tuple[str, ...], str] = {
    ("channels",): "channel_num",
    ("expansion", "d"): "d",
    ("expansion", "t"): "t",
    ("expansion", "grid_range"): "grid_range",
    ("expansion", "base_range"): "base_range",
    ("expansion", "num_interval"): "num_interval",
    ("expansion", "epsilon"): "epsilon",
    ("expansion", "with_replacement"): "with_replacement",
    ("reconciliation", "r"): "r",
    ("reconciliation", "enable_bias"): "enable_bias",
}


class PresetProblem(ValueError):
    """A preset argument tinybig would reject: ``key`` names it, the message says why."""

    def __init__(self, key: str, message: str, expected: str):
        super().__init__(message)
        self.key = key
        self.expected = expected


def _graph(p: dict[str, Any]) -> dict[str, Any]:
    """graph_interdependence_head's instance interdependence: pagerank, multihop or plain."""
    for key in ("graph", "graph_file_path"):
        if p[key] is not None:
            raise PresetProblem(
                key,
                f"{key} (a graph object or a pickle file) cannot be converted: give the graph "
                "as nodes and links",
                "nodes: [...] and links: [...]",
            )
    if p.get("structure") is not None:  # a model preset's graph supplied at build time
        return _kind(p, {"structure": p["structure"], "nodes": p["nodes"], **_options(p)})
    for key in ("nodes", "links"):
        if not isinstance(p[key], list):
            raise PresetProblem(
                key,
                f"{key} must be a list (a graph object or graph_file_path cannot be converted; "
                "tinybig raises ValueError without nodes and links)",
                f"{key}: [...]",
            )
    if p["require_data"] or p["require_parameters"]:
        key = "require_data" if p["require_data"] else "require_parameters"
        raise PresetProblem(key, f"{key} must be false: the graph's A needs neither", "false")
    graph = {"nodes": p["nodes"], "links": p["links"], **_options(p)}
    return _kind(p, graph)


def _options(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "directed": p["directed"],
        "normalization": p["normalization"],
        "normalization_mode": p["normalization_mode"],
        "self_dependence": p["self_dependence"],
    }


def _kind(p: dict[str, Any], graph: dict[str, Any]) -> dict[str, Any]:
    """The graph function: pagerank, multihop or plain."""
    if p["with_pagerank"]:
        return {"name": "pagerank_multihop_graph_interdependence", "c": p["c"], **graph}
    if p["with_multihop"]:
        return {
            "name": "multihop_graph_interdependence",
            "h": p["h"],
            "accumulative": p["accumulative"],
            **graph,
        }
    return {"name": "graph_interdependence", **graph}


def _attention(p: dict[str, Any], m: Any) -> dict[str, Any]:
    """graph_bilinear_interdependence_head's instance interdependence: the graph's A times the
    bilinear scores x W x^T (W plain, low-rank or dual_lphm), then a masked column softmax."""
    r = p["r_interdependence"]
    if p["with_lorr_interdependence"]:
        bilinear: dict[str, Any] = {
            "name": "lowrank_parameterized_bilinear_interdependence",
            "r": r,
        }
    elif p["with_dual_lphm_interdependence"]:
        if not isinstance(m, int) or isinstance(m, bool) or m < 1:
            raise PresetProblem(
                "m",
                "with_dual_lphm_interdependence needs the head's m (its factor p is "
                "find_close_factors(m))",
                "m: an integer >= 1",
            )
        p_factor = find_close_factors(m)
        bilinear = {
            "name": "dual_lphm_parameterized_bilinear_interdependence",
            "r": r,
            "p": p_factor,
            "q": p_factor,
        }
    else:
        bilinear = {"name": "parameterized_bilinear_interdependence"}
    return {
        "name": "hybrid_interdependence",
        "functions": [_graph(p), bilinear],
        "fusion": {"name": "prod_fusion"},
        "softmax": {"mode": "column", "rescale_factor": 1.0},
    }


def _check(p: dict[str, Any]) -> None:
    for key in _FLAGS:
        if key in p and not isinstance(p[key], bool):
            raise PresetProblem(key, f"{key} must be true or false", "true or false")


def _reconciliation(kind: str, p: dict[str, Any]) -> dict[str, Any]:
    if kind in ("perceptron", *_GRAPH_KINDS) and p.get("with_dual_lphm"):
        return {"name": "dual_lphm_reconciliation", "r": p["r"], "enable_bias": p["enable_bias"]}
    if p.get("with_lorr"):
        return {"name": "lorr_reconciliation", "r": p["r"], "enable_bias": p["enable_bias"]}
    return {"name": "identity_reconciliation", "enable_bias": p["enable_bias"]}


def _expansion(kind: str, p: dict[str, Any]) -> dict[str, Any]:
    if kind in _GRAPH_KINDS:
        return {"name": "identity_expansion"}
    if kind == "perceptron":  # with_hybrid_expansion is accepted and ignored by tinybig
        if p["with_taylor"]:
            return {"name": "taylor_expansion", "d": p["d"]}
        if p["with_bspline"]:
            return {"name": "bspline_expansion", "d": p["d"]}
        return {"name": "identity_expansion"}
    if kind == "svm":
        kernel = p["kernel"]
        if kernel not in _KERNELS:
            raise PresetProblem("kernel", f"unknown svm kernel {kernel!r}", " | ".join(_KERNELS))
        if kernel == "linear":
            return {"name": "identity_expansion"}
        return {
            "name": f"{kernel}_expansion",
            "base_range": p["base_range"],
            "num_interval": p["num_interval"],
            "epsilon": p["epsilon"],
        }
    if kind == "kan":
        return {
            "name": "bspline_expansion",
            "grid_range": p["grid_range"],
            "t": p["t"],
            "d": p["d"],
        }
    distribution = p["distribution"]
    if kind == "naive_bayes":
        if distribution not in _DISTRIBUTIONS:
            raise PresetProblem(
                "distribution", f"unknown distribution {distribution!r}", " | ".join(_DISTRIBUTIONS)
            )
        return {"name": f"naive_{distribution}_expansion"}
    if distribution != "normal":
        raise PresetProblem(
            "distribution", "pgm_head supports only the normal distribution", "normal"
        )
    return {
        "name": "combinatorial_normal_expansion",
        "d": p["d"],
        "with_replacement": p["with_replacement"],
    }


def _output(kind: str, p: dict[str, Any], n: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if p.get("with_batch_norm"):
        out.append({"name": "batch_norm", "num_features": n})
    if kind in ("perceptron", *_GRAPH_KINDS) and p.get("with_relu"):
        out.append({"name": "relu"})
    if kind in ("perceptron", *_GRAPH_KINDS) and p.get("with_dropout"):
        out.append({"name": "dropout", "p": p["p"]})
    if p.get("with_softmax"):  # the graph heads: LogSoftmax
        out.append({"name": "log_softmax" if kind in _GRAPH_KINDS else "softmax", "dim": -1})
    return out


def expand(info: PresetInfo, given: dict[str, Any], n: Any, m: Any = None) -> dict[str, Any]:
    """The head tinybig builds from a preset with arguments ``given`` (for a head m -> n).

    Raises :class:`PresetProblem` for an argument tinybig would reject.
    """
    p = {**info.defaults, **given}
    _check(p)
    kind = info.kind
    if kind == "chain":
        from rpnschema.interop._tinybig_chain import chain_preset_head

        return chain_preset_head(p)
    # tinybig builds linear_remainder(device=...) for a residual; its code defaults to
    # require_parameters=True, so the remainder has an n x m weight (kan_head's
    # require_remainder_parameters=True is a keyword linear_remainder ignores: the same default).
    residual = kind == "kan" or bool(p.get("with_residual"))
    remainder: dict[str, Any] = {"name": "linear_remainder" if residual else "zero_remainder"}
    if kind == "kan":
        remainder["activation"] = [{"name": "silu"}]
    head: dict[str, Any] = {
        "channels": p["channel_num"],
        "expansion": _expansion(kind, p),
        "reconciliation": _reconciliation(kind, p),
        "remainder": remainder,
    }
    if kind == "graph":
        head["instance_interdependence"] = _graph(p)
    elif kind == "graph_bilinear":
        head["instance_interdependence"] = _attention(p, m)
    output = _output(kind, p, n)
    if output:
        head["output_process"] = output
    return head


def gcn_layer(args: dict[str, Any], dims: list[int], m: int, n: int) -> dict[str, Any]:
    """tinybig.model.gcn's (and gat's) arguments for the layer m -> n: it compares sizes, not
    positions, so a hidden layer whose n equals dims[-1] also goes without batch norm, ReLU and
    dropout."""
    hidden = n != dims[-1]
    return {
        **args,
        "with_batch_norm": args["with_batch_norm"] and hidden,
        "with_relu": args["with_relu"] and hidden,
        "with_dropout": args["with_dropout"] and hidden,
        "with_softmax": args["with_softmax"] and m == dims[-2] and n == dims[-1],
    }


def expand_layers(preset: Any, dims: list[int]) -> list[dict[str, Any]]:
    """The layers of a model preset: one per pair of dims (:func:`expand_layer`), or the
    rnn family's own layout (:mod:`rpnschema.interop._tinybig_chain`)."""
    if preset.name in ("rnn", "regression_rnn"):
        from rpnschema.interop._tinybig_chain import rnn_layers

        return rnn_layers(preset, dims, T.LAYER_PRESETS)
    return [expand_layer(preset, dims, m, n) for m, n in itertools.pairwise(dims)]


def expand_layer(preset: Any, dims: list[int], m: int, n: int) -> dict[str, Any]:
    """The layer tinybig's model class builds for the pair m, n of ``dims`` of a model preset
    (:mod:`rpnschema.spec.model_presets`): its layer preset with the model's arguments.

    ``width`` copies of one head object become ``share_heads: true``.
    """
    args = preset.layer_arguments()
    if preset.name in PER_LAYER_OUTPUT:
        args = gcn_layer(args, dims, m, n)
    width = args.pop("width")
    layer: dict[str, Any] = {
        "m": m,
        "n": n,
        "heads": [expand(T.LAYER_PRESETS[preset.LAYER], args, n, m)],
    }
    if width > 1:
        layer.update(width=width, share_heads=True)
    return layer
