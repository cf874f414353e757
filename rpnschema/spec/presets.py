"""Head presets after tinybig's ``tinybig.head`` classes: sugar for explicit components.

A preset expands into a plain :class:`~rpnschema.spec.head.HeadSpec` during normalization, so
the normalized spec shows exactly which components it chose.
"""

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from rpnschema.spec.base import Range
from rpnschema.spec.chain import ChainOptions, chain_head
from rpnschema.spec.grid_presets import GridCompressionPreset, GridInterdependencePreset
from rpnschema.spec.preset_base import Preset
from rpnschema.spec.presets_bilinear import BilinearOptions, bilinear_head

Rank = Annotated[int, Field(ge=1)]
Channels = Annotated[int, Field(ge=1)]
Dim = Annotated[int, Field(ge=1)]


def _increasing(name: str, value: tuple[float, float]) -> None:
    if not value[0] < value[1]:
        raise ValueError(f"{name} (={list(value)}) must be increasing: [low, high]")


def _output_process(
    *,
    batch_norm: bool = False,
    relu: bool = False,
    dropout: float | None = None,
    softmax: bool = False,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if batch_norm:
        out.append({"name": "batch_norm"})
    if relu:
        out.append({"name": "relu"})
    if dropout is not None:
        out.append({"name": "dropout", "p": dropout})
    if softmax:
        out.append({"name": "softmax"})
    return out


class PerceptronPreset(Preset):
    """identity (or Taylor) expansion, identity/lorr/dual_lphm reconciliation."""

    preset: Literal["perceptron"]
    with_taylor: bool = False
    d: Annotated[int, Field(ge=1)] = 2
    with_dual_lphm: bool = False
    enable_bias: bool = True
    with_batch_norm: bool = False
    with_relu: bool = False
    with_dropout: bool = False
    p: Annotated[float, Field(ge=0, lt=1)] = 0.5
    with_softmax: bool = False

    def _reconciliation(self) -> dict[str, Any]:
        if self.with_dual_lphm:
            return {
                "name": "dual_lphm_reconciliation",
                "r": self.r,
                "enable_bias": self.enable_bias,
            }
        return super()._reconciliation()

    def expand(self) -> dict[str, Any]:
        expansion = (
            {"name": "taylor_expansion", "d": self.d}
            if self.with_taylor
            else {"name": "identity_expansion"}
        )
        out = _output_process(
            batch_norm=self.with_batch_norm,
            relu=self.with_relu,
            dropout=self.p if self.with_dropout else None,
            softmax=self.with_softmax,
        )
        return self._head(expansion, output_process=out)


class KanPreset(Preset):
    """B-spline expansion with a SiLU-activated linear remainder (a KAN layer)."""

    preset: Literal["kan"]
    grid_range: Range = (-1.0, 1.0)
    t: Annotated[int, Field(ge=1)] = 5
    d: Annotated[int, Field(ge=0)] = 3
    with_batch_norm: bool = False
    with_softmax: bool = False

    @model_validator(mode="after")
    def _range_ordered(self):
        _increasing("grid_range", self.grid_range)
        return self

    def _remainder(self) -> dict[str, Any]:
        return {"name": "linear_remainder", "activation": [{"name": "silu"}]}

    def expand(self) -> dict[str, Any]:
        expansion = {
            "name": "bspline_expansion",
            "grid_range": list(self.grid_range),
            "t": self.t,
            "d": self.d,
        }
        out = _output_process(batch_norm=self.with_batch_norm, softmax=self.with_softmax)
        return self._head(expansion, output_process=out)


class SvmPreset(Preset):
    """A kernel expansion (linear, gaussian_rbf, inverse_quadratic_rbf), identity/lorr."""

    preset: Literal["svm"]
    kernel: Literal["linear", "gaussian_rbf", "inverse_quadratic_rbf"] = "linear"
    base_range: Range = (-1.0, 1.0)
    num_interval: Annotated[int, Field(ge=1)] = 10
    epsilon: Annotated[float, Field(gt=0)] = 1.0
    with_batch_norm: bool = False
    with_softmax: bool = False

    @model_validator(mode="after")
    def _range_ordered(self):
        _increasing("base_range", self.base_range)
        return self

    def expand(self) -> dict[str, Any]:
        if self.kernel == "linear":
            expansion: dict[str, Any] = {"name": "identity_expansion"}
        else:
            expansion = {
                "name": f"{self.kernel}_expansion",
                "base_range": list(self.base_range),
                "num_interval": self.num_interval,
                "epsilon": self.epsilon,
            }
        out = _output_process(batch_norm=self.with_batch_norm, softmax=self.with_softmax)
        return self._head(expansion, output_process=out)


class NaiveBayesPreset(Preset):
    """A naive probabilistic expansion (one log-density per feature)."""

    preset: Literal["naive_bayes"]
    distribution: Literal["normal", "exponential", "cauchy", "gamma", "chi2", "laplace"] = "normal"

    def expand(self) -> dict[str, Any]:
        return self._head({"name": f"naive_{self.distribution}_expansion"})


class PgmPreset(Preset):
    """A combinatorial normal expansion (a probabilistic graphical model head)."""

    preset: Literal["pgm"]
    distribution: Literal["normal"] = "normal"
    d: Annotated[int, Field(ge=1)] = 2
    with_replacement: bool = False

    def expand(self) -> dict[str, Any]:
        expansion = {
            "name": "combinatorial_normal_expansion",
            "d": self.d,
            "with_replacement": self.with_replacement,
        }
        return self._head(expansion)


class ChainPreset(ChainOptions, Preset):
    """A chain head (tinybig chain_interdependence_head): input chain_length*m, positions
    mixed by a chain interdependence, each mapped m -> n; output chain_length*n."""

    preset: Literal["chain"]

    def tinybig_arguments(self) -> dict[str, Any]:
        """The preset's options in tinybig's names."""
        args = self.model_dump(exclude={"preset", "m", "n"})
        args["channel_num"] = args.pop("channels")
        return args

    def expand(self) -> dict[str, Any]:
        head = chain_head(self.tinybig_arguments())
        return {**{k: v for k, v in (("m", self.m), ("n", self.n)) if v is not None}, **head}


class BilinearPreset(BilinearOptions, Preset):
    """tinybig.head.bilinear_interdependence_head: attention A = softmax(sqrt(n) X W X^T) over
    the rows (instance interdependence), identity (or Taylor) expansion."""

    preset: Literal["bilinear"]

    #: The layer's m and n fill this preset's (sqrt(n) scales the attention).
    INHERITS_DIMS: ClassVar[bool] = True

    def arguments(self) -> dict[str, Any]:
        """tinybig's constructor arguments (its names)."""
        args = self.model_dump(exclude={"preset", "m", "n", "channels", "batch", "width"})
        return {**args, "channel_num": self.channels, "batch_num": self.batch}

    def expand(self) -> dict[str, Any]:
        if self.n is None:  # normalization reports it first (RPN486)
            raise ValueError("the bilinear preset needs n")
        return bilinear_head(self.arguments(), self.m, self.n)


PRESET_TYPES: tuple[type[Preset], ...] = (
    PerceptronPreset,
    KanPreset,
    SvmPreset,
    NaiveBayesPreset,
    PgmPreset,
    ChainPreset,
    GridInterdependencePreset,
    GridCompressionPreset,
    BilinearPreset,
)
