"""Grid head presets after tinybig's ``tinybig.head.grid_interdependence_head`` (a convolution)
and ``grid_compression_head`` (a pooling), with tinybig 0.2.1's code defaults.

Both read C grids of h x w x d per input row (C = ``in_channel`` or ``channel_num``),
channel-major (m = C*h*w*d). The patch (``patch_shape`` cuboid: p_h, p_w (default p_h), p_d and
the primes; cylinder: p_r, p_d, p_d_prime; sphere: p_r) is centred on a packing of the grid:
``packing_strategy``, unless cd_h, cd_w and cd_d are all given (tinybig's rule; cd_d defaults to
1, so cd_h and cd_w decide). P centres remain, on a grid of ceil(h/cd_h) x ceil(w/cd_w) x
ceil(d/cd_d).

- ``grid_interdependence``: n = out_channel * P. A geometric attribute interdependence (padding
  mode) gathers each patch (S cells of every input channel), and one out_channel x (in_channel*S)
  matrix is applied to every patch (``patch_convolution``); batch norm and ReLU follow.
- ``grid_compression``: n = channel_num * P, one ``pooling_metric`` value per patch and channel;
  no parameters.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import Field, ValidationError

from rpnschema.errors import Code
from rpnschema.spec.base import Spec
from rpnschema.spec.preset_base import HeadPreset, Preset

Dim = Annotated[int, Field(ge=1)]
Size = Annotated[int, Field(ge=0)]
PatchShape = Literal["cuboid", "cylinder", "sphere"]
#: The metrics tinybig's grid_compression_head resolves (koala.linear_algebra.metric), plus
#: batch_mean (native semantics only: tinybig 0.2.1's metric table lacks it).
PoolingMetric = Literal[
    "batch_max",
    "batch_min",
    "batch_sum",
    "batch_prod",
    "batch_l1_norm",
    "batch_l2_norm",
    "batch_mean",
]
TINYBIG_POOLING = tuple(m for m in get_args(PoolingMetric) if m != "batch_mean")


class GridFields(Spec):
    """The grid, patch and packing every grid preset takes (tinybig's names and defaults)."""

    h: Dim = Field(description="Grid height.")
    w: Dim = Field(description="Grid width.")
    d: Dim = Field(default=1, description="Grid depth.")
    patch_shape: PatchShape = Field(
        default="cuboid", description="The patch: cuboid (p_h, p_w, p_d), cylinder or sphere (p_r)."
    )
    p_h: Size | None = Field(default=None, description="Cuboid: cells above the centre.")
    p_h_prime: Size | None = Field(default=None, description="Cuboid: cells below (p_h).")
    p_w: Size | None = Field(default=None, description="Cuboid: cells left (default p_h).")
    p_w_prime: Size | None = Field(default=None, description="Cuboid: cells right (p_w).")
    p_d: Size = Field(default=0, description="Cuboid / cylinder: cells in front.")
    p_d_prime: Size | None = Field(default=None, description="Cells behind (p_d).")
    p_r: Size | None = Field(default=None, description="Cylinder / sphere: the radius.")
    cd_h: Dim | None = Field(default=None, description="Centre distance along h.")
    cd_w: Dim | None = Field(default=None, description="Centre distance along w.")
    cd_d: Dim | None = Field(default=1, description="Centre distance along d.")
    packing_strategy: str = Field(
        default="densest_packing", description="A packing of the patch shape (unless cd_*)."
    )

    def patch(self) -> dict[str, Any]:
        """The nested ``patch`` of the geometric functions (tinybig's patch_configs)."""
        from rpnschema.dims import DimProblem

        shape = self.patch_shape
        need = "p_h" if shape == "cuboid" else "p_r"
        if getattr(self, need) is None:
            raise DimProblem(
                Code.GRID_PATCH,
                f"a {shape} patch needs {need} (tinybig asserts it is given)",
                path=(need,),
                expected=f"{need}: <cells>",
                suggestion=f"add {need}: 1 (a 3-cell wide patch)",
            )
        if shape == "cuboid":
            patch = {
                "p_h": self.p_h,
                "p_w": self.p_w if self.p_w is not None else self.p_h,
                "p_d": self.p_d,
                "p_h_prime": self.p_h_prime,
                "p_w_prime": self.p_w_prime,
                "p_d_prime": self.p_d_prime,
            }
        elif shape == "cylinder":
            patch = {"p_r": self.p_r, "p_d": self.p_d, "p_d_prime": self.p_d_prime}
        else:
            patch = {"p_r": self.p_r}
        return {"shape": shape, **{k: v for k, v in patch.items() if v is not None}}

    def grid(self, channels: int) -> dict[str, Any]:
        """Grid, packing and centre distances of the geometric functions."""
        out: dict[str, Any] = {
            "h": self.h,
            "w": self.w,
            "d": self.d,
            "channel_num": channels,
            "packing_strategy": self.packing_strategy,
        }
        if self.cd_h is not None and self.cd_w is not None and self.cd_d is not None:
            out.update(cd_h=self.cd_h, cd_w=self.cd_w, cd_d=self.cd_d)
        return out

    def patches(self) -> tuple[int, tuple[int, int, int]]:
        """(P, the grid shape after packing), or DimProblem (GRID_PATCH)."""
        from rpnschema import dims_grid
        from rpnschema.dims import DimProblem, _geometric_centres
        from rpnschema.spec import expansion as ex

        patch = self.patch()
        shape = patch.pop("shape")
        grid = self.grid(1)
        grid.pop("channel_num")
        cls = {
            "cuboid": ex.CuboidPatchExpansion,
            "cylinder": ex.CylinderPatchExpansion,
            "sphere": ex.SpherePatchExpansion,
        }[shape]
        try:
            spec = cls.model_validate(
                {"name": f"{shape}_patch_based_geometric_expansion", **grid, **patch}
            )
        except ValidationError:
            choices = cls.model_fields["packing_strategy"].annotation.__args__  # type: ignore[union-attr]
            raise DimProblem(
                Code.GRID_PATCH,
                f"packing_strategy {self.packing_strategy!r} is not a packing of {shape} patches",
                path=("packing_strategy",),
                expected=" | ".join(choices),
                found=self.packing_strategy,
                suggestion="use densest_packing",
            ) from None
        packed = dims_grid.packed_shape(spec)
        return _geometric_centres(spec, "native"), packed


class GridInterdependencePreset(Preset, GridFields):
    """tinybig.head.grid_interdependence_head: a convolution over in_channel grids."""

    preset: Literal["grid_interdependence"]
    in_channel: Dim = Field(description="Input channels.")
    out_channel: Dim = Field(description="Output channels.")
    with_batch_norm: bool = Field(default=True, description="Batch norm on the output.")
    with_relu: bool = Field(default=True, description="ReLU on the output.")
    with_dual_lphm: bool = Field(default=False, description="dual_lphm reconciliation.")

    def expand(self) -> dict[str, Any]:
        P, _shape = self.patches()
        n = self.out_channel * P
        if self.with_dual_lphm:
            rec = {"name": "dual_lphm_reconciliation", "r": self.r, "enable_bias": self.enable_bias}
        else:
            rec = self._reconciliation()
        out: list[dict[str, Any]] = []
        if self.with_batch_norm:
            out.append({"name": "batch_norm", "num_features": n})
        if self.with_relu:
            out.append({"name": "relu"})
        head = {
            "m": self.in_channel * self.h * self.w * self.d,
            "n": n,
            "channels": self.channels,
            "attribute_interdependence": {
                "name": "geometric_interdependence",
                **self.grid(self.in_channel),
                "patch": self.patch(),
                "interdependence_matrix_mode": "padding",
            },
            "expansion": {"name": "identity_expansion"},
            "reconciliation": rec,
            "remainder": self._remainder(),
            "patch_convolution": True,
        }
        if out:
            head["output_process"] = out
        return head


class GridCompressionPreset(HeadPreset, GridFields):
    """tinybig.head.grid_compression_head: a pooling of channel_num grids."""

    preset: Literal["grid_compression"]
    channel_num: Dim = Field(description="Grid channels (each pooled on its own).")
    pooling_metric: PoolingMetric = Field(
        default="batch_max", description="The statistic of each patch (batch_mean: native only)."
    )
    with_dropout: bool = Field(default=True, description="Dropout (rate p) on the output.")
    p: Annotated[float, Field(ge=0, lt=1)] = Field(default=0.5, description="Dropout rate.")

    def expand(self) -> dict[str, Any]:
        P, _shape = self.patches()
        C = self.channel_num
        head: dict[str, Any] = {
            "m": C * self.h * self.w * self.d,
            "n": C * P,
            "channels": self.channels,
            "expansion": {
                "name": "geometric_compression",
                **self.grid(C),
                "metric": self.pooling_metric,
                "patch": self.patch(),
            },
            "reconciliation": {"name": "constant_eye_reconciliation"},
            "remainder": {"name": "zero_remainder"},
        }
        if self.with_dropout:
            head["output_process"] = [{"name": "dropout", "p": self.p}]
        return head


# --- the model: tinybig.model.cnn -------------------------------------------------------------

_PATCH_KEYS = ("p_h", "p_h_prime", "p_w", "p_w_prime", "p_d", "p_d_prime", "p_r")


def _halve(values: dict[str, Any], semantics: str) -> dict[str, Any]:
    """tinybig's parameter_scheduler('half'): max(int(v / 2), 1), None stays None, so a p_d of 0
    becomes 1 (a 3-deep patch on a flat grid). Native semantics keep a 0 at 0, as documented
    ("reduces patch size by half")."""
    return {
        k: None if v is None else v if v == 0 and semantics == "native" else max(int(v / 2), 1)
        for k, v in values.items()
    }


class CnnModelPreset(GridFields):
    """tinybig.model.cnn: grid_interdependence layers (convolutions, channel_nums[i] ->
    channel_nums[i+1]), a grid_compression layer (pooling) after every pooling_layer_gaps of
    them, then perceptron layers to fc_dims (batch norm, ReLU and dropout on the hidden ones)."""

    name: Literal["cnn"] = Field(description="tinybig.model.cnn.")
    #: the layer class of the convolutions (the expansion notice names it)
    LAYER: ClassVar[str] = "grid_interdependence_layer"
    channel_nums: Annotated[list[Dim], Field(min_length=2)] = Field(
        description="Channels: the input's, then each convolution's output."
    )
    fc_dims: Annotated[list[Dim], Field(min_length=1)] = Field(
        description="Sizes of the perceptron layers after the grid layers."
    )
    fc_channel_num: Dim = Field(default=1, description="Channels of the perceptron heads.")
    width: Dim = Field(default=1, description="Heads per layer (one shared head object).")
    pooling_metric: PoolingMetric = Field(
        default="batch_max", description="The statistic of each patch (batch_mean: native only)."
    )
    pooling_layer_gaps: Annotated[int, Field(ge=0)] = Field(
        default=2, description="A pooling after each run of this many convolutions."
    )
    patch_size_half_after_pooling: bool = Field(
        default=False, description="Halve every patch size after each pooling (tinybig's rule)."
    )
    pooling_patch_shape: PatchShape | None = Field(default=None, description="patch_shape.")
    pooling_p_h: Size | None = Field(default=None, description="Defaults to p_h.")
    pooling_p_h_prime: Size | None = Field(default=None, description="Defaults to p_h_prime.")
    pooling_p_w: Size | None = Field(default=None, description="Defaults to p_w.")
    pooling_p_w_prime: Size | None = Field(default=None, description="Defaults to p_w_prime.")
    pooling_p_d: Size | None = Field(default=None, description="Defaults to p_d.")
    pooling_p_d_prime: Size | None = Field(default=None, description="Defaults to p_d_prime.")
    pooling_p_r: Size | None = Field(default=None, description="Defaults to p_r.")
    pooling_cd_h: Dim | None = Field(default=None, description="Defaults to cd_h.")
    pooling_cd_w: Dim | None = Field(default=None, description="Defaults to cd_w.")
    pooling_cd_d: Dim | None = Field(default=None, description="Defaults to cd_d.")
    pooling_packing_strategy: str | None = Field(
        default=None, description="Defaults to packing_strategy."
    )
    with_batch_norm: bool = Field(default=True, description="Batch norm (hidden layers).")
    with_relu: bool = Field(default=True, description="ReLU (hidden layers).")
    with_softmax: bool = Field(default=False, description="Softmax on the last layer.")
    with_residual: bool = Field(default=False, description="A linear remainder.")
    with_dropout: bool = Field(default=True, description="Dropout after poolings and hidden fc.")
    p_pooling: Annotated[float, Field(ge=0, lt=1)] = Field(
        default=0.25, description="Dropout rate after each pooling."
    )
    p_fc: Annotated[float, Field(ge=0, lt=1)] = Field(
        default=0.5, description="Dropout rate of the hidden perceptron layers."
    )
    with_dual_lphm: bool = Field(default=False, description="dual_lphm reconciliation.")
    with_lorr: bool = Field(default=False, description="Low-rank reconciliation of rank r.")
    r: Dim = Field(default=3, description="Rank of the low-rank reconciliations.")
    enable_bias: bool = Field(default=True, description="A bias in every reconciliation.")
    with_perceptron_residual: bool | None = Field(default=None, description="with_residual.")
    with_perceptron_dual_lphm: bool | None = Field(default=None, description="with_dual_lphm.")
    with_perceptron_lorr: bool | None = Field(default=None, description="with_lorr.")
    perceptron_r: Dim | None = Field(default=None, description="Defaults to r.")
    enable_perceptron_bias: bool | None = Field(default=None, description="enable_bias.")

    def _pooling(self) -> dict[str, Any]:
        """The pooling layers' patch and packing (each defaults to the convolutions')."""
        out: dict[str, Any] = {}
        for key in (*_PATCH_KEYS, "cd_h", "cd_w", "cd_d", "packing_strategy", "patch_shape"):
            own = getattr(self, f"pooling_{key}")
            out[key] = own if own is not None else getattr(self, key)
        return out

    def _perceptron(self, key: str, default: Any) -> Any:
        own = getattr(self, key)
        return own if own is not None else default

    def expand_layers(self, semantics: str = "native") -> list[dict[str, Any]]:
        """The layers tinybig.model.cnn builds, as explicit layer specs (``semantics`` decides
        how a patch size of 0 is halved, see :func:`_halve`).

        Raises DimProblem for a grid that cannot be built (a patch without its size, ...).
        """
        from rpnschema.interop import _tinybig_presets as tp  # tinybig's perceptron_layer
        from rpnschema.interop import _tinybig_table as T

        grid = {k: getattr(self, k) for k in (*_PATCH_KEYS, "cd_h", "cd_w", "cd_d")}
        grid.update(patch_shape=self.patch_shape, packing_strategy=self.packing_strategy)
        pooling = self._pooling()
        shape = {"h": self.h, "w": self.w, "d": self.d}  # the grid entering the next layer
        conv_args = {
            "with_batch_norm": self.with_batch_norm,
            "with_relu": self.with_relu,
            "with_residual": self.with_residual,
            "with_dual_lphm": self.with_dual_lphm,
            "with_lorr": self.with_lorr,
            "r": self.r,
            "enable_bias": self.enable_bias,
        }
        pool_args = {
            "pooling_metric": self.pooling_metric,
            "with_dropout": self.with_dropout,
            "p": self.p_pooling,
        }
        layers: list[dict[str, Any]] = []
        for cin, cout in itertools.pairwise(self.channel_nums):
            conv = GridInterdependencePreset(
                preset="grid_interdependence",
                in_channel=cin,
                out_channel=cout,
                **shape,
                **conv_args,
                **grid,
            )
            layers.append(_layer(conv.expand(), self.width))
            shape = dict(zip("hwd", conv.patches()[1], strict=True))
            if len(layers) % (self.pooling_layer_gaps + 1) == self.pooling_layer_gaps:
                pool = GridCompressionPreset(
                    preset="grid_compression", channel_num=cout, **shape, **pool_args, **pooling
                )
                layers.append(_layer(pool.expand(), 1))
                shape = dict(zip("hwd", pool.patches()[1], strict=True))
                if self.patch_size_half_after_pooling:
                    grid.update(_halve({k: grid[k] for k in _PATCH_KEYS}, semantics))
                    pooling.update(_halve({k: pooling[k] for k in _PATCH_KEYS}, semantics))
        sizes = [layers[-1]["n"], *self.fc_dims]
        args = {
            "channel_num": self.fc_channel_num,
            "enable_bias": self._perceptron("enable_perceptron_bias", self.enable_bias),
            "with_dual_lphm": self._perceptron("with_perceptron_dual_lphm", self.with_dual_lphm),
            "with_lorr": self._perceptron("with_perceptron_lorr", self.with_lorr),
            "r": self._perceptron("perceptron_r", self.r),
            "with_residual": self._perceptron("with_perceptron_residual", self.with_residual),
            "p": self.p_fc,
        }
        for m, n in itertools.pairwise(sizes):
            hidden = n != sizes[-1]  # tinybig compares sizes, not positions
            head = tp.expand(
                T.LAYER_PRESETS["perceptron_layer"],
                {
                    **args,
                    "with_batch_norm": self.with_batch_norm and hidden,
                    "with_relu": self.with_relu and hidden,
                    "with_dropout": self.with_dropout and hidden,
                    "with_softmax": self.with_softmax and m == sizes[-2] and n == sizes[-1],
                },
                n,
            )
            layers.append(_layer({"m": m, "n": n, **head}, self.width))
        return layers


def _layer(head: dict[str, Any], width: int) -> dict[str, Any]:
    layer: dict[str, Any] = {"m": head.pop("m"), "n": head.pop("n"), "heads": [head]}
    if width > 1:
        layer.update(width=width, share_heads=True)
    return layer
