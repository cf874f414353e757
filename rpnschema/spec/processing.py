"""Processing functions: activations, normalizations and dropout.

They act on the vector they are attached to: an expansion's input (m) or output (D), a head's
input (m) or output, a layer's input or output, a remainder's output (n). ``layer_norm`` and
``batch_norm`` are sized to that vector; the size is inferred when omitted.
"""

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator

from rpnschema.spec.base import Component, list_shorthand, name_shorthand
from rpnschema.spec.registry import FamilyUnion


class Processing(Component):
    family = "processing"


class ReLU(Processing):
    """max(0, x)."""

    name: Literal["relu"]


class LeakyReLU(Processing):
    """x if x >= 0 else negative_slope * x."""

    name: Literal["leaky_relu"]
    negative_slope: float = 0.01


class Sigmoid(Processing):
    """1 / (1 + exp(-x))."""

    name: Literal["sigmoid"]


class Tanh(Processing):
    """tanh(x)."""

    name: Literal["tanh"]


class GELU(Processing):
    """Gaussian error linear unit."""

    name: Literal["gelu"]
    approximate: Literal["none", "tanh"] = "none"


class SiLU(Processing):
    """x * sigmoid(x)."""

    name: Literal["silu"]


class Softplus(Processing):
    """log(1 + exp(beta x)) / beta, linear above threshold."""

    name: Literal["softplus"]
    beta: Annotated[float, Field(gt=0)] = 1.0
    threshold: float = 20.0


class ELU(Processing):
    """x if x > 0 else alpha * (exp(x) - 1)."""

    name: Literal["elu"]
    alpha: float = 1.0


class Softmax(Processing):
    """Softmax over the feature dimension."""

    name: Literal["softmax"]
    dim: Annotated[int, Field(ge=-1, le=1, description="-1 or 1: the feature dimension.")] = -1

    @field_validator("dim")
    @classmethod
    def _feature_dim(cls, v: int) -> int:
        if v == 0:
            raise ValueError("dim 0 is the batch dimension; use -1 (or 1), the features")
        return v


class LogSoftmax(Softmax):
    """Log-softmax over the feature dimension (tinybig's graph heads end with it)."""

    name: Literal["log_softmax"]  # type: ignore[assignment]


class LayerNorm(Processing):
    """Layer normalization over the last dimension (2 * size parameters when affine)."""

    name: Literal["layer_norm"]
    normalized_shape: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Size of the vector normalized; inferred when omitted."
    )
    eps: Annotated[float, Field(gt=0)] = 1e-5
    elementwise_affine: bool = True
    bias: bool = True


class BatchNorm(Processing):
    """Batch normalization over features (2 * size parameters when affine)."""

    name: Literal["batch_norm"]
    num_features: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Number of features; inferred when omitted."
    )
    eps: Annotated[float, Field(gt=0)] = 1e-5
    momentum: Annotated[float, Field(ge=0, le=1)] = 0.1
    affine: bool = True
    track_running_stats: bool = True


class Dropout(Processing):
    """Zero each element with probability p during training."""

    name: Literal["dropout"]
    p: Annotated[float, Field(ge=0, lt=1)] = 0.5


PROCESSING_TYPES = (
    ReLU,
    LeakyReLU,
    Sigmoid,
    Tanh,
    GELU,
    SiLU,
    Softplus,
    ELU,
    Softmax,
    LogSoftmax,
    LayerNorm,
    BatchNorm,
    Dropout,
)

AnyProcessing = Annotated[
    Processing,
    FamilyUnion("processing", PROCESSING_TYPES),  # plugins cannot add processing functions
    BeforeValidator(name_shorthand),
]

ProcessingList = Annotated[list[AnyProcessing], BeforeValidator(list_shorthand)]
