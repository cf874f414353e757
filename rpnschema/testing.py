"""Hypothesis strategies for RPN specs, for property tests of rpnschema and of your own tools.

    from hypothesis import given
    from rpnschema.testing import model_specs

    @given(model_specs())
    def test_my_tool(data): ...

The strategies draw plain spec data, as a user writes it in YAML or JSON, valid by construction
and small (sizes <= ``max_dim``, expansions <= ``max_expansion_dim``), mixing the shorthand
forms: string component names, omitted ``m``, ``width`` / ``width_alloc``, ``depth`` /
``depth_alloc``, ``dims`` + ``head``, presets, single-item processing lists and pinned figures.
:func:`mutation_cases` and :func:`garbage` draw malformed documents for robustness tests.
:func:`check_plugin` checks that a plugin's torch modules agree with its declared rules.

This is the only module of rpnschema that imports hypothesis (the ``dev`` extra).
"""

from __future__ import annotations

import copy
import functools
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from rpnschema._plugin_check import DEFAULT_SIZES as PLUGIN_SIZES
from rpnschema._plugin_check import PluginCheckError, check_plugin
from rpnschema._testing_compression import COMPRESSION_NAMES, compressions
from rpnschema.space.strategies import from_space as from_space
from rpnschema.spec import CATALOG, COMPONENT_TYPES, PRESET_TYPES, component_name
from rpnschema.spec.head import HeadSpec
from rpnschema.spec.layer import LayerSpec
from rpnschema.spec.model import ModelSpec
from rpnschema.validate import validate_data

__all__ = [
    "COMPRESSION_NAMES",
    "EXPANSION_NAMES",
    "FUSION_NAMES",
    "INTERDEPENDENCE_NAMES",
    "MUTATION_KINDS",
    "PLUGIN_SIZES",
    "PRESET_NAMES",
    "PROCESSING_NAMES",
    "RECONCILIATION_NAMES",
    "REMAINDER_NAMES",
    "Mutation",
    "MutationKind",
    "PluginCheckError",
    "check_plugin",
    "cnn_specs",
    "compressions",
    "expansions",
    "from_space",
    "fusions",
    "garbage",
    "grid_layer_specs",
    "heads",
    "interdependences",
    "layers",
    "model_spec_objects",
    "model_specs",
    "mutation_cases",
    "mutations",
    "processing",
    "reconciliations",
    "remainders",
]  # fmt: skip

from rpnschema._testing_grid import GRID_PRESET_NAMES, cnn_specs, grid_layer_specs
from rpnschema._testing_interdependence import interdependences

Semantics = Literal["native", "tinybig"]
Draw = Callable[[SearchStrategy[Any]], Any]


def _names(family: str) -> tuple[str, ...]:
    return tuple(component_name(cls) for cls in COMPONENT_TYPES[family])


EXPANSION_NAMES = _names("expansion")
RECONCILIATION_NAMES = _names("reconciliation")
REMAINDER_NAMES = _names("remainder")
FUSION_NAMES = _names("fusion")
PROCESSING_NAMES = _names("processing")
INTERDEPENDENCE_NAMES = _names("interdependence")
PRESET_NAMES: tuple[str, ...] = tuple(
    cls.model_fields["preset"].annotation.__args__[0]  # type: ignore[union-attr]
    for cls in PRESET_TYPES
    if "chain_length" not in cls.model_fields  # a sequence head needs a sequence layer
)
#: The presets sized by the layer's m and n (the grid presets size themselves: cnn_specs and
#: grid_layer_specs draw them).
_SIZED_PRESETS = tuple(p for p in PRESET_NAMES if p not in GRID_PRESET_NAMES)


# --- small helpers --------------------------------------------------------------------------


_BOOL = st.booleans()


def _coin(draw: Draw) -> bool:
    return draw(_BOOL)


def _divisors(k: int) -> list[int]:
    return [f for f in range(1, k + 1) if k % f == 0]


def _near_sqrt(k: int) -> int:
    """tinybig's find_close_factors: the largest divisor of k that is <= isqrt(k)."""
    return max(f for f in _divisors(k) if f <= math.isqrt(k))


@functools.cache  # building a strategy costs more than drawing from it
def _real(lo: float, hi: float) -> SearchStrategy[float | int]:
    """Readable numbers in [lo, hi]: quarters, and sometimes an int (valid for float fields)."""
    quarters = st.integers(math.ceil(lo * 4), math.floor(hi * 4)).map(lambda k: k / 4)
    if math.ceil(lo) > math.floor(hi):
        return quarters
    return st.one_of(quarters, st.integers(math.ceil(lo), math.floor(hi)))


def _int(draw: Draw, params: dict[str, Any], key: str, lo: int, hi: int, default: int) -> int:
    """Draw params[key] in [lo, hi], or leave it out when its default is in range."""
    if lo <= default <= hi and _coin(draw):
        return default
    value = draw(st.integers(lo, max(lo, hi)))
    params[key] = value
    return value


def _opt(draw: Draw, params: dict[str, Any], key: str, values: SearchStrategy[Any]) -> None:
    """Sometimes set params[key] (its default is valid when left out)."""
    if _coin(draw):
        params[key] = draw(values)


def _range(draw: Draw, params: dict[str, Any], key: str) -> None:
    if _coin(draw):
        low = draw(st.integers(-8, 3)) / 2
        params[key] = [low, low + draw(st.integers(1, 8)) / 2]


def _component(draw: Draw, name: str, params: dict[str, Any]) -> Any:
    """A component as data: the bare name string when it has no parameters, sometimes."""
    if not params and _coin(draw):
        return name
    return {"name": name, **params}


def _put_list(draw: Draw, obj: dict[str, Any], key: str, items: list[Any]) -> None:
    """Store a list under key: left out or [] when empty, a bare item when single, sometimes."""
    if not items:
        if _coin(draw):
            obj[key] = []
        return
    obj[key] = items[0] if len(items) == 1 and _coin(draw) else items


def _sample(draw: Draw, options: Sequence[Any]) -> Any:
    """One of options (an index draw: cheaper than a fresh sampled_from, shrinks the same)."""
    return options[draw(st.integers(0, len(options) - 1))]


def _choose(draw: Draw, options: Sequence[str], groups: Sequence[tuple[str, ...]]) -> str:
    """A group of functions, then one of them: every function gets a fair share of draws
    (hypothesis draws long ranges of integers far from uniformly)."""
    members = [[n for n in group if n in options] for group in groups]
    return _sample(draw, _sample(draw, [m for m in members if m]))


