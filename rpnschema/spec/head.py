"""An RPN head: g(x) = fuse_c(<kappa(x), psi(w_c)> + b) + pi(x)."""

from typing import Annotated, Any

from pydantic import Field

from rpnschema.spec.base import Spec, empty_list
from rpnschema.spec.expansion import AnyExpansion
from rpnschema.spec.fusion import AnyFusion
from rpnschema.spec.interdependence import Interdependence, LazyInterdependence
from rpnschema.spec.lazy import lazy_union, whole_unions
from rpnschema.spec.preset_base import HEAD_PRESETS, HeadPreset
from rpnschema.spec.processing import ProcessingList
from rpnschema.spec.reconciliation import AnyReconciliation
from rpnschema.spec.remainder import AnyRemainder

Dim = Annotated[int, Field(ge=1)]
Count = Annotated[int, Field(ge=0)]


class HeadSpec(Spec):
    """One head. ``m`` and ``n`` are inherited from the layer (an explicit mismatch is an error).

    The pinned figures (``D``, ``l``, ``output_dim``, ``parameters``) are filled in by
    normalization; when a spec gives them they are checked, so a config can pin its size.
    """

    m: Dim | None = Field(default=None, description="Input size (inherited from the layer).")
    n: Dim | None = Field(default=None, description="Output size per channel (from the layer).")
    channels: Annotated[int, Field(ge=1, description="Channel count (tinybig channel_num).")] = 1
    batch: Dim | None = Field(
        default=None,
        description="Batch size b (tinybig batch_num): needed by an instance interdependence "
        "whose matrix has a fixed size (basic, parameterized, topological); checked against "
        "graph and chain sizes.",
    )
    steps: Dim | None = Field(
        default=None,
        description="Positions per input row (from a sequence layer): the head maps each "
        "position m -> n, its instance interdependence mixes the positions (batch = steps), "
        "and input_process / output_process act on the whole row (steps*m, steps*n).",
    )
    attribute_interdependence: Annotated[Interdependence, LazyInterdependence()] | None = Field(
        default=None, description="Attribute interdependence: A (m x m'), X -> X A."
    )
    instance_interdependence: Annotated[Interdependence, LazyInterdependence()] | None = Field(
        default=None, description="Instance interdependence: A (b x b'), kappa -> A^T kappa."
    )
    expansion: AnyExpansion = Field(description="Data expansion kappa: R^m' -> R^D.")
    reconciliation: AnyReconciliation | None = Field(
        default=None, description="Parameter reconciliation psi: R^l -> R^(n x D) (identity)."
    )
    remainder: AnyRemainder | None = Field(
        default=None, description="Remainder pi: R^m -> R^n (zero_remainder when omitted)."
    )
    channel_fusion: AnyFusion | None = Field(
        default=None, description="Combines the channels (mean_fusion when channels > 1)."
    )
    input_process: ProcessingList = Field(
        default_factory=empty_list, description="Applied to the head's input (size m)."
    )
    output_process: ProcessingList = Field(
        default_factory=empty_list, description="Applied to the head's output (size output_dim)."
    )
    patch_convolution: bool | None = Field(
        default=None,
        description="A convolution (tinybig's grid_interdependence_head): the geometric "
        "attribute interdependence (padding mode) lays out P patches, and one reconciled "
        "(n/P) x (D/P) matrix is applied to every patch's D/P values; l = l(n/P, D/P), the "
        "output is channel-major (n/P channels of P values).",
    )
    m_prime: Dim | None = Field(
        default=None, description="Width after the attribute interdependence (inferred; checked)."
    )
    b_prime: Dim | None = Field(
        default=None, description="Rows after the instance interdependence (inferred; checked)."
    )
    D: Dim | None = Field(default=None, description="Expansion size (inferred; checked).")
    l: Count | None = Field(
        default=None, description="Learnable values per channel (inferred; checked)."
    )
    l_attribute_interdependence: Count | None = Field(
        default=None, description="Learnable values per channel of the attribute interdependence."
    )
    l_instance_interdependence: Count | None = Field(
        default=None, description="Learnable values per channel of the instance interdependence."
    )
    output_dim: Dim | None = Field(default=None, description="Output size (inferred; checked).")
    parameters: Count | None = Field(
        default=None, description="Parameter count of the head (inferred; checked)."
    )


def _head_tag(value: Any) -> str:
    if isinstance(value, dict):
        preset = value.get("preset")
        return preset if isinstance(preset, str) else "head"
    preset = getattr(value, "preset", None)
    return preset if isinstance(preset, str) else "head"


#: A head: explicit (``HeadSpec``) or a head preset (``preset: <name>``, a
#: :class:`~rpnschema.spec.preset_base.HeadPreset`), the preset imported when a spec names it.
Head = lazy_union(HeadSpec | HeadPreset, {"head": HeadSpec, **HEAD_PRESETS}, _head_tag)


#: ``AnyHead``: the whole union (every preset built), for readers of the plain pydantic union.
__getattr__ = whole_unions(__name__, AnyHead=Head)
