"""Sequence layers and heads: the static rules of tinybig's chain architectures (no torch).

A sequence layer (``steps: L``) reads every input row as L positions of m features, position
after position (``x.view(b, L, m)``); its heads map each position m -> n, so the row leaving it
holds L positions of n values (output size L*n). A head's instance interdependence then mixes
the positions of each row with one L x L matrix (the head's ``batch`` is L), which is what
tinybig's ``chain_interdependence_head`` computes; ``input_process`` and ``output_process``
act on the whole row (tinybig's chain head applies its softmax over all L*n values).
``pool_steps: true`` averages the positions before the heads (tinybig rnn's output layer).

The functions here return :class:`~rpnschema.dims.DimProblem` values (paths relative to the
layer or head) for :mod:`rpnschema.infer` to report.
"""

from __future__ import annotations

from typing import Any

from rpnschema.dims import DimProblem
from rpnschema.errors import Code


def input_width(layer: Any) -> int:
    """The size of a normalized layer's input row: steps * m for a sequence layer."""
    return layer.m * (layer.steps or 1)


def layer_steps(spec: Any, heads: list[Any]) -> tuple[int | None, list[DimProblem]]:
    """The steps of a layer: its own, else the one its heads give (inferred); with the
    problems of heads that disagree or a pool_steps without steps."""
    given = {h.steps for h in heads if h.steps is not None}
    steps = spec.steps
    problems = []
    if spec.pool_steps:
        if steps is None:
            problems.append(
                DimProblem(
                    Code.SEQUENCE_STEPS,
                    "pool_steps averages the positions of a sequence layer, but the layer has "
                    "no steps",
                    ("pool_steps",),
                    expected="steps: <positions per input row>",
                    suggestion="add steps, or remove pool_steps",
                )
            )
        elif given:
            problems.append(
                DimProblem(
                    Code.SEQUENCE_STEPS,
                    "the heads of a pool_steps layer see the averaged row, one position: they "
                    "take no steps",
                    ("heads",),
                    expected="heads without steps",
                    found=f"steps {sorted(given)}",
                    suggestion="remove steps from the heads, or pool_steps from the layer",
                )
            )
        return steps, problems
    if steps is None and len(given) == 1:
        return given.pop(), problems
    wrong = given - {steps} if steps is not None else given
    if len(given) > 1 or wrong:
        problems.append(
            DimProblem(
                Code.SEQUENCE_STEPS,
                f"the heads give steps {sorted(given)}"
                + (f" but the layer has steps: {steps}" if steps is not None else "")
                + ": every head of a sequence layer reads the same positions",
                ("steps",),
                expected=f"steps: {steps}" if steps is not None else "one steps value",
                found=str(sorted(given)),
                suggestion="give the heads the layer's steps (or leave it out: they inherit it)",
            )
        )
    return steps, problems


def input_m(prev: int, steps: int) -> int | DimProblem:
    """A sequence layer's per-position m from the previous layer's output size."""
    if prev % steps == 0:
        return prev // steps
    return DimProblem(
        Code.SEQUENCE_WIDTH,
        f"the previous layer outputs {prev} values, which are not steps (={steps}) positions "
        "of m features",
        ("m",),
        expected=f"an output size divisible by steps = {steps}",
        found=str(prev),
        suggestion="change steps, or the previous layer's n",
    )


def width_mismatch(prev: int, m: int, steps: int) -> DimProblem:
    """The previous layer's output size is not steps * m."""
    return DimProblem(
        Code.SEQUENCE_WIDTH,
        f"the sequence layer reads steps (={steps}) positions of m (={m}) features, "
        f"{steps * m} values, but the previous layer outputs {prev}",
        ("m",),
        expected=str(steps * m),
        found=str(prev),
        suggestion=f"set m: {prev // steps}" if prev % steps == 0 else "change steps or m",
    )


