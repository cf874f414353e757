"""B-spline and recursively defined polynomial expansion kernels.

All polynomial kernels return [P_1(x_j), ..., P_d(x_j)] per feature j, feature-major
(column j * d + k - 1), D = m * d, like tinybig. The recurrences below keep tinybig's
operation order so float32 results stay within rounding of tinybig's.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from rpnschema.compile.kernels.expansion_common import (
    check_input,
    check_semantics,
    stack_degrees,
)

# P_{n}(x) = step(n, x, P_{n-1}, P_{n-2}) for n >= 2
_Step = Callable[[int, Tensor, Tensor, Tensor], Tensor]


def _recurrence(x: Tensor, d: int, p0: Tensor, p1: Tensor, step: _Step) -> Tensor:
    b, m = x.shape
    polys: list[Tensor] = []
    if d >= 1:
        polys.append(p1)
        prev2, prev1 = p0, p1
        for n in range(2, d + 1):
            cur = step(n, x, prev1, prev2)
            polys.append(cur)
            prev2, prev1 = prev1, cur
    return stack_degrees(polys, b, m, x)


def bspline(
    x: Tensor,
    *,
    semantics: str = "native",
    grid_range: tuple[float, float] = (-1, 1),
    t: int = 5,
    d: int = 3,
) -> Tensor:
    """Cox-de Boor B-spline bases of degree d on t uniform intervals of grid_range (extended
    by d knots on each side); D = m * (t + d), feature-major.

    Base case B_{i,0}(x) = 1 if g_i <= x < g_{i+1}, so values outside the extended grid are 0.
    """
    check_semantics(semantics)
    check_input(x)
    lo, hi = grid_range
    h = (hi - lo) / t
    grid = torch.arange(-d, t + d + 1, dtype=x.dtype, device=x.device) * h + lo
    xe = x.unsqueeze(-1)
    bases = ((xe >= grid[:-1]) & (xe < grid[1:])).to(x.dtype)
    for k in range(1, d + 1):
        left = (xe - grid[: -(k + 1)]) / (grid[k:-1] - grid[: -(k + 1)]) * bases[:, :, :-1]
        right = (grid[k + 1 :] - xe) / (grid[k + 1 :] - grid[1:(-k)]) * bases[:, :, 1:]
        bases = left + right
    return bases.flatten(1)


def chebyshev(x: Tensor, *, semantics: str = "native", d: int = 5) -> Tensor:
    """Chebyshev T_1..T_d: T_1 = x, T_n = 2x T_{n-1} - T_{n-2}."""
    check_semantics(semantics)
    check_input(x)
    return _recurrence(x, d, torch.ones_like(x), x, lambda n, x, p1, p2: 2 * x * p1 - p2)


def jacobi(
    x: Tensor, *, semantics: str = "native", d: int = 5, alpha: float = 1.0, beta: float = 1.0
) -> Tensor:
    """Jacobi P_1..P_d^(alpha, beta) by the three-term recurrence."""
    check_semantics(semantics)
    check_input(x)
    a, bb = alpha, beta

    def step(n: int, x: Tensor, p1: Tensor, p2: Tensor) -> Tensor:
        c1 = 2 * n * (n + a + bb) * (2 * n + a + bb - 2)
        c2 = (2 * n + a + bb - 1) * (2 * n + a + bb) * (2 * n + a + bb - 2)
        c3 = (2 * n + a + bb - 1) * (a**2 - bb**2)
        c4 = 2 * (n + a - 1) * (n + bb - 1) * (2 * n + a + bb)
        return ((c2 / c1) * x + c3 / c1) * p1 - (c4 / c1) * p2

    p1 = ((a - bb) + (a + bb + 2) * x) / 2
    return _recurrence(x, d, torch.ones_like(x), p1, step)


def hermite(x: Tensor, *, semantics: str = "native", d: int = 2) -> Tensor:
    """Probabilists' Hermite He_1..He_d: He_1 = x, He_n = x He_{n-1} - (n-1) He_{n-2}."""
    check_semantics(semantics)
    check_input(x)
    return _recurrence(x, d, torch.ones_like(x), x, lambda n, x, p1, p2: x * p1 - (n - 1) * p2)


