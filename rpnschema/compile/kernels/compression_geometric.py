"""Geometric compression kernels: one statistic per patch of each channel's grid.

The input row holds ``channel_num`` grids, channel-major. Each channel's patches are gathered
exactly as the geometric expansions gather them (same cells, centres and zero padding, see
``expansion_geometric``), reduced by the metric, and the output is ordered [channel][centre],
which is tinybig's order (its interdependence output [centre][channel][cell], reduced per
(centre, channel), permuted to channel-major).
"""

from __future__ import annotations

from torch import Tensor

from rpnschema.compile.kernels import expansion_geometric as geo
from rpnschema.compile.kernels.compression_metric import reduce
from rpnschema.compile.kernels.expansion_common import check_input, check_semantics

_EXPANSIONS = {
    "cuboid": geo.cuboid_patch_based_geometric,
    "cylinder": geo.cylinder_patch_based_geometric,
    "sphere": geo.sphere_patch_based_geometric,
}


def patch_compression(
    x: Tensor, *, semantics: str = "native", shape: str, metric: str, channel_num: int = 1, **patch
) -> Tensor:
    """(b, channel_num*h*w*d) -> (b, channel_num*centres): ``metric`` of every patch.

    ``patch`` holds the shape's expansion parameters (h, w, d, p_*, packing_strategy, cd_*).
    """
    check_semantics(semantics)
    check_input(x)
    b, m = x.shape
    if m % channel_num != 0:
        raise ValueError(f"m={m} is not a multiple of channel_num={channel_num}")
    cells = m // channel_num
    rows = x.reshape(b * channel_num, cells)  # channel-major: row c of sample i is i*C + c
    patches = _EXPANSIONS[shape](rows, semantics=semantics, **patch)
    volume = _volume(shape, patch, semantics)
    centres = patches.size(1) // volume
    # expansion layout: column k * centres + g holds cell k of centre g
    per_patch = patches.reshape(b * channel_num, volume, centres).transpose(1, 2)
    out = reduce(per_patch.reshape(-1, volume), metric)
    return out.reshape(b, channel_num * centres)


def _volume(shape: str, patch: dict, semantics: str) -> int:
    if shape == "cuboid":
        ph, pw, pd = patch["p_h"], patch["p_w"], patch["p_d"]
        ph2 = ph if patch.get("p_h_prime") is None else patch["p_h_prime"]
        pw2 = pw if patch.get("p_w_prime") is None else patch["p_w_prime"]
        pd2 = pd if patch.get("p_d_prime") is None else patch["p_d_prime"]
        return len(geo.cuboid_cells(ph, pw, pd, ph2, pw2, pd2))
    if shape == "cylinder":
        pd2 = patch["p_d"] if patch.get("p_d_prime") is None else patch["p_d_prime"]
        low = None if semantics == "tinybig" else patch["p_d"]
        return len(geo.cylinder_cells(patch["p_r"], pd2, low))
    return len(geo.sphere_cells(patch["p_r"]))
