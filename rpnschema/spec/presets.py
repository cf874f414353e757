"""Head presets after tinybig's ``tinybig.head`` classes: sugar for explicit components.

A preset expands into a plain :class:`~rpnschema.spec.head.HeadSpec` during normalization, so
the normalized spec shows exactly which components it chose.
"""

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, model_validator

from rpnschema.spec.base import Range, Spec

Rank = Annotated[int, Field(ge=1)]
Channels = Annotated[int, Field(ge=1)]
Dim = Annotated[int, Field(ge=1)]


def _increasing(name: str, value: tuple[float, float]) -> None:
    if not value[0] < value[1]:
        raise ValueError(f"{name} (={list(value)}) must be increasing: [low, high]")


class Preset(Spec):
    """Common preset options: dims, channels, reconciliation choice, residual, bias."""

    model_config = ConfigDict(defer_build=True)  # built when a spec names it (spec.lazy)

    m: Dim | None = None
    n: Dim | None = None
    channels: Channels = 1
    enable_bias: bool = False
    with_lorr: bool = Field(default=False, description="Low-rank reconciliation of rank r.")
    r: Rank = 3
    with_residual: bool = Field(default=False, description="A linear remainder.")

    def _reconciliation(self) -> dict[str, Any]:
        if self.with_lorr:
            return {"name": "lorr_reconciliation", "r": self.r, "enable_bias": self.enable_bias}
        return {"name": "identity_reconciliation", "enable_bias": self.enable_bias}

    def _remainder(self) -> dict[str, Any]:
        return {"name": "linear_remainder" if self.with_residual else "zero_remainder"}

    def _head(self, expansion: dict[str, Any], **extra: Any) -> dict[str, Any]:
        head: dict[str, Any] = {
            "m": self.m,
            "n": self.n,
            "channels": self.channels,
            "expansion": expansion,
            "reconciliation": self._reconciliation(),
            "remainder": self._remainder(),
            **extra,
        }
        return {k: v for k, v in head.items() if v is not None}

    def expand(self) -> dict[str, Any]:  # pragma: no cover - every preset overrides it
        raise NotImplementedError


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


PRESET_TYPES: tuple[type[Preset], ...] = (
    PerceptronPreset,
    KanPreset,
    SvmPreset,
    NaiveBayesPreset,
    PgmPreset,
)
