"""Geometric patch expansion kernels (cuboid / cylinder / sphere patches on an h x w x d grid).

The input row is a flattened h x w x d grid (cell (i, j, l) at index i*w*d + j*d + l, so
m must be h*w*d). Patch centers are (i, j, l) for i in range(0, h, cd_h), j in
range(0, w, cd_w), l in range(0, d, cd_d) (h-major); cd_* come from the packing strategy
unless all three are given. Every patch cell is read from the grid, or 0 when it falls
outside it. Output column k * n_centers + g holds patch cell k of center g (tinybig's
permuted layout), so D = n_centers * patch_volume.

tinybig builds a sparse 0/1 matrix and multiplies; here the same values are gathered with a
precomputed index (out-of-grid cells read a zero column). The only possible difference is
for non-finite inputs: tinybig's explicit zero entries multiply grid cell 0, so an inf/NaN
there turns padded cells into NaN, while this kernel keeps them 0.
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache

import torch
from torch import Tensor

from rpnschema.compile.kernels.expansion_common import check_input, check_semantics

Cell = tuple[int, int, int]

CUBOID_PACKING = ("sparse_square", "complete_square", "dense_square", "densest_packing")
CYLINDER_PACKING = (
    "sparse_square",
    "complete_square",
    "sparse_hexagonal",
    "complete_hexagonal",
    "dense_hexagonal",
    "denser_hexagonal",
    "densest_packing",
)
SPHERE_PACKING = (
    "sparse_simple_cubic",
    "complete_simple_cubic",
    "dense_simple_cubic",
    "sparse_face_centered_cubic",
    "complete_face_centered_cubic",
    "dense_face_centered_cubic",
    "sparse_hexagonal",
    "complete_hexagonal",
    "dense_hexagonal",
    "densest_packing",
)


# ------------------------------------------------------------------ patch shapes


def cuboid_cells(p_h: int, p_w: int, p_d: int, p_h_prime: int, p_w_prime: int, p_d_prime: int):
    return tuple(
        (i, j, k)
        for i in range(-p_h, p_h_prime + 1)
        for j in range(-p_w, p_w_prime + 1)
        for k in range(-p_d, p_d_prime + 1)
    )


def cylinder_cells(p_r: int, p_d_prime: int, p_d: int | None = None) -> tuple[Cell, ...]:
    """Disc cells times depth offsets -p_d..p_d' (tinybig, p_d None: -p_d'..p_d')."""
    low = p_d_prime if p_d is None else p_d
    cells = []
    for i in range(-p_r, p_r + 1):
        j_lim = int(math.sqrt(p_r**2 - i**2))
        for j in range(-j_lim, j_lim + 1):
            if i**2 + j**2 <= p_r**2:
                for k in range(-low, p_d_prime + 1):
                    cells.append((i, j, k))
    return tuple(cells)


def sphere_cells(p_r: int) -> tuple[Cell, ...]:
    cells = []
    for i in range(-p_r, p_r + 1):
        j_lim = int(math.sqrt(p_r**2 - i**2))
        for j in range(-j_lim, j_lim + 1):
            if i**2 + j**2 <= p_r**2:
                k_lim = int(math.sqrt(p_r**2 - i**2 - j**2))
                for k in range(-k_lim, k_lim + 1):
                    if i**2 + j**2 + k**2 <= p_r**2:
                        cells.append((i, j, k))
    return tuple(cells)


# --------------------------------------------------------------- packing strategies


def _unknown_strategy(strategy: str | None, known: tuple[str, ...], semantics: str):
    if semantics == "tinybig":
        warnings.warn(
            f"Unknown strategy {strategy}, will use the default densest_packing strategy...",
            stacklevel=3,
        )
        return 1, 1, 1
    raise ValueError(f"unknown packing_strategy {strategy!r}; expected one of {known}")


def cuboid_center_distances(p_h, p_w, p_d, packing_strategy, semantics="native"):
    s = "densest_packing" if packing_strategy is None else packing_strategy
    table = {
        "sparse_square": (3 * p_h, 3 * p_w, 3 * p_d),
        "complete_square": (2 * p_h, 2 * p_w, 2 * p_d),
        "dense_square": (p_h, p_w, p_d),
        "densest_packing": (1, 1, 1),
    }
    cd = table[s] if s in table else _unknown_strategy(s, CUBOID_PACKING, semantics)
    return tuple(max(int(c), 1) for c in cd)


