"""Hypothesis strategies built from a search space, so users can property-test their spaces.

    from hypothesis import given
    from rpnschema.testing import from_space

    @given(from_space(space))                      # accepted candidates, normalized
    def test_my_training_step_runs(spec): ...

``from_space(space, accepted=False)`` draws every candidate (invalid and over-budget ones too)
as a :class:`~rpnschema.space.Verdict`.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from rpnschema.space.candidates import Verdict, judge, materialize
from rpnschema.space.check import Space
from rpnschema.space.model import Choice, Fixed, FloatRange, IntRange, Values


def _param(node: Any) -> SearchStrategy[Any]:
    if isinstance(node, Fixed):
        return st.just(node.fixed)
    if isinstance(node, Values):
        return st.sampled_from(node.values)
    if isinstance(node, IntRange):
        return st.integers(0, (node.size or 1) - 1).map(node.at)
    if isinstance(node, FloatRange):
        if node.log:
            lo, hi = math.log(node.low), math.log(node.high)
            return st.floats(lo, hi).map(lambda v: min(max(math.exp(v), node.low), node.high))
        return st.floats(node.low, node.high, allow_nan=False, allow_infinity=False)
    raise TypeError(type(node).__name__)


def _component(name: str, params: dict[str, Any]) -> SearchStrategy[Any]:
    if not params:
        return st.just(name)
    return st.fixed_dictionaries({k: _param(p) for k, p in params.items()}).map(
        lambda values: {"name": name, **values}
    )


def _dimension(node: Any) -> SearchStrategy[Any]:
    if isinstance(node, Choice):
        return st.one_of(*(_component(n, p) for n, p in node.choice.items()))
    return _param(node)


def assignments(space: Space) -> SearchStrategy[dict[str, Any]]:
    """Assignments of every dimension of ``space`` (ties resolved)."""
    dims = space.dimensions
    free = st.fixed_dictionaries({path: _dimension(d) for path, d in dims.free})
    return free.map(dims.resolve_ties)


def verdicts(space: Space) -> SearchStrategy[Verdict]:
    """Every candidate with what the static checks say of it."""
    budgets, limits = space.spec.budgets, space.limits
    return assignments(space).map(lambda a: judge(materialize(space.base, a), a, budgets, limits))


def from_space(space: Space, *, accepted: bool = True) -> SearchStrategy[Any]:
    """Normalized specs of accepted candidates (valid and within budget); with
    ``accepted=False``, the :class:`Verdict` of any candidate."""
    if not accepted:
        return verdicts(space)
    return verdicts(space).filter(lambda v: v.accepted).map(lambda v: v.spec)
