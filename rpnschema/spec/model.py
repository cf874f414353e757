"""An RPN model: a stack of layers, plus build settings."""

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator

from rpnschema.spec.base import Spec
from rpnschema.spec.head import Head
from rpnschema.spec.layer import Layer
from rpnschema.spec.preset_base import MODEL_PRESET

SPEC_VERSION = 2

Semantics = Literal["native", "tinybig"]
DType = Literal["float32", "float64", "bfloat16"]
InitMethod = Literal["xavier_uniform", "xavier_normal", "kaiming_uniform", "fanout_std_uniform"]


class ModelSpec(Spec):
    """A whole model. Give either ``layers`` (optionally with ``depth``/``depth_alloc``) or the
    ``dims`` + ``head`` shorthand (one layer per consecutive pair of dims)."""

    # The JSON Schema states the shape rules validation enforces (RPN202/RPN206): layers or
    # dims + head, never both, and dims and head only together.
    model_config = ConfigDict(
        **Spec.model_config,
        json_schema_extra={
            "not": {"anyOf": [{"required": ["layers", "dims"]}, {"required": ["layers", "head"]}]},
            # dims goes with a head template or a model preset; a head template with dims
            "dependentRequired": {"head": ["dims"]},
            "dependentSchemas": {
                "dims": {"anyOf": [{"required": ["head"]}, {"required": ["preset"]}]}
            },
        },
    )

    spec_version: Annotated[
        int, Field(ge=1, le=SPEC_VERSION, description="Spec format version.")
    ] = SPEC_VERSION
    name: Annotated[
        str,
        Field(
            pattern=r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$",
            description="The model's name (printable text: no control characters).",
        ),
    ] = "rpn_model"
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] | None = Field(
        default=None, description="Seed for weights and random buffers."
    )
    device: Annotated[str, Field(pattern=r"^(cpu|meta|mps|cuda(:[0-9]+)?)$")] = "cpu"
    dtype: DType = "float32"
    init: InitMethod = Field(default="xavier_normal", description="Parameter init method.")
    semantics: Semantics = Field(
        default="native",
        description="native: the documented math; tinybig: tinybig 0.2.1's exact outputs.",
    )
    layers: list[Layer] | None = Field(
        default=None,
        json_schema_extra={"minItems": 1},  # an empty list: RPN202 at run time
    )
    depth: Annotated[int, Field(ge=1)] | None = Field(default=None, description="Layer count.")
    depth_alloc: list[Annotated[int, Field(ge=1)]] | None = Field(
        default=None, description="Repetitions of each entry of layers."
    )
    dims: Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=2)] | None = Field(
        default=None, description="Shorthand: sizes [m, h1, ..., n], one layer per pair."
    )
    head: Head | None = Field(
        default=None, description="Shorthand: the head template for every layer of dims."
    )
    preset: Annotated[Spec, MODEL_PRESET] | None = Field(
        default=None,
        description="Shorthand with dims: one of tinybig's model classes (mlp, kan, svm, "
        "naive_bayes, pgm, gcn; cnn is sized by its own arguments, without dims), expanded "
        "into its layers and heads.",
    )
    parameters: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="Parameter count of the model (inferred; checked)."
    )

    @field_validator("spec_version")
    @classmethod
    def _known_version(cls, v: int) -> int:
        if v > SPEC_VERSION:
            raise ValueError(
                f"spec_version {v} is newer than this rpnschema understands (it reads "
                f"spec_version {SPEC_VERSION}); upgrade rpnschema"
            )
        return v
