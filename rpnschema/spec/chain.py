"""The chain (sequence) head preset, after tinybig's ``chain_interdependence_head``.

A chain head reads its input row as ``chain_length`` positions of m features, mixes the
positions with a chain interdependence (A is chain_length x chain_length) and maps every
position m -> n with one reconciled weight: input chain_length*m, output chain_length*n
(``steps`` on the expanded head). :func:`chain_head` is the one expansion, shared by the
``preset: chain`` head (:class:`rpnschema.spec.presets.ChainPreset`) and by the tinybig reader
(arguments in tinybig's names).
"""

from typing import Annotated, Any

from pydantic import Field

from rpnschema.spec.base import Spec

Positive = Annotated[int, Field(ge=1)]


class ChainOptions(Spec):
    """The chain options of tinybig's chain heads, layers and rnn models (tinybig 0.2.1's code
    defaults): the chain matrix, the reconciliation choice and the output processing."""

    chain_length: Positive = Field(description="Positions per input row (tinybig chain_length).")
    bi_directional: bool = Field(default=False, description="Chain links go both ways.")
    with_multihop: bool = Field(default=False, description="A = adj^h (multihop chain).")
    h: Positive = Field(default=1, description="Hops of the multihop chain.")
    accumulative: bool = Field(default=False, description="A = adj + ... + adj^h.")
    with_inverse_approx: bool = Field(default=False, description="A = (I - adj)^-1.")
    with_exponential_approx: bool = Field(default=False, description="A = exp(adj).")
    self_dependence: bool = Field(default=True, description="Add self_scaling * I to A.")
    self_scaling: float = Field(default=1.0, description="Weight of the self-links.")
    with_dual_lphm: bool = Field(default=False, description="dual_lphm reconciliation.")
    with_batch_norm: bool = Field(default=False, description="Batch norm (chain outputs).")
    with_relu: bool = Field(default=True, description="ReLU (chain outputs).")
    with_dropout: bool = Field(default=False, description="Dropout (chain outputs).")
    p: Annotated[float, Field(ge=0, lt=1)] = Field(default=0.25, description="Dropout rate.")
    with_softmax: bool = Field(default=True, description="Softmax over the last output.")


def chain_interdependence(p: dict[str, Any]) -> dict[str, Any]:
    """The instance interdependence tinybig's chain head builds (exponential, inverse,
    multihop or plain chain, in that order of precedence; never normalized)."""
    base = {
        "chain_length": p["chain_length"],
        "bi_directional": p["bi_directional"],
        "normalization": False,
        "self_dependence": p["self_dependence"],
        "self_scaling": p["self_scaling"],
    }
    if p["with_exponential_approx"]:
        return {"name": "exponential_approx_multihop_chain_interdependence", **base}
    if p["with_inverse_approx"]:
        return {"name": "inverse_approx_multihop_chain_interdependence", **base}
    if p["with_multihop"]:
        return {
            "name": "multihop_chain_interdependence",
            "h": p["h"],
            "accumulative": p["accumulative"],
            **base,
        }
    return {"name": "chain_interdependence", **base}


def chain_head(p: dict[str, Any]) -> dict[str, Any]:
    """The head of a chain_interdependence_head with the arguments ``p`` (tinybig's names,
    every one given): identity expansion, identity / lorr / dual_lphm reconciliation, zero or
    linear remainder (per position), batch norm / ReLU / dropout / softmax over the row."""
    if p["with_dual_lphm"]:
        rec = {"name": "dual_lphm_reconciliation", "r": p["r"], "enable_bias": p["enable_bias"]}
    elif p["with_lorr"]:
        rec = {"name": "lorr_reconciliation", "r": p["r"], "enable_bias": p["enable_bias"]}
    else:
        rec = {"name": "identity_reconciliation", "enable_bias": p["enable_bias"]}
    out: list[dict[str, Any]] = []
    if p["with_batch_norm"]:
        out.append({"name": "batch_norm"})
    if p["with_relu"]:
        out.append({"name": "relu"})
    if p["with_dropout"]:
        out.append({"name": "dropout", "p": p["p"]})
    if p["with_softmax"]:
        out.append({"name": "softmax", "dim": -1})
    head: dict[str, Any] = {
        "steps": p["chain_length"],
        "channels": p["channel_num"],
        "instance_interdependence": chain_interdependence(p),
        "expansion": {"name": "identity_expansion"},
        "reconciliation": rec,
        "remainder": {"name": "linear_remainder" if p["with_residual"] else "zero_remainder"},
    }
    if out:
        head["output_process"] = out
    return head
