"""The base of the head presets (:mod:`rpnschema.spec.presets`,
:mod:`rpnschema.spec.grid_presets`): the options every tinybig head class takes."""

from typing import Annotated, Any

from pydantic import ConfigDict, Field

from rpnschema.spec.base import Spec

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
