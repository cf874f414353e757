"""tinybig's chain (sequence) architectures as explicit layers: ``chain_interdependence_head``
/ ``_layer`` and the ``rnn`` / ``regression_rnn`` models.

tinybig 0.2.1's rnn takes b x (chain_length*dims[0]) inputs. For every pair (m, n) of
dims[:-1] it builds a perceptron layer that its forward applies to each position
(``x.view(b*chain_length, -1)``: ReLU, no softmax) and a chain_interdependence_layer n -> n
(with the model's chain options; no softmax). Its last perceptron layer (no ReLU, softmax)
reads the mean of the positions (rnn) or the whole row, chain_length*dims[-2] values
(regression_rnn). Here the per-position layers are sequence layers (``steps``), and rnn's last
layer averages the positions first (``pool_steps: true``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from rpnschema.interop import _tinybig_table as T
from rpnschema.interop._tinybig_table import PresetInfo
from rpnschema.spec.chain import chain_head

#: The model's arguments each of its layer classes is given (tinybig 0.2.1's rnn code).
PERCEPTRON_ARGS = (
    "channel_num",
    "width",
    "with_bspline",
    "with_taylor",
    "d",
    "with_dual_lphm",
    "with_lorr",
    "r",
    "enable_bias",
    "with_residual",
    "p",
)
CHAIN_ARGS = (
    "channel_num",
    "width",
    "chain_length",
    "bi_directional",
    "with_multihop",
    "h",
    "accumulative",
    "with_inverse_approx",
    "with_exponential_approx",
    "self_dependence",
    "self_scaling",
    "with_dual_lphm",
    "with_lorr",
    "r",
    "with_residual",
    "enable_bias",
    "with_batch_norm",
    "with_relu",
    "with_dropout",
    "p",
)
#: Model arguments tinybig 0.2.1's rnn accepts and passes to no layer that reads them.
IGNORED = (
    "with_hybrid_expansion",
    "with_dual_lphm_interdependence",
    "with_lorr_interdependence",
    "r_interdependence",
)


@dataclass
class LayerPlan:
    """One layer of an rnn: its tinybig layer class, that class's arguments, and the sequence
    fields of the native layer (``steps``, ``pool_steps``)."""

    layer: str
    args: dict[str, Any]
    sequence: dict[str, Any] = field(default_factory=dict)


def rnn_plan(name: str, args: dict[str, Any], dims: list[int]) -> list[LayerPlan]:
    """The layers of tinybig.model.<name> (rnn or regression_rnn) with the model arguments
    ``args`` (tinybig's names, every one given) and ``dims``."""
    steps = args["chain_length"]
    perceptron = {k: args[k] for k in PERCEPTRON_ARGS}
    chain = {k: args[k] for k in CHAIN_ARGS}
    plan = []
    for m, n in itertools.pairwise(dims[:-1]):
        hidden = {"with_batch_norm": False, "with_relu": True, "with_softmax": False}
        plan.append(
            LayerPlan(
                "perceptron_layer",
                {"m": m, "n": n, **perceptron, **hidden, "with_dropout": False},
                {"steps": steps},
            )
        )
        plan.append(
            LayerPlan(
                "chain_interdependence_layer", {"m": n, "n": n, **chain, "with_softmax": False}
            )
        )
    last = {
        **perceptron,
        "with_batch_norm": False,
        "with_relu": False,
        "with_softmax": args["with_softmax"],
        "with_dropout": False,
    }
    if name == "rnn":
        plan.append(
            LayerPlan(
                "perceptron_layer",
                {"m": dims[-2], "n": dims[-1], **last},
                {"steps": steps, "pool_steps": True},
            )
        )
    else:
        plan.append(LayerPlan("perceptron_layer", {"m": dims[-2] * steps, "n": dims[-1], **last}))
    return plan


def chain_preset_head(p: dict[str, Any]) -> dict[str, Any]:
    """The head of a chain_interdependence_head / _layer with tinybig arguments ``p``."""
    from rpnschema.interop._tinybig_presets import PresetProblem

    length = p["chain_length"]
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        raise PresetProblem(
            "chain_length",
            "chain_length is required, an integer >= 1 (tinybig's chain heads need it: the "
            "input row holds chain_length positions of m features)",
            "chain_length: <positions per input row>",
        )
    return chain_head(p)


def rnn_layers(preset: Any, dims: list[int], layer_presets: dict[str, PresetInfo]) -> list[dict]:
    """The explicit layers of an rnn / regression_rnn model preset (normalization)."""
    from rpnschema.interop._tinybig_presets import expand

    args = preset.layer_arguments()
    layers = []
    for item in rnn_plan(preset.name, args, dims):
        given = dict(item.args)
        m, n, width = given.pop("m"), given.pop("n"), given.pop("width")
        layer: dict[str, Any] = {
            "m": m,
            "n": n,
            "heads": [expand(layer_presets[item.layer], given, n)],
            **item.sequence,
        }
        if width > 1:
            layer.update(width=width, share_heads=True)
        layers.append(layer)
    return layers


def read_rnn(
    reader: Any, name: str, args: dict[str, Any], dims: list[int], mp: tuple
) -> list[dict[str, Any]] | None:
    """The layers of a tinybig rnn / regression_rnn config (``reader``: the tinybig reader,
    ``mp``: the path of model_parameters), each read as tinybig's layer preset."""
    from rpnschema.errors import Code

    for key in IGNORED:
        if args[key] != T.MODEL_PRESETS[name].defaults[key]:
            reader.report(
                Code.TINYBIG_BEHAVIOUR,
                (*mp, key),
                f"tinybig 0.2.1's {name} accepts {key} but no layer it builds reads it: it has "
                "no effect",
                severity="warning",
                suggestion=f"remove {key}",
            )
    layers = []
    for j, item in enumerate(rnn_plan(name, args, dims)):
        reader.paths.add(("layers", j), mp)
        layer = reader.layer_preset(item.layer, dict(item.args), mp, ("layers", j), [])
        if layer is None:
            return None
        layer.update(item.sequence)
        layers.append(layer)
    reader.paths.add(("layers",), (*mp, "dims"))
    reader.report(
        Code.CONVERTED,
        (*mp,),
        f"tinybig.model.{name} expanded into {len(layers)} layers: per-position perceptron and "
        "chain_interdependence layers (steps: chain_length), then the output perceptron layer"
        + (" on the mean of the positions (pool_steps: true)" if name == "rnn" else ""),
        severity="notice",
    )
    return layers