def laguerre(x: Tensor, *, semantics: str = "native", d: int = 2, alpha: float = 1.0) -> Tensor:
    """Generalized Laguerre L_1..L_d^(alpha).

    L_n = ((2n - 1 + alpha - x) L_{n-1} - (n - 1 + alpha) L_{n-2}) / n for n >= 2.
    native: L_1 = 1 + alpha - x (the documented polynomial).
    tinybig: L_1 = x + 1 + alpha (tinybig 0.2.1's sign error; higher degrees inherit it).
    """
    check_semantics(semantics)
    check_input(x)
    p1 = x + 1.0 + alpha if semantics == "tinybig" else (1.0 + alpha) - x

    def step(n: int, x: Tensor, p1: Tensor, p2: Tensor) -> Tensor:
        return (2 * n - 1 + alpha - x) / n * p1 - (n - 1 + alpha) / n * p2

    return _recurrence(x, d, torch.ones_like(x), p1, step)


def legendre(x: Tensor, *, semantics: str = "native", d: int = 2) -> Tensor:
    """Legendre P_1..P_d: P_1 = x, P_n = ((2n-1) x P_{n-1} - (n-1) P_{n-2}) / n."""
    check_semantics(semantics)
    check_input(x)
    return _recurrence(
        x,
        d,
        torch.ones_like(x),
        x,
        lambda n, x, p1, p2: (2 * n - 1) / n * x * p1 - (n - 1) / n * p2,
    )


def gegenbauer(x: Tensor, *, semantics: str = "native", d: int = 2, alpha: float = 1.0) -> Tensor:
    """Gegenbauer C_1..C_d^(alpha): C_1 = 2 alpha x,
    C_n = (2x (n-1+alpha) C_{n-1} - (n-2+2 alpha) C_{n-2}) / n."""
    check_semantics(semantics)
    check_input(x)
    return _recurrence(
        x,
        d,
        torch.ones_like(x),
        2 * alpha * x,
        lambda n, x, p1, p2: (n - 1 + alpha) / n * 2 * x * p1 - (n - 2 + 2 * alpha) / n * p2,
    )


def bessel(x: Tensor, *, semantics: str = "native", d: int = 2) -> Tensor:
    """Bessel polynomials y_1..y_d: y_1 = x + 1, y_n = (2n-1) x y_{n-1} + y_{n-2}."""
    check_semantics(semantics)
    check_input(x)
    return _recurrence(
        x, d, torch.ones_like(x), x + 1, lambda n, x, p1, p2: (2 * n - 1) * x * p1 + p2
    )


def reverse_bessel(x: Tensor, *, semantics: str = "native", d: int = 2) -> Tensor:
    """Reverse Bessel theta_1..theta_d: theta_1 = x + 1,
    theta_n = (2n-1) theta_{n-1} + x^2 theta_{n-2}."""
    check_semantics(semantics)
    check_input(x)
    return _recurrence(
        x, d, torch.ones_like(x), x + 1, lambda n, x, p1, p2: (2 * n - 1) * p1 + x * x * p2
    )


def fibonacci(x: Tensor, *, semantics: str = "native", d: int = 2) -> Tensor:
    """Fibonacci polynomials F_1..F_d: F_0 = 0, F_1 = 1, F_n = x F_{n-1} + F_{n-2}."""
    check_semantics(semantics)
    check_input(x)
    return _recurrence(
        x, d, torch.zeros_like(x), torch.ones_like(x), lambda n, x, p1, p2: x * p1 + p2
    )


def lucas(x: Tensor, *, semantics: str = "native", d: int = 2) -> Tensor:
    """Lucas polynomials L_1..L_d: L_0 = 2, L_1 = x, L_n = x L_{n-1} + L_{n-2}."""
    check_semantics(semantics)
    check_input(x)
    return _recurrence(x, d, torch.full_like(x, 2.0), x, lambda n, x, p1, p2: x * p1 + p2)
