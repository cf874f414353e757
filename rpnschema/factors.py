"""How the hypercomplex reconciliations pick their factors p and q (pure Python, no torch).

The spec layer and the torch kernels share this rule, so that a statically inferred l always equals
the length the compiled module uses. It reproduces tinybig 0.2.1:

- ``hm_reconciliation``, ``lphm_reconciliation``, ``dual_lphm_reconciliation``: an omitted p is
  ``find_close_factors(n)`` and an omitted q is ``find_close_factors(D)``, independently (q does not
  default to p, whatever tinybig's docstrings say). Example: n=4, D=9 gives p=2, q=3.
- ``duplicated_padding_reconciliation``, ``duplicated_diagonal_padding_reconciliation``: p defaults
  to 2 (a constructor default, not derived from n) and an omitted q equals p. Example: p=2, n=2,
  D=4 gives q=2.
- ``hm/lphm/dual_lphm_parameterized_concatenation_fusion``: p is required and an omitted q equals p
  (here D is the fusion's sum(dims)).

Short names (``"hm"``, ``"lphm"``, ...) are accepted as well as tinybig class names.
"""

from __future__ import annotations

import math

__all__ = ["find_close_factors", "resolve_pq"]

_AUTO_PQ = frozenset({"hm", "lphm", "dual_lphm"})
_PADDING = frozenset({"duplicated_padding", "duplicated_diagonal_padding"})
_FUSION_PQ = frozenset(
    {
        "hm_parameterized_concatenation",
        "lphm_parameterized_concatenation",
        "dual_lphm_parameterized_concatenation",
    }
)


def find_close_factors(k: int) -> int:
    """The largest divisor of ``k`` that is at most ``isqrt(k)`` (1 for primes and for k = 1)."""
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"find_close_factors needs a positive integer, got {k!r}")
    for i in range(math.isqrt(k), 0, -1):
        if k % i == 0:
            return i
    return 1  # unreachable: 1 divides every k


def _short(name: str) -> str:
    for suffix in ("_reconciliation", "_fusion"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def resolve_pq(
    name: str, n: int, D: int, p: int | None = None, q: int | None = None
) -> tuple[int, int]:
    """Return the (p, q) that tinybig uses for function ``name`` with output n and input D.

    Raises ``ValueError`` if a required p is missing, a factor is not a positive integer, or
    p does not divide n / q does not divide D. ``name`` must be one of the hypercomplex or
    duplicated-padding reconciliations or the hm/lphm/dual_lphm parameterized concatenation
    fusions (tinybig class name, or that name without its ``_reconciliation``/``_fusion``
    suffix).
    """
    short = _short(name)
    if short in _AUTO_PQ:
        p = find_close_factors(n) if p is None else p
        q = find_close_factors(D) if q is None else q
    elif short in _PADDING:
        p = 2 if p is None else p
        q = p if q is None else q
    elif short in _FUSION_PQ:
        if p is None:
            raise ValueError(f"{name}: p is required")
        q = p if q is None else q
    else:
        raise ValueError(f"{name!r} has no p/q factors")
    for label, v in (("p", p), ("q", q)):
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise ValueError(f"{name}: {label} must be a positive integer, got {v!r}")
    if n % p != 0 or D % q != 0:
        raise ValueError(f"{name}: p={p} must divide n={n} and q={q} must divide D={D}")
    return p, q
