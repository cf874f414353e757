"""The builder table: every catalog component class -> the typed function that builds its module.

Builders differ by family in the sizes they take (an expansion needs nothing more, a
reconciliation n, D and l, a remainder m and n); ``tests/compile`` checks that the table covers
every member of :data:`rpnschema.spec.COMPONENT_TYPES`.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from rpnschema.compile.expansion import EXPANSION_BUILDERS, build_expansion
from rpnschema.compile.fusion import FUSION_BUILDERS, build_fusion
from rpnschema.compile.interdependence import INTERDEPENDENCE_BUILDERS
from rpnschema.compile.processing import PROCESSING_BUILDERS, build_processing
from rpnschema.compile.reconciliation import RECONCILIATION_BUILDERS, build_reconciliation
from rpnschema.compile.remainder import REMAINDER_BUILDERS, build_remainder
from rpnschema.spec.base import Component

BUILDERS: dict[type[Component], Callable[..., nn.Module]] = {
    **EXPANSION_BUILDERS,
    **RECONCILIATION_BUILDERS,
    **REMAINDER_BUILDERS,
    **FUSION_BUILDERS,
    **PROCESSING_BUILDERS,
    **INTERDEPENDENCE_BUILDERS,
}

__all__ = [
    "BUILDERS",
    "build_expansion",
    "build_fusion",
    "build_processing",
    "build_reconciliation",
    "build_remainder",
]
