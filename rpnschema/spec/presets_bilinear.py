"""tinybig's bilinear attention architectures as presets: ``bilinear_interdependence_head``
(head preset ``preset: bilinear``, :class:`rpnschema.spec.presets.BilinearPreset`),
``bilinear_interdependence_layer`` (one such head, width copies, a parameterized concatenation
head fusion) and ``tinybig.model.transformer``
(:class:`~rpnschema.spec.model_presets.TransformerModelPreset`). Pure data, no torch.

Sequence layout (tinybig's): the rows of the input are the tokens of one sequence. A head
takes X (L x m), computes the attention A = softmax_col(sqrt(n) * X W X^T) (L x L, zeros
masked) with W (m x m) learned, and returns

    g(X) = A^T kappa(X) psi(w)^T + pi(X)      (L x n)

followed by its output processing (batch norm over the L rows, ReLU, dropout, softmax over
features). ``batch`` (tinybig's batch_num) may fix L; by default any L works.

Arguments, defaults and their precedence are tinybig 0.2.1's code: lorr before dual_lphm for the
interdependence (``with_lorr_interdependence`` wins), dual_lphm before lorr for the
reconciliation; the dual_lphm interdependence factors m as find_close_factors(m) (q = p).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import Field

from rpnschema.factors import find_close_factors
from rpnschema.spec.base import Spec

Dim = Annotated[int, Field(ge=1)]


class BilinearOptions(Spec):
    """The options tinybig's bilinear attention classes share (head, layer, transformer), with
    the head's defaults; the transformer overrides some."""

    batch: Dim | None = Field(
        default=None,
        description="Sequence length (tinybig's batch_num) for the static sizes; the attention "
        "itself takes any number of rows.",
    )
    with_lorr_interdependence: bool = Field(default=False, description="Attention W = lorr.")
    with_dual_lphm_interdependence: bool = Field(default=False, description="W = dual_lphm.")
    r_interdependence: Dim = Field(default=3, description="Rank of the attention's W.")
    with_taylor: bool = Field(default=False, description="Taylor expansion of order d.")
    d: Dim = Field(default=2, description="Taylor order.")
    with_dual_lphm: bool = Field(default=False, description="dual_lphm reconciliation.")
    with_residual: bool = Field(default=False, description="A linear remainder.")
    with_batch_norm: bool = Field(default=False, description="Batch norm on the output.")
    with_relu: bool = Field(default=True, description="ReLU on the output.")
    with_dropout: bool = Field(default=False, description="Dropout on the output.")
    p: Annotated[float, Field(ge=0, lt=1)] = Field(default=0.25, description="Dropout rate.")
    with_softmax: bool = Field(default=True, description="Softmax over the output features.")


def _interdependence(p: dict[str, Any], m: int | None, n: int) -> dict[str, Any]:
    if p["with_lorr_interdependence"]:
        fn: dict[str, Any] = {
            "name": "lowrank_parameterized_bilinear_interdependence",
            "r": p["r_interdependence"],
        }
    elif p["with_dual_lphm_interdependence"]:
        fn = {
            "name": "dual_lphm_parameterized_bilinear_interdependence",
            "r": p["r_interdependence"],
            "p": find_close_factors(m),  # type: ignore[arg-type]  # m checked (RPN486)
        }
    else:
        fn = {"name": "parameterized_bilinear_interdependence"}
    fn["softmax"] = {"mode": "column", "rescale_factor": math.sqrt(n), "mask_zeros": True}
    return fn


def _reconciliation(p: dict[str, Any]) -> dict[str, Any]:
    bias = p["enable_bias"]
    if p["with_dual_lphm"]:
        return {"name": "dual_lphm_reconciliation", "r": p["r"], "enable_bias": bias}
    if p["with_lorr"]:
        return {"name": "lorr_reconciliation", "r": p["r"], "enable_bias": bias}
    return {"name": "identity_reconciliation", "enable_bias": bias}


def _output(p: dict[str, Any], n: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if p["with_batch_norm"]:
        out.append({"name": "batch_norm", "num_features": n})
    if p["with_relu"]:
        out.append({"name": "relu"})
    if p["with_dropout"]:
        out.append({"name": "dropout", "p": p["p"]})
    if p["with_softmax"]:
        out.append({"name": "softmax", "dim": -1})
    return out


def bilinear_head(p: dict[str, Any], m: int | None, n: int) -> dict[str, Any]:
    """The head tinybig's bilinear_interdependence_head(m, n, **p) describes (p: all of its
    arguments, tinybig's names; m may be left to inheritance unless W is dual_lphm)."""
    head: dict[str, Any] = {
        "m": m,
        "n": n,
        "channels": p["channel_num"],
        "instance_interdependence": _interdependence(p, m, n),
        "expansion": {"name": "taylor_expansion", "d": p["d"]}
        if p["with_taylor"]
        else {"name": "identity_expansion"},
        "reconciliation": _reconciliation(p),
        "remainder": {"name": "linear_remainder" if p["with_residual"] else "zero_remainder"},
    }
    if m is None:
        del head["m"]
    if p.get("batch_num") is not None:
        head["batch"] = p["batch_num"]
    output = _output(p, n)
    if output:
        head["output_process"] = output
    return head


def bilinear_layer(p: dict[str, Any], m: int | None, n: int, width: int) -> dict[str, Any]:
    """tinybig's bilinear_interdependence_layer: ``width`` copies of one head object
    (``share_heads``) and a parameterized concatenation of the width outputs mapped to n (for
    width 1 tinybig's own sum(dims) = n; for more, tinybig's layer would output n * width and its
    transformer would fail on the next layer, so native specs project back to n)."""
    layer: dict[str, Any] = {
        "m": m,
        "n": n,
        "heads": [bilinear_head(p, m, n)],
        "head_fusion": {"name": "parameterized_concatenation_fusion", "n": n},
    }
    if m is None:
        del layer["m"]
    if width > 1:
        layer.update(width=width, share_heads=True)
    return layer
