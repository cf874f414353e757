"""An example rpnschema plugin: one component of each family a plugin can extend.

- ``signed_power_expansion``: kappa(x) = [sign(x) |x|^p for p in powers], D = m * len(powers);
- ``block_diagonal_reconciliation``: W is block diagonal with ``blocks`` learnable blocks of
  (n / blocks) x (D / blocks), l = n * D / blocks (``blocks`` must divide n and D);
- ``gated_identity_remainder``: pi(x) = sigmoid(g) * x with one learnable gate per feature
  (n parameters; needs m == n);
- ``softmax_weighted_fusion``: sum_i softmax(w)_i x_i over equally sized inputs, l = k inputs.

This module holds the specs and rules only: importing it (what ``rpnschema --plugin example
validate`` does) does not import torch. The torch modules live in :mod:`.torch_impl`, which
rpnschema imports when it builds a model.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field

from rpnschema import plugins
from rpnschema.plugins import RuleError

Power = Annotated[float, Field(gt=0)]


class SignedPowerExpansion(plugins.Expansion):
    """[sign(x) |x|^p for p in powers]: D = m * len(powers)."""

    name: Literal["signed_power_expansion"]
    powers: list[Power] = Field(
        default=[1.0, 2.0], min_length=1, description="The exponents p (each > 0)."
    )


class BlockDiagonalReconciliation(plugins.Reconciliation):
    """Block-diagonal W of `blocks` learnable blocks: l = n D / blocks (blocks | n and D)."""

    name: Literal["block_diagonal_reconciliation"]
    blocks: int = Field(default=1, ge=1, description="Number of diagonal blocks.")


class GatedIdentityRemainder(plugins.Remainder):
    """sigmoid(g) * x with a learnable gate g per feature: n parameters; needs m == n."""

    name: Literal["gated_identity_remainder"]
    initial_gate: float = Field(default=0.0, description="Initial value of every gate logit.")


class SoftmaxWeightedFusion(plugins.Fusion):
    """sum_i softmax(w)_i x_i over equally sized inputs: output size = input size, l = k."""

    name: Literal["softmax_weighted_fusion"]


def _block_l(spec: BlockDiagonalReconciliation, n: int, D: int) -> int:
    b = spec.blocks
    if n % b or D % b:
        common = math.gcd(n, D)
        fits = [k for k in range(1, common + 1) if common % k == 0]
        raise RuleError(
            f"blocks (={b}) must divide both n (={n}) and D (={D})",
            field="blocks",
            expected=f"a common divisor of {n} and {D}: {fits}",
            found=str(b),
            suggestion=f"use blocks: {max(k for k in fits if k <= b)}",
        )
    return n * D // b


def _same_size(spec: GatedIdentityRemainder, m: int, n: int) -> None:
    if m != n:
        raise RuleError(
            f"gated_identity_remainder needs m == n, but m (={m}) and n (={n}) differ",
            expected=f"m = n (= {n})",
            found=f"m = {m}",
            suggestion="use linear_remainder, or a layer with m == n",
        )


def _equal_inputs(spec: SoftmaxWeightedFusion, dims: list[int]) -> int:
    if len(set(dims)) > 1:
        raise RuleError(
            f"softmax_weighted_fusion adds its inputs, but they have sizes {dims}",
            expected="inputs of one size",
            found=str(dims),
            suggestion="give the heads/channels one output size",
        )
    return dims[0]


_IMPL = "rpnschema_example_plugin.torch_impl"

plugin = plugins.Plugin(
    name="example",
    version="0.1.0",
    description="One component of each family a plugin can extend.",
    components=[
        plugins.ExpansionPlugin(
            SignedPowerExpansion, f"{_IMPL}:SignedPower", D=lambda s, m: m * len(s.powers)
        ),
        plugins.ReconciliationPlugin(
            BlockDiagonalReconciliation, f"{_IMPL}:BlockDiagonal", l=_block_l
        ),
        plugins.RemainderPlugin(
            GatedIdentityRemainder,
            f"{_IMPL}:GatedIdentity",
            check=_same_size,
            parameters=lambda s, m, n: n,
        ),
        plugins.FusionPlugin(
            SoftmaxWeightedFusion,
            f"{_IMPL}:SoftmaxWeighted",
            n=_equal_inputs,
            l=lambda s, dims: len(dims),
        ),
    ],
)
