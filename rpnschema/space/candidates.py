"""Candidates of a space: enumeration, uniform sampling, materialized specs and their verdicts.

A *candidate* is one assignment of every dimension (an ordered mapping spec path -> value). It
becomes spec data by writing each value into a copy of the base spec, and is then validated and
checked against the budgets, all statically (no torch).
"""

from __future__ import annotations

import copy
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rpnschema.errors import Code, Diagnostic
from rpnschema.limits import Limits
from rpnschema.overrides import set_path
from rpnschema.space.model import (
    Budgets,
    Choice,
    Fixed,
    FloatRange,
    IntRange,
    Tie,
    Values,
)
from rpnschema.spec.model import ModelSpec

Path = tuple[str | int, ...]
Assignment = dict[str, Any]


def split_path(text: str) -> Path:
    """``layers/0/n`` -> ``("layers", 0, "n")``."""
    return tuple(int(p) if p.isdigit() else p for p in text.strip("/").split("/"))


def _finite_values(node: Values | IntRange | FloatRange | Fixed) -> list[Any] | None:
    if isinstance(node, Values):
        return list(node.values)
    if isinstance(node, Fixed):
        return [node.fixed]
    if isinstance(node, IntRange):
        return None  # decoded by index (a range may be long)
    return [node.low] if node.low == node.high else None


def _value_at(node: Values | IntRange | FloatRange | Fixed, index: int) -> Any:
    if isinstance(node, IntRange):
        return node.at(index)
    values = _finite_values(node)
    assert values is not None
    return values[index]


def _component(name: str, params: dict[str, Any]) -> Any:
    return {"name": name, **params} if params else name


def _decode_choice(node: Choice, index: int) -> Any:
    """The ``index``-th component setting of a finite choice (components in order, then the
    mixed-radix digits of their parameters, first parameter slowest)."""
    for name, params in node.choice.items():
        sizes = [p.size or 0 for p in params.values()]
        count = math.prod(sizes)
        if index < count:
            values: dict[str, Any] = {}
            for (key, p), size in zip(reversed(params.items()), reversed(sizes), strict=True):
                index, digit = divmod(index, size)
                values[key] = _value_at(p, digit)
            return _component(name, dict(reversed(list(values.items()))))
        index -= count
    raise IndexError(index)


def _draw_param(node: Values | IntRange | FloatRange | Fixed, rng: random.Random) -> Any:
    if isinstance(node, FloatRange):
        if node.log:
            return math.exp(rng.uniform(math.log(node.low), math.log(node.high)))
        return rng.uniform(node.low, node.high)
    if isinstance(node, IntRange) and node.log:
        value = round(math.exp(rng.uniform(math.log(node.low - 0.5), math.log(node.high + 0.5))))
        return min(max(value, node.low), node.high)
    return _value_at(node, rng.randrange(node.size or 1))


@dataclass(frozen=True)
class Verdict:
    """What static checks say of one candidate."""

    assignment: Assignment
    data: dict[str, Any]
    spec: ModelSpec | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    over_budget: list[str] = field(default_factory=list)
    flops: int | None = None
    memory: int | None = None

    @property
    def valid(self) -> bool:
        return self.spec is not None

    @property
    def accepted(self) -> bool:
        """Valid and within every budget."""
        return self.spec is not None and not self.over_budget

    @property
    def reasons(self) -> list[str]:
        """Why it is pruned: error codes, then the budgets it exceeds (empty when accepted)."""
        codes = sorted({d.code.value for d in self.diagnostics if d.severity == "error"})
        return codes + [f"{Code.BUDGET.value} {b.split(':')[0]}" for b in self.over_budget]

    def reason_text(self) -> str:
        errors = [d for d in self.diagnostics if d.severity == "error"]
        if errors:
            d = errors[0]
            more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
            return f"{d.pointer}: {d.message}{more}"
        return "; ".join(b.split(": ", 1)[-1] for b in self.over_budget)