def cylinder_center_distances(p_r, p_d, packing_strategy, semantics="native"):
    s = "densest_packing" if packing_strategy is None else packing_strategy
    r = p_r
    table = {
        "sparse_square": (2 * r, 2 * r, 2 * p_d),
        "complete_square": (math.sqrt(2) * r, math.sqrt(2) * r, 2 * p_d),
        "sparse_hexagonal": (math.sqrt(3) * r, 2 * r, 2 * p_d),
        "complete_hexagonal": (1.5 * r, math.sqrt(3) * r, 2 * p_d),
        "dense_hexagonal": (0.5 * math.sqrt(6) * r, math.sqrt(2) * r, p_d),
        "denser_hexagonal": (0.5 * math.sqrt(3) * r, r, p_d),
        "densest_packing": (1, 1, 1),
    }
    cd = table[s] if s in table else _unknown_strategy(s, CYLINDER_PACKING, semantics)
    return tuple(max(int(c), 1) for c in cd)


def sphere_center_distances(p_r, packing_strategy, semantics="native"):
    s = "densest_packing" if packing_strategy is None else packing_strategy
    r = p_r
    c3 = 0.6667 * math.sqrt(3) * r
    table = {
        "sparse_simple_cubic": (2 * r, 2 * r, 2 * r),
        "complete_simple_cubic": (c3, c3, c3),
        "dense_simple_cubic": (r, r, r),
        "sparse_face_centered_cubic": (2 * r, math.sqrt(3) * r, 0.6667 * math.sqrt(6) * r),
        "complete_face_centered_cubic": (math.sqrt(2) * r, 0.6667 * math.sqrt(6) * r, 1.3333 * r),
        "dense_face_centered_cubic": (r, r, r),
        "sparse_hexagonal": (2 * r, 2 * r, math.sqrt(6) * r),
        "complete_hexagonal": (c3, c3, r),
        "dense_hexagonal": (r, r, r),
        "densest_packing": (1, 1, 1),
    }
    cd = table[s] if s in table else _unknown_strategy(s, SPHERE_PACKING, semantics)
    # tinybig: int(.) without the max(., 1) the other shapes apply
    return tuple(int(c) for c in cd)


# ------------------------------------------------------------------------ gather


@lru_cache(maxsize=128)
def patch_index(
    h: int, w: int, d: int, cells: tuple[Cell, ...], cd: tuple[int, int, int]
) -> tuple[int, ...]:
    """Flat input index (or h*w*d for an out-of-grid cell) for output column k*G + g."""
    if h <= 0 or w <= 0 or d <= 0:
        raise ValueError("the grid shape configurations needs to be positive...")
    cd_h, cd_w, cd_d = cd
    if cd_h == 0 or cd_w == 0 or cd_d == 0:
        raise ValueError("patch center distance cannot be zeros...")
    if cd_h < 0 or cd_w < 0 or cd_d < 0:
        raise ValueError("patch center distance should be positive...")
    centers = [
        (i, j, k) for i in range(0, h, cd_h) for j in range(0, w, cd_w) for k in range(0, d, cd_d)
    ]
    pad = h * w * d
    index = []
    for di, dj, dk in cells:
        for ci, cj, ck in centers:
            i, j, k = ci + di, cj + dj, ck + dk
            inside = 0 <= i < h and 0 <= j < w and 0 <= k < d
            index.append(i * w * d + j * d + k if inside else pad)
    return tuple(index)


def _gather(x: Tensor, h: int, w: int, d: int, cells, cd) -> Tensor:
    check_input(x)
    if x.size(1) != h * w * d:
        raise ValueError(f"geometric expansion needs m == h*w*d = {h * w * d}, got m={x.size(1)}")
    idx = patch_index(h, w, d, tuple(cells), tuple(cd))
    padded = torch.cat((x, x.new_zeros((x.size(0), 1))), dim=1)
    index = torch.tensor(idx, dtype=torch.long, device=x.device)
    return padded[:, index]


def _resolve_cd(cd_h, cd_w, cd_d, default):
    if cd_h is not None and cd_w is not None and cd_d is not None:
        return (cd_h, cd_w, cd_d)
    return default()


