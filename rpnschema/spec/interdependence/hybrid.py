"""Composite interdependence functions: an RPN inside the slot, and a fusion of several
interdependence matrices.

- ``parameterized_rpn_interdependence``: A = kappa(X^T) psi(w)^T, an RPN head over the other
  axis: in the attribute slot each of the m columns (a vector of b values) is expanded
  (D = kappa.D(b)) and A is m x m' with psi fabricating m' x D; in the instance slot each row
  (m values) is expanded and A is b x b'. l = psi's l for (n, D) = (d', D).
- ``hybrid_interdependence``: A = fusion(A_1, ..., A_k) of the listed functions, all in the same
  slot; l = sum of their l plus the fusion's (w is split in that order).
"""

from typing import Annotated, Literal

from pydantic import Field

from rpnschema.spec.expansion import AnyExpansion
from rpnschema.spec.fusion import AnyFusion
from rpnschema.spec.interdependence.base import Interdependence, _Resized
from rpnschema.spec.reconciliation import AnyReconciliation


class ParameterizedRPNInterdependence(_Resized):
    """A = kappa(X^T) psi(w)^T (see the module docstring)."""

    name: Literal["parameterized_rpn_interdependence"]
    data_transformation: AnyExpansion = Field(description="kappa, over the other axis.")
    parameter_fabrication: AnyReconciliation = Field(description="psi: l -> d' x D.")


class HybridInterdependence(Interdependence):
    """A = fusion([A_1, ..., A_k]) (elementwise fusions keep d'; concatenation sums them)."""

    name: Literal["hybrid_interdependence"]
    functions: Annotated[list["AnyInterdependence"], Field(min_length=1)]  # noqa: F821
    fusion: AnyFusion = Field(description="Combines the matrices (dims inferred).")


COMPOSITE_TYPES = (ParameterizedRPNInterdependence, HybridInterdependence)
