"""An RPN layer: ``width`` heads on the same input, combined by a head fusion."""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from rpnschema.spec.base import Spec, empty_list, list_shorthand
from rpnschema.spec.fusion import AnyFusion
from rpnschema.spec.head import Head
from rpnschema.spec.lazy import lazy_union, whole_unions
from rpnschema.spec.preset_base import LAYER_PRESETS
from rpnschema.spec.processing import ProcessingList

Dim = Annotated[int, Field(ge=1)]


class LayerSpec(Spec):
    """One layer. ``heads`` lists head configs; ``width_alloc`` says how often each repeats.

    Rules (as tinybig, but strict): with ``width_alloc`` each config repeats that many times and
    ``width`` (if given) must equal the sum; without it a single config repeats ``width``
    times, and several configs need ``width`` equal to their count.
    """

    m: Dim | None = Field(default=None, description="Input size (from the previous layer).")
    n: Dim | None = Field(default=None, description="Output size of each head.")
    width: Dim | None = Field(default=None, description="Number of heads.")
    width_alloc: list[Dim] | None = Field(
        default=None, description="Repetitions of each entry of heads."
    )
    heads: Annotated[
        list[Head],
        Field(
            min_length=1,
            description="Head configs (a list; a single head may be given as one mapping).",
        ),
        BeforeValidator(list_shorthand),
    ]
    share_heads: bool | None = Field(
        default=None,
        description="The width copies are one head object with one set of parameters (tinybig's "
        "specialised layers); its heads must all be the same config.",
    )
    head_fusion: AnyFusion | None = Field(
        default=None, description="Combines the heads (mean_fusion when width > 1)."
    )
    steps: Dim | None = Field(
        default=None,
        description="Sequence layer: each input row holds steps positions of m features "
        "(tinybig chain_length); the heads map every position m -> n, so the output row holds "
        "steps * n values (inferred from heads that give steps).",
    )
    pool_steps: bool | None = Field(
        default=None,
        description="With steps: true averages the positions first, so the heads see one row "
        "of m features per input and the layer outputs n (tinybig rnn's output layer).",
    )
    input_process: ProcessingList = Field(
        default_factory=empty_list, description="Applied to the layer's input (size m)."
    )
    output_process: ProcessingList = Field(
        default_factory=empty_list, description="Applied to the layer's output (size output_dim)."
    )
    output_dim: Dim | None = Field(default=None, description="Output size (inferred; checked).")
    parameters: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="Parameter count of the layer (inferred; checked)."
    )


def _layer_tag(value: Any) -> str:
    preset = value.get("preset") if isinstance(value, dict) else getattr(value, "preset", None)
    return preset if isinstance(preset, str) else "layer"


#: A layer: explicit (``LayerSpec``) or a layer preset (``preset: bilinear``: tinybig's
#: bilinear_interdependence_layer, imported when a spec names it).
Layer = lazy_union(LayerSpec, {"layer": LayerSpec, **LAYER_PRESETS}, _layer_tag)


#: ``AnyLayer``: the whole union (every preset built), for readers of the plain pydantic union.
__getattr__ = whole_unions(__name__, AnyLayer=Layer)
