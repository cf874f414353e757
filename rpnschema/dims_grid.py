"""Grid arithmetic of the grid heads (tinybig's grid_interdependence_head, a convolution, and
grid_compression_head, a pooling): the grid each reads and writes, and the weight blocks of a
patch convolution. Pure arithmetic; no torch.

A grid row holds C channels of an h x w x d grid, channel-major (m = C*h*w*d). Packing the
patch centres cd = (cd_h, cd_w, cd_d) apart shrinks the grid to ceil(h/cd_h) x ceil(w/cd_w) x
ceil(d/cd_d): a convolution writes out_channel channels of that grid, a pooling keeps its C.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rpnschema import dims
from rpnschema.errors import Code
from rpnschema.spec import expansion as ex


@dataclass(frozen=True)
class Grid:
    """C channels of an h x w x d grid."""

    channels: int
    h: int
    w: int
    d: int

    @property
    def size(self) -> int:
        return self.channels * self.h * self.w * self.d

    def __str__(self) -> str:
        return f"{self.channels} channel(s) of {self.h}x{self.w}x{self.d}"


def packed_shape(patch: ex._GeometricExpansion) -> tuple[int, int, int]:
    """The grid shape after packing the patch centres of ``patch`` (a geometric expansion or
    compression: its grid, patch and packing)."""
    if patch.cd_h is not None and patch.cd_w is not None and patch.cd_d is not None:
        cd = (patch.cd_h, patch.cd_w, patch.cd_d)
    else:
        cd = dims._packing_distances(patch)
    if min(cd) < 1:
        raise dims.DimProblem(
            Code.GRID_PATCH,
            f"packing_strategy {patch.packing_strategy!r} gives a patch centre distance of 0 "
            "for this patch size",
            path=("packing_strategy",),
            expected="centre distances >= 1",
            found=str(list(cd)),
            suggestion="use densest_packing, a larger patch, or explicit cd_h, cd_w, cd_d",
        )
    return -(-patch.h // cd[0]), -(-patch.w // cd[1]), -(-patch.d // cd[2])


def _compression_patch(spec: Any) -> ex._GeometricExpansion | None:
    if getattr(spec, "family", None) != "compression":
        return None  # the compression family stays unloaded for specs without one
    from rpnschema.spec.compression import geometric as cg

    if isinstance(spec, cg.GeometricCompression):
        return cg.as_patch_based(spec)
    if isinstance(spec, cg._GeometricCompression):
        return spec
    return None


def conv_blocks(head: Any, semantics: str) -> int:
    """P, the patches of a ``patch_convolution`` head: its expansion output is P blocks of
    D/P values and its output out_channel x P values (one reconciled n/P x D/P matrix applied
    to every block). Raises DimProblem when the head has no such structure."""
    from rpnschema import dims_interdependence as di
    from rpnschema.spec.interdependence import geometric as ge

    attr = head.attribute_interdependence
    if not isinstance(attr, ge._Geometric) or attr.interdependence_matrix_mode != "padding":
        raise dims.DimProblem(
            Code.GRID_CONVOLUTION,
            "patch_convolution needs a geometric attribute interdependence in padding mode (it "
            "lays out the patches the weights are shared across)",
            path=("attribute_interdependence",),
            expected="a geometric interdependence with interdependence_matrix_mode: padding",
            found=getattr(attr, "name", "none"),
            suggestion="use the grid_interdependence preset, or remove patch_convolution",
        )
    _cells, P, _S = di.geometry(attr, semantics)
    return P


def blocks(head: Any) -> int:
    """P of a normalized patch convolution head (its reconciled matrix is (n/P) x (D/P)), else
    1."""
    return conv_blocks(head, "native") if getattr(head, "patch_convolution", None) else 1


def check_blocks(P: int, n: int, D: int) -> None:
    """n and D of a patch convolution must split into P blocks."""
    for what, size in (("n", n), ("D", D)):
        if size % P:
            raise dims.DimProblem(
                Code.GRID_CONVOLUTION,
                f"patch_convolution splits {what} (={size}) into one block per patch, but the "
                f"grid has {P} patches",
                path=("n",) if what == "n" else ("expansion",),
                expected=f"{what} divisible by {P} (n = out_channel * {P})",
                found=str(size),
                suggestion=f"set n to a multiple of {P}",
            )


def head_grids(head: Any, semantics: str) -> tuple[Grid, Grid] | None:
    """(input grid, output grid) of a normalized grid head; None for another head."""
    if head.patch_convolution:
        from rpnschema import dims_interdependence as di

        attr = head.attribute_interdependence
        try:
            P = conv_blocks(head, semantics)
            shape = packed_shape(di.as_expansion(attr))
        except dims.DimProblem:
            return None
        out = (head.n or 0) // P
        return Grid(attr.channel_num, attr.h, attr.w, attr.d), Grid(out, *shape)
    patch = _compression_patch(head.expansion)
    if patch is None:
        return None
    try:
        shape = packed_shape(patch)
    except dims.DimProblem:
        return None
    C = patch.channel_num  # type: ignore[attr-defined]
    return Grid(C, patch.h, patch.w, patch.d), Grid(C, *shape)


def patch_extent(patch: ex._GeometricExpansion, semantics: str) -> tuple[int, int, int]:
    """The patch's extent (cells) along h, w and d."""
    if isinstance(patch, ex.CuboidPatchExpansion):
        ph2 = patch.p_h if patch.p_h_prime is None else patch.p_h_prime
        pw2 = patch.p_w if patch.p_w_prime is None else patch.p_w_prime
        pd2 = patch.p_d if patch.p_d_prime is None else patch.p_d_prime
        return patch.p_h + ph2 + 1, patch.p_w + pw2 + 1, patch.p_d + pd2 + 1
    if isinstance(patch, ex.CylinderPatchExpansion):
        pd2 = patch.p_d if patch.p_d_prime is None else patch.p_d_prime
        depth = 2 * pd2 + 1 if semantics == "tinybig" else patch.p_d + pd2 + 1
        return 2 * patch.p_r + 1, 2 * patch.p_r + 1, depth
    return (2 * patch.p_r + 1,) * 3  # type: ignore[attr-defined]


