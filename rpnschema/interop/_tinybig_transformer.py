"""tinybig.model.transformer's layers, as its constructor builds them (tinybig 0.2.1's code).

For each pair (m, n) of ``dims``: a ``bilinear_interdependence_layer`` m -> n and a
``perceptron_layer`` n -> n, both given the model's options; then, through
``[dims[-1], *fc_dims]``, perceptron layers whose batch norm, ReLU and dropout are off where the
layer's n equals the last size, and whose softmax is on only for the layer mapping the last but
one size to the last (tinybig compares sizes, not positions).
"""

from __future__ import annotations

import itertools
from typing import Any

from rpnschema.interop import _tinybig_table as T
from rpnschema.interop._tinybig_presets import expand
from rpnschema.spec.presets_bilinear import bilinear_layer

#: The model options the perceptron layers take (tinybig passes these on).
_PERCEPTRON = (
    "channel_num",
    "with_taylor",
    "d",
    "with_dual_lphm",
    "with_lorr",
    "r",
    "enable_bias",
    "with_residual",
    "with_batch_norm",
    "with_relu",
    "with_dropout",
    "p",
    "with_softmax",
)


def _perceptron(args: dict[str, Any], m: int, n: int, width: int) -> dict[str, Any]:
    given = {k: args[k] for k in _PERCEPTRON}
    layer: dict[str, Any] = {
        "m": m,
        "n": n,
        "heads": [expand(T.LAYER_PRESETS["perceptron_layer"], given, n)],
    }
    if width > 1:
        layer.update(width=width, share_heads=True)
    return layer


def transformer_layers(preset: Any, dims: list[int]) -> list[dict[str, Any]]:
    """The explicit layers of ``preset: transformer`` (a
    :class:`~rpnschema.spec.model_presets.TransformerModelPreset`) with ``dims``."""
    args = preset.model_dump(exclude={"name", "fc_dims", "channels", "batch", "width"})
    args.update(channel_num=preset.channels, batch_num=preset.batch)
    width = preset.width
    layers = []
    for m, n in itertools.pairwise(dims):
        layers.append(bilinear_layer(args, m, n, width))
        layers.append(_perceptron(args, n, n, width))
    sizes = [dims[-1], *preset.fc_dims]
    for m, n in itertools.pairwise(sizes):
        last = n == sizes[-1]
        layer_args = {
            **args,
            "with_batch_norm": args["with_batch_norm"] and not last,
            "with_relu": args["with_relu"] and not last,
            "with_dropout": args["with_dropout"] and not last,
            "with_softmax": args["with_softmax"] and m == sizes[-2] and last,
        }
        layers.append(_perceptron(layer_args, m, n, width))
    return layers