def fusion_keeps_n(spec: Any, n: int, fused: int, role: str) -> DimProblem | None:
    """A fusion inside a sequence head (channels) or layer (heads) must keep n."""
    if fused == n:
        return None
    return DimProblem(
        Code.SEQUENCE_FUSION,
        f"{spec.name} fuses the {role} of every position into {fused} values instead of "
        f"n = {n}, so the output row would not be steps positions of n",
        ("name",),
        expected=f"a fusion keeping the size n = {n} (mean_fusion, summation_fusion, ...)",
        found=spec.name,
        suggestion="use mean_fusion",
    )


def _fixed(spec: Any) -> bool:
    """Whether an instance interdependence's A is one matrix for every row (no data)."""
    from rpnschema.spec.interdependence import basic as ba
    from rpnschema.spec.interdependence import parameterized as pa
    from rpnschema.spec.interdependence import topological as to

    return isinstance(spec, (*ba.BASIC_TYPES, *to.TOPOLOGICAL_TYPES, pa._Parameterized))


def head_problems(spec: Any, steps: int, semantics: str) -> list[DimProblem]:
    """What a sequence head cannot be: a data-dependent instance interdependence, a batch
    other than steps, and (tinybig semantics) what tinybig's chain head cannot run."""
    problems = []
    inst = spec.instance_interdependence
    if spec.batch is not None and spec.batch != steps:
        problems.append(
            DimProblem(
                Code.SEQUENCE_INTERDEPENDENCE,
                f"the head's batch (={spec.batch}) is the number of positions its instance "
                f"interdependence mixes: steps = {steps}",
                ("batch",),
                expected=str(steps),
                found=str(spec.batch),
                suggestion="remove batch (a sequence head takes steps)",
            )
        )
    if inst is not None and not _fixed(inst):
        problems.append(
            DimProblem(
                Code.SEQUENCE_INTERDEPENDENCE,
                f"{inst.name} computes A from the data, but a sequence head mixes the positions "
                "of every row with one steps x steps matrix",
                ("instance_interdependence", "name"),
                expected="a chain, graph, basic or parameterized interdependence",
                found=inst.name,
                suggestion="use chain_interdependence",
            )
        )
    if semantics != "tinybig" or inst is None:
        return problems
    if spec.channels > 1:
        problems.append(
            DimProblem(
                Code.SEQUENCE_TINYBIG,
                f"tinybig 0.2.1 cannot run a chain head with {spec.channels} channels: its "
                "channel fusion sizes the output as steps * n and then asserts steps^2 * n "
                "(AssertionError in chain_based_heads.py); native semantics fuse the channels "
                "per position",
                ("channels",),
                expected="channels: 1 under semantics: tinybig",
                found=str(spec.channels),
                suggestion="use semantics: native, or channels: 1",
            )
        )
    norm = next((i for i, p in enumerate(spec.output_process) if p.name == "batch_norm"), None)
    if norm is not None and steps > 1:
        problems.append(
            DimProblem(
                Code.SEQUENCE_TINYBIG,
                f"tinybig 0.2.1's chain head builds BatchNorm1d(num_features=n) and applies it "
                f"to its steps * n output (steps = {steps}): torch raises; native semantics "
                "normalize the whole output row",
                ("output_process", norm),
                expected="no batch_norm under semantics: tinybig (or steps: 1)",
                found="batch_norm",
                suggestion="use semantics: native, or remove the batch norm",
            )
        )
    return problems


def positions_kept(spec: Any, b_prime: int | None, steps: int) -> DimProblem | None:
    """The instance interdependence must keep the steps positions (b' = steps)."""
    if b_prime is None or b_prime == steps:
        return None
    return DimProblem(
        Code.SEQUENCE_INTERDEPENDENCE,
        f"{spec.instance_interdependence.name} maps the {steps} positions to {b_prime}; a "
        "sequence head keeps its positions",
        ("instance_interdependence",),
        expected=f"b' = steps = {steps}",
        found=f"b' = {b_prime}",
        suggestion="remove b_prime",
    )