def pooling_problems(model: Any) -> list[Any]:
    """Errors for grid poolings tinybig 0.2.1 cannot run, under tinybig semantics: its
    grid_compression_head resolves pooling_metric through koala's metric table, which has no
    batch_mean (ValueError at the first forward)."""
    from rpnschema.errors import Diagnostic

    if model.semantics != "tinybig":
        return []
    # by tag: the preset classes are defined only once a spec names them (spec.preset_base)
    found: list[tuple[tuple[Any, ...], str]] = []
    if getattr(model.preset, "name", None) == "cnn":
        found.append((("preset", "pooling_metric"), model.preset.pooling_metric))
    for i, layer in enumerate(model.layers or []):
        for j, head in enumerate(getattr(layer, "heads", None) or []):  # not a layer preset's
            if getattr(head, "preset", None) == "grid_compression":
                found.append((("layers", i, "heads", j, "pooling_metric"), head.pooling_metric))
    if not found:
        return []
    from rpnschema.spec.grid_presets import TINYBIG_POOLING

    return [
        Diagnostic(
            Code.GRID_POOLING,
            f"tinybig 0.2.1 cannot pool with {metric!r}: its grid_compression_head looks the "
            "metric up in koala's metric table, which lacks it (ValueError at the first forward)",
            path=path,
            expected=" | ".join(TINYBIG_POOLING),
            found=metric,
            suggestion="use batch_max or batch_sum, or semantics: native",
        )
        for path, metric in found
        if metric not in TINYBIG_POOLING
    ]


def oversized_patch(patch: ex._GeometricExpansion, semantics: str) -> tuple[str, int, int] | None:
    """(axis, extent, grid size) where the patch reaches past the whole grid from every centre
    (extent > 2 * size - 1), else None. A flat axis (size 1) is not checked: a patch with depth
    on a 2D grid (a sphere, say) is the usual case."""
    extent = patch_extent(patch, semantics)
    for axis, size, e in zip("hwd", (patch.h, patch.w, patch.d), extent, strict=True):
        if size > 1 and e > 2 * size - 1:
            return axis, e, size
    return None


def oversized(head: Any, semantics: str) -> tuple[str, int, int] | None:
    """:func:`oversized_patch` of a grid head's patch."""
    if head.patch_convolution:
        from rpnschema import dims_interdependence as di

        patch = di.as_expansion(head.attribute_interdependence)
    else:
        patch = _compression_patch(head.expansion)
    return oversized_patch(patch, semantics) if patch is not None else None
