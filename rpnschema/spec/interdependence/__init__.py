"""Data interdependence functions xi: the matrices A of ``kappa_xi(X) = A_inst^T kappa(X A_attr)``.

One module per family group (the same groups as in :mod:`rpnschema.dims_interdependence` and
``rpnschema.compile.kernels.interdependence_*``): basic, kernel (statistical and numerical),
parameterized (incl. bilinear), topological (graph, chain), geometric (grid patches) and
composite (parameterized_rpn, hybrid).
"""

from typing import Annotated

from pydantic import BeforeValidator

from rpnschema.spec.base import name_shorthand
from rpnschema.spec.interdependence.base import Interdependence as Interdependence
from rpnschema.spec.interdependence.basic import BASIC_TYPES
from rpnschema.spec.interdependence.geometric import GEOMETRIC_TYPES
from rpnschema.spec.interdependence.hybrid import COMPOSITE_TYPES, HybridInterdependence
from rpnschema.spec.interdependence.kernel import KERNEL_TYPES
from rpnschema.spec.interdependence.parameterized import PARAMETERIZED_TYPES
from rpnschema.spec.interdependence.topological import TOPOLOGICAL_TYPES
from rpnschema.spec.registry import FamilyUnion

INTERDEPENDENCE_TYPES: tuple[type[Interdependence], ...] = (
    *BASIC_TYPES,
    *KERNEL_TYPES,
    *PARAMETERIZED_TYPES,
    *TOPOLOGICAL_TYPES,
    *GEOMETRIC_TYPES,
    *COMPOSITE_TYPES,
)

#: tinybig 0.2.1 interdependence classes rpnschema does not support, with the reason.
UNSUPPORTED: dict[str, str] = {
    "interdependence": "the abstract base class: tinybig constructs it but its forward fails "
    "(calculate_A is abstract)",
}

AnyInterdependence = Annotated[
    Interdependence,
    FamilyUnion("interdependence", INTERDEPENDENCE_TYPES),
    BeforeValidator(name_shorthand),
]

HybridInterdependence.model_rebuild(_types_namespace={"AnyInterdependence": AnyInterdependence})