@dataclass(frozen=True)
class _Cfg:
    """Bounds shared by every generator of one spec."""

    semantics: Semantics = "native"
    max_dim: int = 8
    max_expansion_dim: int = 64
    max_channels: int = 3
    max_width: int = 3
    presets: bool = True
    nesting: int = 1
    batch: int | None = None  # draw interdependences for this batch size (None: none)


# --- processing -----------------------------------------------------------------------------

_PROCESSING_GROUPS = (
    ("relu", "leaky_relu", "sigmoid", "tanh", "gelu"),
    ("silu", "softplus", "elu", "softmax", "log_softmax"),
    ("layer_norm", "batch_norm", "dropout"),
)  # fmt: skip


def _processing_item(draw: Draw, size: int | None) -> Any:
    name = _choose(draw, PROCESSING_NAMES, _PROCESSING_GROUPS)
    p: dict[str, Any] = {}
    if name == "leaky_relu":
        _opt(draw, p, "negative_slope", _real(0, 1))
    elif name == "gelu":
        _opt(draw, p, "approximate", st.sampled_from(("none", "tanh")))
    elif name == "softplus":
        _opt(draw, p, "beta", _real(0.25, 4))
        _opt(draw, p, "threshold", _real(1, 20))
    elif name == "elu":
        _opt(draw, p, "alpha", _real(0, 2))
    elif name in ("softmax", "log_softmax"):
        _opt(draw, p, "dim", st.sampled_from((-1, 1)))
    elif name == "dropout":
        _opt(draw, p, "p", _real(0, 0.75))
    elif name == "layer_norm":
        if size is not None and _coin(draw):
            p["normalized_shape"] = size
        _opt(draw, p, "eps", st.sampled_from((1e-5, 1e-6, 0.001)))
        _opt(draw, p, "elementwise_affine", st.booleans())
        _opt(draw, p, "bias", st.booleans())
    elif name == "batch_norm":
        if size is not None and _coin(draw):
            p["num_features"] = size
        _opt(draw, p, "eps", st.sampled_from((1e-5, 0.001)))
        _opt(draw, p, "momentum", _real(0, 1))
        _opt(draw, p, "affine", st.booleans())
        _opt(draw, p, "track_running_stats", st.booleans())
    return _component(draw, name, p)


def _processing(draw: Draw, size: int | None, max_items: int = 2) -> list[Any]:
    count = max(draw(st.integers(-max_items, max_items)), 0)  # none half of the time
    return [_processing_item(draw, size) for _ in range(count)]


def _put_processing(
    draw: Draw, obj: dict[str, Any], key: str, sizes: Sequence[int], max_items: int = 2
) -> None:
    """Processing functions acting on vectors of ``sizes`` (sized only when there is one)."""
    size = sizes[0] if len(set(sizes)) == 1 else None
    _put_list(draw, obj, key, _processing(draw, size, max_items))


# --- expansions -----------------------------------------------------------------------------

# D of the cheapest member of a family, in units of m.
_MIN_D = {
    "fourier_expansion": 2, "chi2_expansion": 2,
    **dict.fromkeys(
        ["hyperbolic_expansion", "arc_hyperbolic_expansion", "trigonometric_expansion",
         "arc_trigonometric_expansion"], 3,
    ),
    **dict.fromkeys(
        ["normal_expansion", "cauchy_expansion", "gamma_expansion", "exponential_expansion",
         "laplace_expansion", "hybrid_probabilistic_expansion"], 6,
    ),
}  # fmt: skip
_D_IS_M = {
    "identity_expansion", "reciprocal_expansion", "linear_expansion", "naive_normal_expansion",
    "naive_cauchy_expansion", "naive_chi2_expansion", "naive_gamma_expansion",
    "naive_exponential_expansion", "naive_laplace_expansion",
}  # fmt: skip
# polynomial families (D = m d) and their default degree
_DEGREE = {
    "chebyshev_expansion": 5, "jacobi_expansion": 5, "hermite_expansion": 2,
    "laguerre_expansion": 2, "legendre_expansion": 2, "gegenbauer_expansion": 2,
    "bessel_expansion": 2, "reverse_bessel_expansion": 2, "fibonacci_expansion": 2,
    "lucas_expansion": 2,
}  # fmt: skip
_GEOMETRIC = (
    "cuboid_patch_based_geometric_expansion", "cylinder_patch_based_geometric_expansion",
    "sphere_patch_based_geometric_expansion",
)  # fmt: skip
_COMPOSITIONS = ("nested_expansion", "extended_expansion")
_EXPANSION_GROUPS = (
    ("identity_expansion", "reciprocal_expansion", "linear_expansion"),
    ("taylor_expansion", "fourier_expansion", "chebyshev_expansion", "jacobi_expansion",
     "hermite_expansion", "laguerre_expansion"),
    ("legendre_expansion", "gegenbauer_expansion", "bessel_expansion",
     "reverse_bessel_expansion", "fibonacci_expansion", "lucas_expansion"),
    ("hyperbolic_expansion", "arc_hyperbolic_expansion", "trigonometric_expansion",
     "arc_trigonometric_expansion"),
    ("normal_expansion", "cauchy_expansion", "chi2_expansion", "gamma_expansion",
     "exponential_expansion", "laplace_expansion", "hybrid_probabilistic_expansion"),
    tuple(n for n in EXPANSION_NAMES if n.startswith("naive_")),
    ("gaussian_rbf_expansion", "inverse_quadratic_rbf_expansion", "bspline_expansion"),
    tuple(n for n in EXPANSION_NAMES if n.endswith("_wavelet_expansion")),
    ("combinatorial_expansion", "combinatorial_normal_expansion"),
    _GEOMETRIC,
    _COMPOSITIONS,
)  # fmt: skip


def _feasible(name: str, ms: Sequence[int], cap: int, nesting: int) -> bool:
    if name in _COMPOSITIONS:
        return nesting > 0
    if name in _GEOMETRIC:
        return len(set(ms)) == 1
    return _MIN_D.get(name, 1) * max(ms) <= cap


def _largest(limit: int, ok: Callable[[int], bool]) -> int:
    """The largest k in [1, limit] with ok(k), assuming ok is monotone and ok(1)."""
    k = 1
    while k < limit and ok(k + 1):
        k += 1
    return k


def _combinations(m: int, d: int, replace: bool, weighted: bool) -> int:
    count = (lambda r: math.comb(m + r - 1, r)) if replace else (lambda r: math.comb(m, r))
    return sum((r if weighted else 1) * count(r) for r in range(1, d + 1))


def _disc(r: int) -> int:
    return sum(1 for i in range(-r, r + 1) for j in range(-r, r + 1) if i * i + j * j <= r * r)


def _ball(r: int) -> int:
    span = range(-r, r + 1)
    return sum(1 for i in span for j in span for k in span if i * i + j * j + k * k <= r * r)


