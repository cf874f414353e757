"""Loading tinybig 0.2.1 state dicts (``rpn_head``, ``rpn_layer``, ``rpn`` models) into compiled
modules.

tinybig's parameter names are the compiled modules' names: a head has ``w`` (channels x l),
``b`` (n), ``w_remainder`` (n x m), ``b_remainder`` (n) and ``w_channel_fusion`` (1 x l); a
layer has ``w_head_fusion`` (1 x l) and its heads under ``heads.<i>.``; a model has its layers
under ``layers.<j>.``. So a tinybig model's state dict loads key for key into the model built
from the equivalent spec (use ``semantics: tinybig`` to reproduce tinybig's outputs).

A head's or a layer's state dict also loads into a model with one layer (and one head): its
keys are prefixed with ``layers.0.`` (and ``heads.0.``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import torch
from torch import Tensor, nn

from rpnschema.compile.modules import RPNHead, RPNLayer, RPNModel
from rpnschema.errors import StateDictError

#: The learnable parameters tinybig creates, by their names in a head or a layer.
TINYBIG_PARAMETERS = frozenset(
    {
        "w",
        "b",
        "w_remainder",
        "b_remainder",
        "w_channel_fusion",
        "w_head_fusion",
        "w_attribute_interdependence",
        "w_instance_interdependence",
    }
)

_LEVELS = {RPNModel: 0, RPNLayer: 1, RPNHead: 2}

#: tinybig names of a hypernet_reconciliation's network (an ``nn.Sequential`` of Linear,
#: Sigmoid, Linear, created at the first forward pass) -> the compiled module's names.
ALIASES = {
    "parameter_fabrication.net.0.weight": "reconciliation.weight1",
    "parameter_fabrication.net.0.bias": "reconciliation.bias1",
    "parameter_fabrication.net.2.weight": "reconciliation.weight2",
    "parameter_fabrication.net.2.bias": "reconciliation.bias2",
}


def _own_name(key: str) -> str:
    """A tinybig state-dict key under the compiled module's name for it."""
    for theirs, ours in ALIASES.items():
        if key == theirs or key.endswith("." + theirs):
            return key[: len(key) - len(theirs)] + ours
    return key


def _dict_level(keys: list[str]) -> int:
    """0: a model's state dict, 1: a layer's, 2: a head's."""
    if any(k.startswith("layers.") for k in keys):
        return 0
    if any(k.startswith("heads.") or k == "w_head_fusion" for k in keys):
        return 1
    return 2


def _prefix(module: nn.Module, level: int) -> str:
    target = next((v for cls, v in _LEVELS.items() if isinstance(module, cls)), None)
    if target is None:
        raise StateDictError(
            f"load_tinybig_state_dict needs an RPNModel, RPNLayer or RPNHead, "
            f"got {type(module).__name__}"
        )
    kinds = ("model", "layer", "head")
    if level < target:
        raise StateDictError(
            f"a tinybig {kinds[level]} state dict cannot load into an {type(module).__name__}"
        )
    prefix = ""
    if target == 0 and level > 0:
        if len(module.layers) != 1:  # type: ignore[arg-type]
            raise StateDictError(
                f"a tinybig {kinds[level]} state dict loads only into a model with one layer; "
                f"this model has {len(module.layers)}"  # type: ignore[arg-type]
            )
        prefix, module = "layers.0.", module.layers[0]  # type: ignore[index]
        target = 1
    if target == 1 and level > 1:
        if len(module.heads) != 1:  # type: ignore[arg-type]
            raise StateDictError(
                "a tinybig head state dict loads only into a layer with one head; this layer "
                f"has {len(module.heads)}"  # type: ignore[arg-type]
            )
        prefix += "heads.0."
    return prefix


def _as_tensor(value: Any, like: Tensor) -> Tensor:
    if isinstance(value, Tensor):
        return value.detach()
    if like.dtype == torch.bool:
        return torch.as_tensor(value, dtype=torch.bool)
    # Conformance numbers are float32 values written as doubles: parse as float64, then cast.
    return torch.as_tensor(value, dtype=torch.float64)


def load_tinybig_state_dict(module: nn.Module, state_dict: Mapping[str, Any]) -> list[str]:
    """Copy a tinybig state dict into a compiled module, in place.

    Args:
        module: an :class:`RPNModel`, :class:`RPNLayer` or :class:`RPNHead`.
        state_dict: tinybig's parameter names -> tensors or nested lists of numbers. Values
            are cast to the module's dtype and moved to its device.

    Returns:
        The module's state-dict keys that the dict did not set and that kept their values:
        random buffers (tinybig redraws them per process), processing modules under native
        semantics, a trained hypernet's network.

    Raises:
        StateDictError: listing every key the module does not have (with the nearest match),
            every shape that differs, and every tinybig parameter of the module left unset.
    """
    keys = [str(k) for k in state_dict]
    prefix = _prefix(module, _dict_level(keys))
    own: dict[str, Tensor] = dict(module.state_dict(keep_vars=True))
    problems: list[str] = []
    values: dict[str, Tensor] = {}
    for key, value in state_dict.items():
        name = prefix + _own_name(str(key))
        if name not in own:
            near = difflib.get_close_matches(name, list(own), n=1)
            hint = f" (did you mean {near[0][len(prefix) :]!r}?)" if near else ""
            problems.append(f"unexpected key {key!r}: the module has no {name!r}{hint}")
            continue
        try:
            tensor = _as_tensor(value, own[name])
        except (TypeError, ValueError, RuntimeError) as e:
            problems.append(f"{key!r}: not a tensor or a rectangular list of numbers ({e})")
            continue
        if tuple(tensor.shape) != tuple(own[name].shape):
            problems.append(
                f"{key!r}: expected shape {tuple(own[name].shape)}, got {tuple(tensor.shape)}"
            )
            continue
        values[name] = tensor
    params = dict(module.named_parameters())
    given = {prefix + _own_name(k) for k in keys}
    for name in own:
        tinybig = name in params and name.rsplit(".", 1)[-1] in TINYBIG_PARAMETERS
        if tinybig and name not in given:
            shape = tuple(own[name].shape)
            problems.append(f"missing {name[len(prefix) :]!r} (shape {shape})")
    if problems:
        lines = "\n".join(f"  {p}" for p in problems)
        raise StateDictError(f"the tinybig state dict does not fit the module:\n{lines}")
    with torch.no_grad():
        for name, tensor in values.items():
            own[name].copy_(tensor.to(device=own[name].device, dtype=own[name].dtype))
    return sorted(k for k in own if k not in values)