def memory_bytes(spec: ModelSpec) -> int:
    """Parameter memory of a normalized spec: parameters x bytes of its dtype."""
    from rpnschema.summary import DTYPE_BYTES

    return (spec.parameters or 0) * DTYPE_BYTES[spec.dtype]


def judge(
    data: dict[str, Any], assignment: Assignment, budgets: Budgets, limits: Limits
) -> Verdict:
    """Validate candidate spec data and check it against the budgets."""
    from rpnschema.summary import summarize
    from rpnschema.validate import validate_data

    result = validate_data(data, limits=limits)
    spec = result.spec
    if spec is None:
        return Verdict(assignment, data, None, result.diagnostics)
    over: list[str] = []
    parameters = spec.parameters or 0
    if budgets.max_parameters is not None and parameters > budgets.max_parameters:
        over.append(f"max_parameters: {parameters:,} > {budgets.max_parameters:,}")
    flops = summarize(spec, batch=budgets.batch).total.flops.total
    if budgets.max_flops is not None and flops > budgets.max_flops:
        over.append(f"max_flops: {flops:,} > {budgets.max_flops:,}")
    memory = memory_bytes(spec)
    if budgets.max_memory is not None and memory > budgets.max_memory:
        over.append(f"max_memory: {memory:,} B > {budgets.max_memory:,} B")
    return Verdict(assignment, data, spec, result.diagnostics, over, flops, memory)


class Dimensions:
    """The dimensions of a checked space, in document order, with ties resolved last."""

    def __init__(self, dimensions: dict[str, Any]):
        self.items: list[tuple[str, Any]] = list(dimensions.items())
        self.free = [(p, d) for p, d in self.items if not isinstance(d, Tie)]

    @property
    def size(self) -> int | None:
        """The number of candidates, or None for a space with a continuous dimension."""
        sizes = [d.size for _, d in self.free]
        return None if None in sizes else math.prod(s for s in sizes if s is not None)

    def resolve_ties(self, assignment: Assignment) -> Assignment:
        """``assignment`` with each tied dimension set to its target's value."""
        out = dict(assignment)
        for path, d in self.items:
            if isinstance(d, Tie):
                out[path] = copy.deepcopy(assignment[d.tie.strip("/")])
        return out

    def decode(self, index: int) -> Assignment:
        """The ``index``-th candidate of a finite space (first dimension slowest)."""
        assignment: Assignment = {}
        for path, d in reversed(self.free):
            size = d.size or 1
            index, digit = divmod(index, size)
            assignment[path] = (
                _decode_choice(d, digit) if isinstance(d, Choice) else _value_at(d, digit)
            )
        return self.resolve_ties(dict(reversed(list(assignment.items()))))

    def draw(self, rng: random.Random) -> Assignment:
        """A random candidate: uniform over the candidates of a finite space; each dimension
        independently (components uniformly, then their parameters) otherwise."""
        size = self.size
        if size is not None:
            return self.decode(rng.randrange(size))
        assignment: Assignment = {}
        for path, d in self.free:
            if isinstance(d, Choice):
                name = rng.choice(list(d.choice))
                params = {k: _draw_param(p, rng) for k, p in d.choice[name].items()}
                assignment[path] = _component(name, params)
            else:
                assignment[path] = _draw_param(d, rng)
        return self.resolve_ties(assignment)

    def enumerate(self) -> Iterator[Assignment]:
        size = self.size
        if size is None:
            raise ValueError("a space with a continuous dimension cannot be enumerated")
        for index in range(size):
            yield self.decode(index)


def materialize(base: dict[str, Any], assignment: Assignment) -> dict[str, Any]:
    """The spec data of a candidate: ``base`` with each assigned value written at its path."""
    data = copy.deepcopy(base)
    for path, value in assignment.items():
        set_path(data, ".".join(str(p) for p in split_path(path)), copy.deepcopy(value))
    return data


def key(assignment: Assignment) -> str:
    """A canonical text of an assignment (to tell candidates apart)."""
    return json.dumps(assignment, sort_keys=True, default=str)