def _geometric(draw: Draw, name: str, m: int, cap: int, sem: Semantics) -> tuple[dict, int]:
    """A patch expansion on an h x w x d grid with h*w*d == m; returns (params, D)."""
    h = _sample(draw, _divisors(m))
    w = _sample(draw, _divisors(m // h))
    gd = m // (h * w)
    p: dict[str, Any] = {"h": h, "w": w}
    if gd != 1 or _coin(draw):
        p["d"] = gd
    small = st.integers(0, 2)
    if name.startswith("cuboid"):
        for axis in ("h", "w"):
            p[f"p_{axis}"] = draw(small)
        _opt(draw, p, "p_d", st.integers(0, 1))
        for axis in ("h", "w", "d"):
            _opt(draw, p, f"p_{axis}_prime", st.integers(0, 1))
        strategies = ["densest_packing", "dense_square", "complete_square", "sparse_square"]
    elif name.startswith("cylinder"):
        p["p_r"] = draw(small)
        _opt(draw, p, "p_d", st.integers(0, 1))
        _opt(draw, p, "p_d_prime", st.integers(0, 1))
        strategies = ["densest_packing", "sparse_square", "complete_square"]
    else:
        p["p_r"] = draw(small)
        strategies = ["densest_packing"]
        if p["p_r"] >= 1:  # these spacings are multiples of p_r, 0 for p_r = 0
            strategies += ["sparse_simple_cubic", "dense_simple_cubic"]
    packing = _sample(draw, [*strategies, "explicit"])
    if packing == "explicit":
        p["cd_h"] = draw(st.integers(1, h))
        p["cd_w"] = draw(st.integers(1, w))
        p["cd_d"] = draw(st.integers(1, gd))
    elif packing != "densest_packing" or _coin(draw):
        p["packing_strategy"] = packing
    D = _geometric_D(name, p, sem)
    if cap < D:  # fall back to single-cell patches around every cell: D = m
        p = {k: v for k, v in p.items() if k in ("h", "w", "d")}
        p.update({"p_h": 0, "p_w": 0} if name.startswith("cuboid") else {"p_r": 0})
        D = m
    return p, D


def _geometric_D(name: str, p: dict[str, Any], sem: Semantics) -> int:
    h, w, gd = p["h"], p["w"], p.get("d", 1)
    packing = p.get("packing_strategy", "densest_packing")
    if name.startswith("cuboid"):
        ph, pw, pd = p["p_h"], p["p_w"], p.get("p_d", 0)
        sizes = (ph, pw, pd)
        volume = 1
        for axis, size in zip("hwd", sizes, strict=True):
            volume *= size + p.get(f"p_{axis}_prime", size) + 1
        factor = {
            "densest_packing": 0,
            "dense_square": 1,
            "complete_square": 2,
            "sparse_square": 3,
        }[packing]
        cd = tuple(max(int(factor * s), 1) for s in sizes) if factor else (1, 1, 1)
    elif name.startswith("cylinder"):
        r, pd = p["p_r"], p.get("p_d", 0)
        pd2 = p.get("p_d_prime", pd)
        volume = _disc(r) * (2 * pd2 + 1 if sem == "tinybig" else pd + pd2 + 1)
        side = {"densest_packing": 0, "sparse_square": 2 * r, "complete_square": math.sqrt(2) * r}
        cd = (
            (1, 1, 1)
            if packing == "densest_packing"
            else (max(int(side[packing]), 1),) * 2 + (max(2 * pd, 1),)
        )
    else:
        r = p["p_r"]
        volume = _ball(r)
        cd = {
            "densest_packing": (1, 1, 1),
            "sparse_simple_cubic": (2 * r,) * 3,
            "dense_simple_cubic": (r,) * 3,
        }[packing]
    if "cd_h" in p:
        cd = (p["cd_h"], p["cd_w"], p["cd_d"])
    centres = math.ceil(h / cd[0]) * math.ceil(w / cd[1]) * math.ceil(gd / cd[2])
    return centres * volume


def _expansion_params(
    draw: Draw, name: str, ms: Sequence[int], cap: int, sem: Semantics
) -> tuple[dict[str, Any], Callable[[int], int]]:
    """Parameters of a non-composite expansion valid on every input size in ms, and D(m)."""
    M, low = max(ms), min(ms)
    p: dict[str, Any] = {}
    if name in _D_IS_M or name in _MIN_D:
        if name == "linear_expansion":
            _opt(draw, p, "c", _real(-2, 2))
        factor = _MIN_D.get(name, 1)
        if name == "fourier_expansion":
            N = _int(draw, p, "N", 1, min(cap // (2 * M), 4), 5)
            _opt(draw, p, "P", _real(0.5, 4))
            return p, lambda m: 2 * N * m
        return p, lambda m: factor * m
    if name == "taylor_expansion":
        top = _largest(4, lambda d: sum(M**i for i in range(1, d + 1)) <= cap)
        d = _int(draw, p, "d", 1, top, 2)
        return p, lambda m: sum(m**i for i in range(1, d + 1))
    if name in ("gaussian_rbf_expansion", "inverse_quadratic_rbf_expansion"):
        k = _int(draw, p, "num_interval", 1, min(cap // M, 12), 10)
        _range(draw, p, "base_range")
        _opt(draw, p, "epsilon", _real(0.25, 4))
        return p, lambda m: m * k
    if name == "bspline_expansion":
        top = min(cap // M, 8)
        t = _int(draw, p, "t", 1, top, 5)
        d = _int(draw, p, "d", 0, top - t, 3)
        _range(draw, p, "grid_range")
        return p, lambda m: m * (t + d)
    if name in _DEGREE:
        d = _int(draw, p, "d", 1, min(cap // M, 6), _DEGREE[name])
        if name in ("jacobi_expansion", "laguerre_expansion"):
            _opt(draw, p, "alpha", _real(-0.75, 3))
        if name == "jacobi_expansion":
            _opt(draw, p, "beta", _real(-0.75, 3))
        if name == "gegenbauer_expansion":
            _opt(draw, p, "alpha", _real(-0.25, 3))
        return p, lambda m: m * d
    if name.endswith("_wavelet_expansion"):
        s = _int(draw, p, "s", 1, min(cap // M, 3), 1)
        t = _int(draw, p, "t", 1, min(cap // (M * s), 3), 1)
        top = _largest(3, lambda d: sum((M * s * t) ** k for k in range(1, d + 1)) <= cap)
        d = _int(draw, p, "d", 1, top, 1)
        _opt(draw, p, "a", _real(1, 3))
        _opt(draw, p, "b", _real(0, 2))
        extra = {
            "ricker_wavelet_expansion": ["sigma"],
            "beta_wavelet_expansion": ["alpha", "beta"],
            "dog_wavelet_expansion": ["sigma_1", "sigma_2"],
        }.get(name, [])
        for key in extra:
            _opt(draw, p, key, _real(1, 3))
        return p, lambda m: sum((m * s * t) ** k for k in range(1, d + 1))
    if name in ("combinatorial_expansion", "combinatorial_normal_expansion"):
        weighted = name == "combinatorial_expansion"
        replace = sem == "native" and _coin(draw)
        if replace or _coin(draw):
            p["with_replacement"] = replace
        limit = 3 if replace else min(low, 3)
        top = _largest(limit, lambda d: _combinations(M, d, replace, weighted) <= cap)
        d = _int(draw, p, "d", 1, top, 2 if weighted else 1)
        return p, lambda m: _combinations(m, d, replace, weighted)
    if name in _GEOMETRIC:
        params, D = _geometric(draw, name, ms[0], cap, sem)
        return params, lambda m: D
    raise ValueError(f"no generator for expansion {name!r}")  # pragma: no cover


def _expansion(
    draw: Draw,
    ms: Sequence[int],
    cap: int,
    sem: Semantics,
    nesting: int,
    names: Sequence[str] | None = None,
) -> tuple[Any, dict[int, int]]:
    """Expansion data valid on every input size in ms, and its D for each of them."""
    cap = max(cap, max(ms))
    options = [n for n in (names or EXPANSION_NAMES) if _feasible(n, ms, cap, nesting)]
    if not options:
        raise ValueError(f"no expansion among {names} fits inputs {list(ms)} within D <= {cap}")
    name = _choose(draw, options, _EXPANSION_GROUPS)
    params: dict[str, Any] = {}
    if name == "nested_expansion":
        sizes = {m: m for m in ms}
        functions = []
        for _ in range(draw(st.integers(1, 3))):
            sub, sub_D = _expansion(draw, sorted(set(sizes.values())), cap, sem, nesting - 1)
            functions.append(sub)
            sizes = {m: sub_D[s] for m, s in sizes.items()}
        params["functions"] = functions
        D = sizes
    elif name == "extended_expansion":
        D = dict.fromkeys(ms, 0)
        functions = []
        while not functions or (
            len(functions) < 3 and max(D.values()) + max(ms) <= cap and _coin(draw)
        ):
            left = cap - max(D.values())
            sub, sub_D = _expansion(draw, ms, left, sem, nesting - 1)
            functions.append(sub)
            D = {m: D[m] + sub_D[m] for m in ms}
        params["functions"] = functions
    else:
        params, rule = _expansion_params(draw, name, ms, cap, sem)
        D = {m: rule(m) for m in ms}
    _put_processing(draw, params, "preprocess", ms)
    _put_processing(draw, params, "postprocess", list(D.values()))
    return _component(draw, name, params), D


# --- reconciliations, remainders, fusions ---------------------------------------------------

_RECONCILIATION_GROUPS = tuple(
    tuple(f"{name}_reconciliation" for name in group)
    for group in (
        ("constant", "zero", "one", "constant_eye"), ("identity", "masking", "lorr"),
        ("hm", "lphm", "dual_lphm"), ("duplicated_padding", "duplicated_diagonal_padding"),
        ("hypernet", "random_matrix_adaption", "random_matrix_hypernet"),
    )
)  # fmt: skip


def _reconciliation(
    draw: Draw,
    pairs: Sequence[tuple[int, int]],
    names: Sequence[str] | None = None,
) -> tuple[Any, Callable[[int, int], int]]:
    """Reconciliation data valid for every (n, D) in pairs, and its l(n, D)."""
    gn = math.gcd(*(n for n, _ in pairs))
    gD = math.gcd(*(D for _, D in pairs))
    one_n = len({n for n, _ in pairs}) == 1
    diagonal_ok = one_n and all(D % n == 0 for n, D in pairs)
    options = [
        n
        for n in (names or RECONCILIATION_NAMES)
        if diagonal_ok or n != "duplicated_diagonal_padding_reconciliation"
    ]
    name = _choose(draw, options, _RECONCILIATION_GROUPS)
    p: dict[str, Any] = {}
    _opt(draw, p, "enable_bias", st.booleans())
    rule: Callable[[int, int], int]
    if name in (
        "constant_reconciliation",
        "zero_reconciliation",
        "one_reconciliation",
        "constant_eye_reconciliation",
    ):
        if name == "constant_reconciliation":
            _opt(draw, p, "c", _real(-2, 2))
        rule = lambda n, D: 0  # noqa: E731
    elif name in ("identity_reconciliation", "masking_reconciliation"):
        if name == "masking_reconciliation":
            _opt(draw, p, "p", _real(0.25, 1))
            _opt(draw, p, "fixed_mask", st.booleans())
        rule = lambda n, D: n * D  # noqa: E731
    elif name == "duplicated_padding_reconciliation":
        if gn % 2 == 0 and _coin(draw):
            pv = 2  # the default
        else:
            pv = p["p"] = _sample(draw, _divisors(gn))
        if gD % pv == 0 and _coin(draw):
            qv = pv
        else:
            qv = p["q"] = _sample(draw, _divisors(gD))
        rule = lambda n, D: (n // pv) * (D // qv)  # noqa: E731
    elif name == "duplicated_diagonal_padding_reconciliation":
        n0 = pairs[0][0]
        if n0 != 2 or _coin(draw):
            p["p"] = n0
        _opt(draw, p, "q", st.just(n0))
        rule = lambda n, D: D // n  # noqa: E731
    elif name == "lorr_reconciliation":
        r = _int(draw, p, "r", 1, 4, 2)
        rule = lambda n, D: r * (n + D)  # noqa: E731
    elif name in ("hm_reconciliation", "lphm_reconciliation", "dual_lphm_reconciliation"):
        given_p = _sample(draw, [None, *_divisors(gn)])
        given_q = _sample(draw, [None, *_divisors(gD)])
        for key, value in (("p", given_p), ("q", given_q)):
            if value is not None:
                p[key] = value
        r = 0 if name == "hm_reconciliation" else _int(draw, p, "r", 1, 3, 2)

        def rule(n: int, D: int) -> int:
            pv = given_p or _near_sqrt(n)
            qv = given_q or _near_sqrt(D)
            if name == "hm_reconciliation":
                return pv * qv + (n // pv) * (D // qv)
            if name == "lphm_reconciliation":
                return pv * qv + r * (n // pv + D // qv)
            return r * (pv + qv + n // pv + D // qv)

    elif name == "random_matrix_adaption_reconciliation":
        r = _int(draw, p, "r", 1, 4, 2)
        rule = lambda n, D: n + r  # noqa: E731
    else:  # hypernet and random_matrix_hypernet: l as given
        if name == "random_matrix_hypernet_reconciliation":
            _int(draw, p, "r", 1, 4, 2)
        l_value = _int(draw, p, "l", 1, 64, 64)
        static = True
        if name == "hypernet_reconciliation":
            _opt(draw, p, "static", st.booleans())
            static = p.get("static", True)
        if static:
            _opt(draw, p, "hidden_dim", st.integers(1, 16))
        else:  # a trained hypernet counts its network: keep it small
            p["hidden_dim"] = draw(st.integers(1, 8))
        rule = lambda n, D: l_value  # noqa: E731
    return _component(draw, name, p), rule


def _remainder(draw: Draw, pairs: Sequence[tuple[int, int]], keeps_n: bool) -> Any:
    """Remainder data valid for every (m, n); keeps_n: the head's output size is n."""
    options = ["zero_remainder"]
    if keeps_n:
        options += ["one_remainder", "constant_remainder", "linear_remainder"]
        if all(m == n for m, n in pairs):
            options.append("identity_remainder")
    name = _sample(draw, options)
    p: dict[str, Any] = {}
    if name == "constant_remainder":
        _opt(draw, p, "c", _real(-2, 2))
    if name == "linear_remainder":
        _opt(draw, p, "enable_bias", st.booleans())
    _put_processing(draw, p, "activation", [n for _, n in pairs])
    return _component(draw, name, p)


_ELEMENTWISE = tuple(
    n for n in FUSION_NAMES if n != "concatenation_fusion" and "concatenation" not in n
)
_PARAM_CONCAT = tuple(n for n in FUSION_NAMES if n.endswith("parameterized_concatenation_fusion"))
_FUSION_GROUPS = (
    ("summation_fusion", "average_fusion", "mean_fusion", "sum_fusion", "max_fusion"),
    ("min_fusion", "prod_fusion", "median_fusion", "l1_norm_fusion", "l2_norm_fusion"),
    ("weighted_summation_fusion", "parameterized_weighted_summation_fusion",
     "concatenation_fusion"),
    ("parameterized_concatenation_fusion", "lowrank_parameterized_concatenation_fusion",
     "random_matrix_adaption_parameterized_concatenation_fusion"),
    ("hm_parameterized_concatenation_fusion", "lphm_parameterized_concatenation_fusion",
     "dual_lphm_parameterized_concatenation_fusion"),
)  # fmt: skip


def _fusion(
    draw: Draw,
    inputs: Sequence[Sequence[int]],
    sem: Semantics,
    max_out: int,
    target: Sequence[int] | None = None,
) -> tuple[Any, list[int]]:
    """Fusion data valid for each list of input sizes in inputs, and its output sizes.

    target: the output size each context must have (None: any size up to max_out)."""
    equal = all(len(set(inp)) == 1 for inp in inputs)
    keeps = equal and (
        target is None or all(i[0] == t for i, t in zip(inputs, target, strict=True))
    )
    sums = [sum(inp) for inp in inputs]
    options: list[str] = []
    if keeps:
        options += [n for n in _ELEMENTWISE if sem == "native" or "parameterized" not in n]
    if (target is None and len(inputs) == 1 and sums[0] <= max_out) or (
        target is not None and sums == list(target)
    ):
        options.append("concatenation_fusion")
    one_target = target is not None and len(set(target)) == 1
    if keeps or one_target or (target is None and len(inputs) == 1):
        options += _PARAM_CONCAT
    name = _choose(draw, options, _FUSION_GROUPS)
    p: dict[str, Any] = {}
    if len(inputs) == 1 and _coin(draw):
        p["dims"] = list(inputs[0])
    if name in _ELEMENTWISE:
        if name == "weighted_summation_fusion":
            p["weights"] = draw(
                st.lists(_real(-1, 2), min_size=len(inputs[0]), max_size=len(inputs[0]))
            )
        return _component(draw, name, p), [inp[0] for inp in inputs]
    if name == "concatenation_fusion":
        return _component(draw, name, p), sums
    # parameterized concatenation: n given, or defaulting to the (equal) input size
    if keeps and (len(inputs) > 1 or _coin(draw)):  # n defaults to each input size
        outs = [inp[0] for inp in inputs]
    else:
        n = target[0] if target is not None else draw(st.integers(1, max_out))
        p["n"] = n
        outs = [n] * len(inputs)
    if name.startswith(("hm_", "lphm_", "dual_lphm_")):
        pv = p["p"] = _sample(draw, _divisors(math.gcd(*outs)))
        if math.gcd(*sums) % pv != 0 or _coin(draw):
            p["q"] = _sample(draw, _divisors(math.gcd(*sums)))
    if name.startswith(("lowrank_", "lphm_", "dual_lphm_", "random_matrix")):
        _int(draw, p, "r", 1, 3, 2)
    return _component(draw, name, p), outs


# --- heads and layers -----------------------------------------------------------------------


def _preset(draw: Draw, pairs: Sequence[tuple[int, int]], cfg: _Cfg) -> dict[str, Any]:
    """A head preset valid for every (m, n) in pairs (its output size is always n)."""
    M, low = max(m for m, _ in pairs), min(m for m, _ in pairs)
    cap = max(cfg.max_expansion_dim, M)
    # tinybig cannot run the bilinear head (RPN485), and as a dims template it lacks its n
    native_single = cfg.semantics == "native" and len(pairs) == 1
    kind = _sample(draw, [k for k in _SIZED_PRESETS if k != "bilinear" or native_single])
    h: dict[str, Any] = {"preset": kind}
    if len(pairs) == 1:
        _opt(draw, h, "m", st.just(pairs[0][0]))
        _opt(draw, h, "n", st.just(pairs[0][1]))
    _opt(draw, h, "channels", st.integers(1, cfg.max_channels))
    _opt(draw, h, "enable_bias", st.booleans())
    _opt(draw, h, "with_lorr", st.booleans())
    _opt(draw, h, "r", st.integers(1, 4))
    _opt(draw, h, "with_residual", st.booleans())
    perceptron = ["with_batch_norm", "with_relu", "with_dropout", "with_softmax"]
    perceptron += ["with_dual_lphm", "with_taylor"]
    flags = {
        "perceptron": perceptron,
        "kan": ["with_batch_norm", "with_softmax"],
        "svm": ["with_batch_norm", "with_softmax"],
        "bilinear": ["with_lorr_interdependence", *perceptron],
    }.get(kind, [])
    for flag in flags:
        _opt(draw, h, flag, st.booleans())
    if kind == "bilinear":
        h["n"] = pairs[0][1]  # its attention scale sqrt(n) (a layer may leave n to its heads)
        if "m" in h:  # dual_lphm's factor of W needs m
            _opt(draw, h, "with_dual_lphm_interdependence", st.booleans())
        _int(draw, h, "r_interdependence", 1, 3, 3)
    if kind in ("perceptron", "bilinear"):
        top = _largest(3, lambda d: sum(M**i for i in range(1, d + 1)) <= cap)
        _int(draw, h, "d", 1, top, 2)
        _opt(draw, h, "p", _real(0, 0.75))
    elif kind == "kan":
        top = min(cap // M, 8)
        t = _int(draw, h, "t", 1, top, 5)
        _int(draw, h, "d", 0, top - t, 3)
        _range(draw, h, "grid_range")
    elif kind == "svm":
        _opt(
            draw, h, "kernel", st.sampled_from(("linear", "gaussian_rbf", "inverse_quadratic_rbf"))
        )
        _int(draw, h, "num_interval", 1, min(cap // M, 12), 10)
        _range(draw, h, "base_range")
        _opt(draw, h, "epsilon", _real(0.25, 4))
    elif kind == "naive_bayes":
        dists = ("normal", "exponential", "cauchy", "gamma", "chi2", "laplace")
        _opt(draw, h, "distribution", st.sampled_from(dists))
    elif kind == "pgm":
        _opt(draw, h, "distribution", st.just("normal"))
        replace = cfg.semantics == "native" and _coin(draw)
        if replace or _coin(draw):
            h["with_replacement"] = replace
        limit = 3 if replace else min(low, 3)
        top = _largest(limit, lambda d: _combinations(M, d, replace, False) <= cap)
        _int(draw, h, "d", 1, top, 2)
    return h


def _head(
    draw: Draw, pairs: Sequence[tuple[int, int]], cfg: _Cfg, keep: bool
) -> tuple[dict[str, Any], list[int]]:
    """Head data valid in layers of every (m, n) in pairs, and its output size in each.

    keep: the output size must be n (always so with several pairs)."""
    keep = keep or len(pairs) > 1
    ns = [n for _, n in pairs]
    if cfg.presets and draw(st.integers(0, 3)) == 0:
        return _preset(draw, pairs, cfg), ns
    ms = [m for m, _ in pairs]
    h: dict[str, Any] = {}
    single = len(pairs) == 1
    if single:
        _opt(draw, h, "m", st.just(ms[0]))
        _opt(draw, h, "n", st.just(ns[0]))
    channels = _int(draw, h, "channels", 1, cfg.max_channels, 1)
    h["expansion"], Ds = _expansion(draw, ms, cfg.max_expansion_dim, cfg.semantics, cfg.nesting)
    rec_pairs = [(n, Ds[m]) for m, n in pairs]
    l_rule: Callable[[int, int], int] = lambda n, D: n * D  # noqa: E731
    if _coin(draw):
        h["reconciliation"], l_rule = _reconciliation(draw, rec_pairs)
    outs = ns
    if (channels > 1 and _coin(draw)) or draw(st.integers(0, 5)) == 0:
        h["channel_fusion"], outs = _fusion(
            draw,
            [[n] * channels for n in ns],
            cfg.semantics,
            cfg.max_dim,
            target=ns if keep else None,
        )
    if _coin(draw):
        h["remainder"] = _remainder(draw, pairs, keeps_n=outs == ns)
    if cfg.batch is not None and draw(st.integers(0, 2)) == 0:
        h["batch"] = batch = cfg.batch
        kind = _sample(draw, ("attribute", "instance"))
        h[f"{kind}_interdependence"] = draw(interdependences(kind, tuple(ms), batch, cfg.semantics))
    _put_processing(draw, h, "input_process", ms)
    _put_processing(draw, h, "output_process", outs)
    if single:
        _opt(draw, h, "D", st.just(rec_pairs[0][1]))
        _opt(draw, h, "l", st.just(l_rule(*rec_pairs[0])))
        _opt(draw, h, "output_dim", st.just(outs[0]))
    return h, outs


def _split(draw: Draw, total: int, parts: int) -> list[int]:
    """parts positive counts summing to at most total."""
    out: list[int] = []
    for i in range(parts):
        out.append(draw(st.integers(1, total - sum(out) - (parts - i - 1))))
    return out


def _layer(
    draw: Draw, m: int, cfg: _Cfg, *, target: int | None = None, give_m: bool = True
) -> tuple[dict[str, Any], int]:
    """Layer data on inputs of size m (its output size target, if given), and its output size."""
    n = target if target is not None else draw(st.integers(1, cfg.max_dim))
    configs = draw(st.integers(1, cfg.max_width))
    reps = _split(draw, cfg.max_width, configs)
    heads, outs = [], []
    for r in reps:
        head, out = _head(draw, [(m, n)], cfg, keep=target is not None)
        heads.append(head)
        outs += out * r
    layer: dict[str, Any] = {}
    if give_m:
        layer["m"] = m
    layer["n"] = n
    width = sum(reps)
    if any(r > 1 for r in reps) and (configs > 1 or _coin(draw)):
        layer["width_alloc"] = reps
        _opt(draw, layer, "width", st.just(width))
    elif width > configs or _coin(draw):
        layer["width"] = width
    layer["heads"] = heads[0] if configs == 1 and _coin(draw) else heads
    if _coin(draw):  # the layer's n inferred from its heads
        del layer["n"]
        heads[0]["n"] = n
    out = outs[0]
    mean_ok = len(set(outs)) == 1 and (target is None or out == target)
    if (width > 1 and not mean_ok) or (width > 1 and _coin(draw)) or draw(st.integers(0, 5)) == 0:
        layer["head_fusion"], (out,) = _fusion(
            draw,
            [outs],
            cfg.semantics,
            cfg.max_dim,
            target=[target] if target is not None else None,
        )
    _put_processing(draw, layer, "input_process", [m])
    _put_processing(draw, layer, "output_process", [out])
    _opt(draw, layer, "output_dim", st.just(out))
    return layer, out


# --- models ---------------------------------------------------------------------------------


def _meta(draw: Draw, sem: Semantics, semantics_given: bool) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    _opt(draw, spec, "spec_version", st.just(1))
    _opt(
        draw,
        spec,
        "name",
        st.one_of(
            st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True),
            st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=12),
        ),
    )
    _opt(draw, spec, "seed", st.integers(0, 2**31 - 1))
    _opt(draw, spec, "device", st.just("cpu"))
    _opt(draw, spec, "dtype", st.sampled_from(("float32", "float64")))
    _opt(
        draw,
        spec,
        "init",
        st.sampled_from(
            ("xavier_uniform", "xavier_normal", "kaiming_uniform", "fanout_std_uniform")
        ),
    )
    if semantics_given or sem != "native" or _coin(draw):
        spec["semantics"] = sem
    return spec


@st.composite
def _model(draw: Draw, cfg: _Cfg, max_layers: int, fixed_semantics: bool) -> dict[str, Any]:
    spec = _meta(draw, cfg.semantics, fixed_semantics and _coin(draw))
    if _coin(draw) and draw(st.integers(0, 2)) == 0:  # the dims + head shorthand
        sizes = draw(st.lists(st.integers(1, cfg.max_dim), min_size=2, max_size=max_layers + 1))
        spec["dims"] = sizes
        spec["head"], _ = _head(draw, list(itertools.pairwise(sizes)), cfg, True)
        _opt(draw, spec, "depth", st.just(len(sizes) - 1))
        return spec
    configs = draw(st.integers(1, max_layers))
    reps = _split(draw, max_layers, configs)
    m = draw(st.integers(1, cfg.max_dim))
    layers_ = []
    for i, r in enumerate(reps):
        layer, m = _layer(draw, m, cfg, target=m if r > 1 else None, give_m=i == 0 or _coin(draw))
        layers_.append(layer)
    spec["layers"] = layers_
    if any(r > 1 for r in reps) and (configs > 1 or _coin(draw)):
        spec["depth_alloc"] = reps
        _opt(draw, spec, "depth", st.just(sum(reps)))
    elif sum(reps) > configs or _coin(draw):
        spec["depth"] = sum(reps)
    return spec


def _parameters(data: dict[str, Any]) -> int:
    spec = validate_data(data).spec
    return (spec.parameters or 0) if spec is not None else 0


def model_specs(
    *,
    max_layers: int = 3,
    max_width: int = 3,
    max_channels: int = 3,
    max_dim: int = 8,
    max_expansion_dim: int = 64,
    max_parameters: int | None = None,
    semantics: Semantics | None = None,
    presets: bool = True,
    nesting: int = 1,
    batch: int | None = None,
) -> SearchStrategy[dict[str, Any]]:
    """Valid model spec data (a plain dict), mixing every shorthand form.

    Args:
        max_layers: layers after depth_alloc / dims expansion (>= 1).
        max_width: heads per layer after width_alloc (>= 1).
        max_channels: channels per head.
        max_dim: bound of every m, n and fusion output size.
        max_expansion_dim: bound of every expansion's D.
        max_parameters: reject specs with more parameters (checked by validating them).
        semantics: ``native`` or ``tinybig``; None draws both.
        presets: also draw head presets.
        nesting: depth of nested/extended expansion compositions (0: none).
        batch: also draw interdependence functions, for inputs of this many rows (heads then
            carry ``batch``, and instance interdependences keep b' = b). None: no
            interdependences (the specs run on any batch size).
    """
    if min(max_layers, max_width, max_channels, max_dim, max_expansion_dim) < 1:
        raise ValueError("the bounds of model_specs must be >= 1")
    sems: list[Semantics] = [semantics] if semantics else ["native", "tinybig"]
    strategy = st.sampled_from(sems).flatmap(
        lambda sem: _model(
            _Cfg(sem, max_dim, max_expansion_dim, max_channels, max_width, presets, nesting, batch),
            max_layers,
            semantics is not None,
        )
    )
    if max_parameters is not None:
        strategy = strategy.filter(lambda d: _parameters(d) <= max_parameters)
    return strategy


def model_spec_objects(**kwargs: Any) -> SearchStrategy[ModelSpec]:
    """Normalized :class:`ModelSpec` objects of :func:`model_specs` (same arguments)."""
    return model_specs(**kwargs).map(lambda data: validate_data(data).unwrap())


# --- public component strategies ------------------------------------------------------------


def expansions(
    m: int | None = None,
    *,
    m_max: int = 8,
    max_dim: int = 64,
    semantics: Semantics = "native",
    names: Sequence[str] | None = None,
    nesting: int = 1,
) -> SearchStrategy[Any]:
    """Expansion data valid on inputs of size m, with D <= max(max_dim, m).

    With m None, the expansion is valid on every size 1..m_max (a template for the dims
    shorthand; no geometric expansion fits several sizes). ``names`` restricts the functions.
    """
    ms = [m] if m is not None else list(range(1, m_max + 1))
    return st.composite(lambda draw: _expansion(draw, ms, max_dim, semantics, nesting, names)[0])()


def reconciliations(n: int, D: int, *, names: Sequence[str] | None = None) -> SearchStrategy[Any]:
    """Reconciliation data valid for an n x D weight matrix (divisibility rules included)."""
    return st.composite(lambda draw: _reconciliation(draw, [(n, D)], names)[0])()


def remainders(m: int, n: int) -> SearchStrategy[Any]:
    """Remainder data valid from m inputs to n outputs."""
    return st.composite(lambda draw: _remainder(draw, [(m, n)], keeps_n=True))()


def fusions(
    dims: Sequence[int],
    *,
    n: int | None = None,
    max_dim: int = 8,
    semantics: Semantics = "native",
) -> SearchStrategy[Any]:
    """Fusion data valid for inputs of sizes dims, with output size n (None: any <= max_dim)."""
    target = [n] if n is not None else None
    return st.composite(lambda draw: _fusion(draw, [list(dims)], semantics, max_dim, target)[0])()


def processing(size: int | None = None, *, max_items: int = 3) -> SearchStrategy[list[Any]]:
    """A list of processing functions for vectors of ``size`` (None: sizes left to inference)."""
    return st.composite(lambda draw: _processing(draw, size, max_items))()


def heads(
    m: int,
    n: int,
    *,
    keep_n: bool = False,
    max_channels: int = 3,
    max_dim: int = 8,
    max_expansion_dim: int = 64,
    semantics: Semantics = "native",
    presets: bool = True,
) -> SearchStrategy[dict[str, Any]]:
    """Head data (or a preset) valid in a layer of m inputs and n outputs; keep_n: its output
    size is n (a channel fusion may change it otherwise)."""
    cfg = _Cfg(semantics, max_dim, max_expansion_dim, max_channels, 1, presets)
    return st.composite(lambda draw: _head(draw, [(m, n)], cfg, keep_n)[0])()


def layers(
    m: int,
    *,
    output_dim: int | None = None,
    max_width: int = 3,
    max_channels: int = 3,
    max_dim: int = 8,
    max_expansion_dim: int = 64,
    semantics: Semantics = "native",
    presets: bool = True,
) -> SearchStrategy[dict[str, Any]]:
    """Layer data on m inputs (with that output size when output_dim is given)."""
    cfg = _Cfg(semantics, max_dim, max_expansion_dim, max_channels, max_width, presets)
    return st.composite(lambda draw: _layer(draw, m, cfg, target=output_dim)[0])()


# --- malformed documents --------------------------------------------------------------------

_JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
_SPEC_KEYS = sorted(
    {
        f
        for cls in (ModelSpec, LayerSpec, HeadSpec, *CATALOG.values(), *PRESET_TYPES)
        for f in cls.model_fields
    }
)


def garbage() -> SearchStrategy[Any]:
    """Random JSON documents: scalars, lists, and mappings, often with spec keys."""
    keys = st.one_of(st.sampled_from(_SPEC_KEYS), st.text(max_size=8))
    values = st.one_of(_JSON_LEAVES, st.sampled_from(list(CATALOG)))
    return st.recursive(
        values,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)
        ),
        max_leaves=16,
    )


MutationKind = Literal[
    "wrong_type", "unknown_key", "unknown_function", "out_of_bounds", "delete_key", "garbage"
]
MUTATION_KINDS: tuple[MutationKind, ...] = (
    "wrong_type", "unknown_key", "unknown_function", "out_of_bounds", "delete_key", "garbage",
)  # fmt: skip


@dataclass(frozen=True)
class Mutation:
    """A malformed variant of a document: what was done, where, and the result.

    For ``unknown_key`` and ``unknown_function`` the document is certainly invalid and
    ``expected_path`` is where the error must be reported."""

    kind: MutationKind
    path: tuple[str | int, ...]
    data: Any
    expected_path: tuple[str | int, ...] | None = None


_ALL_FIELDS = set(_SPEC_KEYS)
_UNION_KEYS = {"expansion", "reconciliation", "remainder", "channel_fusion", "head_fusion"}
_UNION_LISTS = {
    "functions", "preprocess", "postprocess", "input_process", "output_process", "activation",
}  # fmt: skip
_BAD_NAMES = [
    "os.system", "tinybig.expansion.taylor_expansion", "__import__('os')", "Taylor_Expansion",
    "taylor", "", "lorr",
]  # fmt: skip
# typos, and names of functions written as keys (a key equal to its mapping's own tag)
_TYPO_KEYS = (
    "colour", "widht", "expanson", "head_fusions", "Heads", "relu", "dropout", "kan",
    "taylor_expansion", "lorr_reconciliation",
)  # fmt: skip
_WRONG_VALUES: list[Any] = ["text", "7", 1.5, -3, True, None, [], {}, [1, 2], {"a": 1}]
_BAD_NUMBERS: list[Any] = [
    0, -1, -7, 10**9, 10**15, 0.5, -0.5, 1e308, float("nan"), float("inf"), float("-inf"),
]  # fmt: skip


def _nodes(data: Any, path: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], Any]]:
    out = [(path, data)]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _nodes(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _nodes(v, (*path, i))
    return out


def _replace(data: Any, path: tuple[str | int, ...], value: Any) -> Any:
    if not path:
        return value
    new = copy.deepcopy(data)
    node = new
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return new


def _component_slot(path: tuple[str | int, ...]) -> bool:
    """Whether a string at path is a component name written as a bare string."""
    if not path:
        return False
    if path[-1] in _UNION_KEYS or path[-1] in _UNION_LISTS:
        return True
    return isinstance(path[-1], int) and len(path) > 1 and path[-2] in _UNION_LISTS


@st.composite
def mutation_cases(
    draw: Draw, spec_data: Any, kinds: Sequence[MutationKind] | None = None
) -> Mutation:
    """A :class:`Mutation` of spec_data (one change; data is deep-copied)."""
    nodes = _nodes(spec_data)
    dicts = [(p, v) for p, v in nodes if isinstance(v, dict)]
    numbers = [(p, v) for p, v in nodes if isinstance(v, (int, float)) and not isinstance(v, bool)]
    functions = [
        (p, v)
        for p, v in nodes
        if p
        and (
            (isinstance(v, dict) and (v.get("name") in CATALOG or v.get("preset") in PRESET_NAMES))
            or (isinstance(v, str) and v in CATALOG and _component_slot(p))
        )
    ]
    possible = {
        "wrong_type": True,
        "unknown_key": bool(dicts),
        "unknown_function": bool(functions),
        "out_of_bounds": bool(numbers),
        "delete_key": any(v for _, v in dicts),
        "garbage": True,
    }
    options = [k for k in (kinds or MUTATION_KINDS) if possible[k]]
    if not options:
        raise ValueError(f"none of the mutations {kinds} applies to this document")
    kind = _sample(draw, options)
    if kind == "wrong_type":
        path, value = _sample(draw, nodes)
        new = _sample(draw, [v for v in _WRONG_VALUES if type(v) is not type(value) and v != value])
        return Mutation(kind, path, _replace(spec_data, path, copy.deepcopy(new)))
    if kind == "unknown_key":
        path, node = _sample(draw, dicts)
        key = draw(
            st.one_of(
                st.sampled_from(_TYPO_KEYS),
                st.sampled_from([str(k) for k in node] or ["x"]).map(lambda k: k + "_"),
                st.text(min_size=1, max_size=8),
            ).filter(lambda k: k not in _ALL_FIELDS and k not in node)
        )
        return Mutation(kind, path, _replace(spec_data, path, {**node, key: 1}), (*path, key))
    if kind == "unknown_function":
        path, node = _sample(draw, functions)
        name = node if isinstance(node, str) else node.get("name", node.get("preset"))
        bad = draw(
            st.one_of(
                st.sampled_from([*_BAD_NAMES, name[:-1], name + "s"]),
                st.text(max_size=12),
            ).filter(lambda s: s not in CATALOG and s not in PRESET_NAMES)
        )
        if isinstance(node, str):
            return Mutation(kind, path, _replace(spec_data, path, bad), (*path, "name"))
        key = "name" if "name" in node else "preset"
        return Mutation(kind, path, _replace(spec_data, path, {**node, key: bad}), (*path, key))
    if kind == "out_of_bounds":
        path, value = _sample(draw, numbers)
        new = _sample(draw, [v for v in _BAD_NUMBERS if v != value])
        return Mutation(kind, path, _replace(spec_data, path, new))
    if kind == "delete_key":
        path, node = _sample(draw, [(p, v) for p, v in dicts if v])
        key = _sample(draw, list(node))
        return Mutation(
            kind,
            (*path, key),
            _replace(spec_data, path, {k: v for k, v in node.items() if k != key}),
        )
    path, _ = _sample(draw, nodes)
    return Mutation("garbage", path, _replace(spec_data, path, draw(garbage())))


def mutations(spec_data: Any, kinds: Sequence[MutationKind] | None = None) -> SearchStrategy[Any]:
    """Malformed variants of spec_data: wrong types, unknown keys and function names,
    out-of-bounds numbers, deleted keys, garbage subtrees or documents."""
    return mutation_cases(spec_data, kinds).map(lambda case: case.data)
