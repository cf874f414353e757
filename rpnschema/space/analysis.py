"""Static analysis of a checked space: size, how many candidates are valid and within budget,
and why the others are pruned, exactly for small spaces and estimated by sampling otherwise."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rpnschema.space.candidates import Verdict, judge, key, materialize
from rpnschema.space.check import Space

#: Spaces with at most this many candidates are checked exhaustively.
EXHAUSTIVE_LIMIT = 10_000


def verdicts(space: Space, assignments: Iterator[dict[str, Any]]) -> Iterator[Verdict]:
    for assignment in assignments:
        data = materialize(space.base, assignment)
        yield judge(data, assignment, space.spec.budgets, space.limits)


@dataclass
class Analysis:
    """What `rpnschema space check` reports."""

    size: int | None
    checked: int
    exhaustive: bool
    accepted: int
    invalid: int
    over_budget: int
    #: reason (an error code, or ``RPN408 <budget>``) -> candidates it prunes
    reasons: Counter[str] = field(default_factory=Counter)
    #: reason -> the first message seen for it
    examples: dict[str, str] = field(default_factory=dict)

    @property
    def pruned(self) -> int:
        return self.invalid + self.over_budget

    def estimate(self, count: int) -> float | None:
        """``count`` of the checked candidates, scaled to the whole (finite) space."""
        if self.size is None or self.checked == 0:
            return None
        return count * self.size / self.checked

    def fraction(self, count: int) -> float:
        return count / self.checked if self.checked else 0.0

    def stderr(self, count: int) -> float:
        """Standard error of a sampled fraction (0 when exhaustive)."""
        if self.exhaustive or self.checked < 2:
            return 0.0
        p = self.fraction(count)
        return math.sqrt(p * (1 - p) / self.checked)

    def to_data(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "checked": self.checked,
            "exhaustive": self.exhaustive,
            "accepted": self.accepted,
            "invalid": self.invalid,
            "over_budget": self.over_budget,
            "reasons": dict(sorted(self.reasons.items())),
            "examples": dict(sorted(self.examples.items())),
        }


def analyze(
    space: Space,
    *,
    samples: int = 1000,
    seed: int = 0,
    exhaustive_limit: int = EXHAUSTIVE_LIMIT,
) -> Analysis:
    """Check every candidate of a space of at most ``exhaustive_limit``; otherwise ``samples``
    candidates drawn uniformly (reproducible with ``seed``)."""
    dims = space.dimensions
    size = dims.size
    exhaustive = size is not None and size <= exhaustive_limit
    if exhaustive:
        source: Iterator[dict[str, Any]] = dims.enumerate()
    else:
        rng = random.Random(seed)
        source = (dims.draw(rng) for _ in range(samples))
    result = Analysis(size, 0, exhaustive, 0, 0, 0)
    for v in verdicts(space, source):
        result.checked += 1
        if v.accepted:
            result.accepted += 1
            continue
        if v.valid:
            result.over_budget += 1
        else:
            result.invalid += 1
        for reason in v.reasons:
            result.reasons[reason] += 1
            result.examples.setdefault(reason, v.reason_text())
    return result


def sample(
    space: Space, n: int, *, seed: int = 0, max_draws: int | None = None
) -> tuple[list[Verdict], int]:
    """Up to ``n`` distinct accepted candidates, drawn reproducibly, and how many draws that
    took (at most ``max_draws``, default ``100 * n``)."""
    rng = random.Random(seed)
    dims = space.dimensions
    size = dims.size
    limit = max_draws if max_draws is not None else 100 * n
    found: list[Verdict] = []
    seen: set[str] = set()
    draws = 0
    while len(found) < n and draws < limit and (size is None or len(seen) < size):
        draws += 1
        assignment = dims.draw(rng)
        k = key(assignment)
        if k in seen:
            continue
        seen.add(k)
        v = next(verdicts(space, iter([assignment])))
        if v.accepted:
            found.append(v)
    return found, draws


def grid(space: Space) -> Iterator[Verdict]:
    """Every candidate of a finite space with its verdict, in enumeration order."""
    return verdicts(space, space.dimensions.enumerate())
