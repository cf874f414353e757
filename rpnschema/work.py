"""A budget for the per-value arithmetic of one validation, and a memo per distinct value.

A few dimension rules cost more than constant time for a single number: factoring a size (tinybig's
``find_close_factors``, divisor suggestions: up to sqrt(k) steps) and counting the lattice cells of
a sphere or cylinder patch (up to r^2 steps). Each is computed once per distinct value (a repeated
head or layer costs nothing more), and the steps all distinct values take are charged against
:data:`WORK_LIMIT` per validation, so no spec, however it repeats or varies its values, makes
validation run for more than about a second of arithmetic. Outside :func:`budget` (the compiler,
direct calls) nothing is charged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Generic, TypeVar

__all__ = ["WORK_LIMIT", "Exhausted", "Memo", "budget"]

#: Steps (a trial division, a square root) the distinct values of one validation may take.
WORK_LIMIT = 4_000_000

_left: ContextVar[list[int] | None] = ContextVar("rpnschema_work_left", default=None)

K = TypeVar("K")
V = TypeVar("V")


class Exhausted(Exception):
    """A computation would take the validation past :data:`WORK_LIMIT` steps."""

    def __init__(self, steps: int, left: int):
        super().__init__(f"{steps} steps needed, {left} left of {WORK_LIMIT}")
        self.steps, self.left = steps, left


@contextmanager
def budget(steps: int = WORK_LIMIT) -> Iterator[None]:
    """Charge the memoized computations run inside against ``steps``."""
    token = _left.set([steps])
    try:
        yield
    finally:
        _left.reset(token)


class Memo(Generic[K, V]):
    """``fn`` memoized per argument (at most ``maxsize`` kept); a call that computes charges
    ``cost(key)`` steps first and raises :class:`Exhausted` past the budget."""

    def __init__(self, fn: Callable[[K], V], cost: Callable[[K], int], maxsize: int = 4096):
        self.fn, self.cost, self.maxsize = fn, cost, maxsize
        self.cache: dict[K, V] = {}

    def __call__(self, key: K) -> V:
        if key in self.cache:
            return self.cache[key]
        left = _left.get()
        if left is not None:
            steps = self.cost(key)
            if steps > left[0]:
                raise Exhausted(steps, left[0])
            left[0] -= steps
        value = self.fn(key)
        if len(self.cache) >= self.maxsize:
            self.cache.clear()
        self.cache[key] = value
        return value