def cells_and_distances(
    shape: str, semantics: str = "native", **params: int | str | None
) -> tuple[tuple[Cell, ...], tuple[int, int, int]]:
    """The patch cells and centre distances of a cuboid / cylinder / sphere patch with the
    expansion kernels' parameters (also used by the geometric interdependences)."""
    p = dict(params)
    cd_given = (p.pop("cd_h", None), p.pop("cd_w", None), p.pop("cd_d", None))
    strategy = p.pop("packing_strategy", None)
    if shape == "cuboid":
        primes = [
            p.get(f"{k}_prime") if p.get(f"{k}_prime") is not None else p[k]
            for k in ("p_h", "p_w", "p_d")
        ]
        cells = cuboid_cells(p["p_h"], p["p_w"], p["p_d"], *primes)
        default = lambda: cuboid_center_distances(p["p_h"], p["p_w"], p["p_d"], strategy, semantics)  # noqa: E731
    elif shape == "cylinder":
        p_d_prime = p["p_d"] if p.get("p_d_prime") is None else p["p_d_prime"]
        cells = cylinder_cells(p["p_r"], p_d_prime, None if semantics == "tinybig" else p["p_d"])
        default = lambda: cylinder_center_distances(p["p_r"], p["p_d"], strategy, semantics)  # noqa: E731
    else:
        cells = sphere_cells(p["p_r"])
        default = lambda: sphere_center_distances(p["p_r"], strategy, semantics)  # noqa: E731
    return cells, _resolve_cd(*cd_given, default)


def cuboid_patch_based_geometric(
    x: Tensor,
    *,
    semantics: str = "native",
    h: int,
    w: int,
    d: int,
    p_h: int,
    p_w: int,
    p_d: int,
    p_h_prime: int | None = None,
    p_w_prime: int | None = None,
    p_d_prime: int | None = None,
    packing_strategy: str | None = None,
    cd_h: int | None = None,
    cd_w: int | None = None,
    cd_d: int | None = None,
) -> Tensor:
    """Cuboid patches [-p_h, p_h'] x [-p_w, p_w'] x [-p_d, p_d'] around each center.

    Primed sizes default to the unprimed ones; volume (p_h+p_h'+1)(p_w+p_w'+1)(p_d+p_d'+1).
    packing_strategy None means densest_packing (tinybig warns and falls back to it).
    """
    check_semantics(semantics)
    p_h_prime = p_h if p_h_prime is None else p_h_prime
    p_w_prime = p_w if p_w_prime is None else p_w_prime
    p_d_prime = p_d if p_d_prime is None else p_d_prime
    cells = cuboid_cells(p_h, p_w, p_d, p_h_prime, p_w_prime, p_d_prime)
    cd = _resolve_cd(
        cd_h,
        cd_w,
        cd_d,
        lambda: cuboid_center_distances(p_h, p_w, p_d, packing_strategy, semantics),
    )
    return _gather(x, h, w, d, cells, cd)


def cylinder_patch_based_geometric(
    x: Tensor,
    *,
    semantics: str = "native",
    h: int,
    w: int,
    d: int,
    p_r: int,
    p_d: int,
    p_d_prime: int | None = None,
    packing_strategy: str | None = None,
    cd_h: int | None = None,
    cd_w: int | None = None,
    cd_d: int | None = None,
) -> Tensor:
    """Cylinder patches: disk i^2 + j^2 <= p_r^2 times depth offsets -p_d..p_d'.

    tinybig uses p_d_prime (default p_d) for both depth directions (p_d is never read there);
    native spans -p_d..p_d' as documented. They agree whenever p_d' = p_d (the default).
    """
    check_semantics(semantics)
    p_d_prime = p_d if p_d_prime is None else p_d_prime
    cells = cylinder_cells(p_r, p_d_prime, None if semantics == "tinybig" else p_d)
    cd = _resolve_cd(
        cd_h, cd_w, cd_d, lambda: cylinder_center_distances(p_r, p_d, packing_strategy, semantics)
    )
    return _gather(x, h, w, d, cells, cd)


def sphere_patch_based_geometric(
    x: Tensor,
    *,
    semantics: str = "native",
    h: int,
    w: int,
    d: int,
    p_r: int,
    packing_strategy: str | None = None,
    cd_h: int | None = None,
    cd_w: int | None = None,
    cd_d: int | None = None,
) -> Tensor:
    """Sphere patches: cells with i^2 + j^2 + k^2 <= p_r^2."""
    check_semantics(semantics)
    cells = sphere_cells(p_r)
    cd = _resolve_cd(
        cd_h, cd_w, cd_d, lambda: sphere_center_distances(p_r, packing_strategy, semantics)
    )
    return _gather(x, h, w, d, cells, cd)
