"""The base of the head presets (:mod:`rpnschema.spec.presets`,
:mod:`rpnschema.spec.grid_presets`): the options every tinybig head class takes; and where each
head, layer and model preset is defined, by its tag.

The preset modules are imported when a document names one of their presets (or when the whole
union is needed: an error, the JSON Schema; see :class:`rpnschema.spec.lazy.LazyTagged`), so
that validating a spec without presets does not define their ~35 classes.
"""

from typing import Annotated, Any

from pydantic import ConfigDict, Field

from rpnschema.spec.base import Spec
from rpnschema.spec.lazy import LazyTagged

#: Head presets (``preset:`` in a head), in the order of the head union's members.
HEAD_PRESETS: dict[str, str] = {
    "perceptron": "rpnschema.spec.presets:PerceptronPreset",
    "kan": "rpnschema.spec.presets:KanPreset",
    "svm": "rpnschema.spec.presets:SvmPreset",
    "naive_bayes": "rpnschema.spec.presets:NaiveBayesPreset",
    "pgm": "rpnschema.spec.presets:PgmPreset",
    "chain": "rpnschema.spec.presets:ChainPreset",
    "grid_interdependence": "rpnschema.spec.grid_presets:GridInterdependencePreset",
    "grid_compression": "rpnschema.spec.grid_presets:GridCompressionPreset",
    "bilinear": "rpnschema.spec.presets:BilinearPreset",
}
#: Layer presets (``preset:`` in an entry of ``layers``).
LAYER_PRESETS: dict[str, str] = {"bilinear": "rpnschema.spec.layer_presets:BilinearLayerPreset"}
#: Model presets (the model's ``preset: {name: ...}``), in MODEL_PRESET_TYPES' order.
MODEL_PRESETS: dict[str, str] = {
    "mlp": "rpnschema.spec.model_presets:MlpModelPreset",
    "kan": "rpnschema.spec.model_presets:KanModelPreset",
    "svm": "rpnschema.spec.model_presets:SvmModelPreset",
    "naive_bayes": "rpnschema.spec.model_presets:NaiveBayesModelPreset",
    "pgm": "rpnschema.spec.model_presets:PgmModelPreset",
    "gcn": "rpnschema.spec.model_presets:GcnModelPreset",
    "rnn": "rpnschema.spec.model_presets:RnnModelPreset",
    "regression_rnn": "rpnschema.spec.model_presets:RegressionRnnModelPreset",
    "cnn": "rpnschema.spec.grid_presets:CnnModelPreset",
    "gat": "rpnschema.spec.model_presets:GatModelPreset",
    "transformer": "rpnschema.spec.model_presets:TransformerModelPreset",
}


def _shorthand(value: Any) -> Any:
    """``preset: mlp`` is ``preset: {name: mlp}``."""
    return {"name": value} if isinstance(value, str) else value


def _tag(value: Any) -> str | None:
    tag = value.get("name") if isinstance(value, dict) else getattr(value, "name", None)
    return tag if isinstance(tag, str) else None


#: The model's ``preset`` slot (its whole union: ``model_presets.AnyModelPreset``).
MODEL_PRESET = LazyTagged(MODEL_PRESETS, _tag, _shorthand)

Rank = Annotated[int, Field(ge=1)]
Channels = Annotated[int, Field(ge=1)]
Dim = Annotated[int, Field(ge=1)]


class HeadPreset(Spec):
    """What every head preset has: m and n (checked against the layer's) and the channels."""

    model_config = ConfigDict(defer_build=True)  # built when a spec names it (spec.lazy)

    m: Dim | None = None
    n: Dim | None = None
    channels: Channels = 1

    def expand(self) -> dict[str, Any]:  # pragma: no cover - every preset overrides it
        raise NotImplementedError


class Preset(HeadPreset):
    """Common preset options: dims, channels, reconciliation choice, residual, bias."""

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
