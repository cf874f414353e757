"""Composite interdependence functions: an RPN inside the slot, and a fusion of several
interdependence matrices.

- ``parameterized_rpn_interdependence``: A = kappa(X^T) psi(w)^T, an RPN head over the other
  axis: in the attribute slot each of the m columns (a vector of b values) is expanded
  (D = kappa.D(b)) and A is m x m' with psi fabricating m' x D; in the instance slot each row
  (m values) is expanded and A is b x b'. l = psi's l for (n, D) = (d', D).
- ``hybrid_interdependence``: A = fusion(A_1, ..., A_k) of the listed functions, all in the same
  slot; l = sum of their l plus the fusion's (w is split in that order). With ``softmax``, A is
  then normalized by a masked softmax (graph attention: tinybig's graph_bilinear head): each
  column (or row) of ``rescale_factor * A`` goes through a softmax over the entries inside the
  mask, entries outside it are 0. The mask, natively, is the support of the structural parts
  (graphs, chains, fixed matrices: a node attends to its neighbours whatever the scores); in
  tinybig semantics it is the fused A's nonzero entries (tinybig's ``mask_zeros``, which also
  masks a score that is exactly 0, e.g. a node whose features are all 0).
"""

from typing import Annotated, Literal

from pydantic import Field

from rpnschema.spec.base import Spec
from rpnschema.spec.expansion import AnyExpansion
from rpnschema.spec.fusion import AnyFusion
from rpnschema.spec.interdependence.base import Interdependence, _Resized
from rpnschema.spec.reconciliation import AnyReconciliation


class ParameterizedRPNInterdependence(_Resized):
    """A = kappa(X^T) psi(w)^T (see the module docstring)."""

    name: Literal["parameterized_rpn_interdependence"]
    data_transformation: AnyExpansion = Field(description="kappa, over the other axis.")
    parameter_fabrication: AnyReconciliation = Field(description="psi: l -> d' x D.")


class MaskedSoftmax(Spec):
    """A masked softmax over the columns (or rows) of the fused A (see the module docstring)."""

    mode: Literal["column", "row"] = Field(
        default="column", description="column: each column sums to 1 (over its mask); row: rows."
    )
    rescale_factor: float = Field(default=1.0, description="A is multiplied by it first.")


class HybridInterdependence(Interdependence):
    """A = fusion([A_1, ..., A_k]) (elementwise fusions keep d'; concatenation sums them),
    optionally normalized by a masked softmax (``softmax``)."""

    name: Literal["hybrid_interdependence"]
    functions: Annotated[list["AnyInterdependence"], Field(min_length=1)]  # noqa: F821
    fusion: AnyFusion = Field(description="Combines the matrices (dims inferred).")
    softmax: MaskedSoftmax | None = Field(
        default=None,
        description="Masked softmax of the fused A (graph attention); none: A as fused.",
    )


COMPOSITE_TYPES = (ParameterizedRPNInterdependence, HybridInterdependence)
