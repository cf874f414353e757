"""The interdependence family's catalog: every member class and the discriminated union.

Imported on first use (see :mod:`rpnschema.spec.interdependence`), so that validating a spec
without interdependences never builds these classes.
"""

from typing import Annotated

from pydantic import BeforeValidator

from rpnschema.spec.base import name_shorthand
from rpnschema.spec.interdependence.base import Interdependence
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

AnyInterdependence = Annotated[
    Interdependence,
    FamilyUnion("interdependence", INTERDEPENDENCE_TYPES),
    BeforeValidator(name_shorthand),
]

HybridInterdependence.model_rebuild(_types_namespace={"AnyInterdependence": AnyInterdependence})
