"""pydantic models of an RPN spec. Importing this package never imports torch."""

from typing import Any

from rpnschema.spec.base import Component as Component
from rpnschema.spec.base import Spec as Spec
from rpnschema.spec.expansion import EXPANSION_TYPES as EXPANSION_TYPES
from rpnschema.spec.expansion import AnyExpansion as AnyExpansion
from rpnschema.spec.expansion import Expansion as Expansion
from rpnschema.spec.fusion import FUSION_TYPES as FUSION_TYPES
from rpnschema.spec.fusion import AnyFusion as AnyFusion
from rpnschema.spec.fusion import Fusion as Fusion
from rpnschema.spec.head import HeadSpec as HeadSpec
from rpnschema.spec.interdependence import Interdependence as Interdependence
from rpnschema.spec.layer import LayerSpec as LayerSpec
from rpnschema.spec.model import SPEC_VERSION as SPEC_VERSION
from rpnschema.spec.model import ModelSpec as ModelSpec
from rpnschema.spec.preset_base import Preset as Preset
from rpnschema.spec.processing import PROCESSING_TYPES as PROCESSING_TYPES
from rpnschema.spec.processing import AnyProcessing as AnyProcessing
from rpnschema.spec.processing import Processing as Processing
from rpnschema.spec.reconciliation import RECONCILIATION_TYPES as RECONCILIATION_TYPES
from rpnschema.spec.reconciliation import AnyReconciliation as AnyReconciliation
from rpnschema.spec.reconciliation import Reconciliation as Reconciliation
from rpnschema.spec.registry import component_name as component_name
from rpnschema.spec.remainder import REMAINDER_TYPES as REMAINDER_TYPES
from rpnschema.spec.remainder import AnyRemainder as AnyRemainder
from rpnschema.spec.remainder import Remainder as Remainder

#: The built-in members of the families built at import (plugins excluded).
_EAGER_TYPES: dict[str, tuple[type[Component], ...]] = {
    "expansion": EXPANSION_TYPES,
    "reconciliation": RECONCILIATION_TYPES,
    "remainder": REMAINDER_TYPES,
    "fusion": FUSION_TYPES,
    "processing": PROCESSING_TYPES,
}
_LAZY: dict[str, Any] = {}
#: Names defined by modules imported on first use (the presets: see ``spec.preset_base``).
_ON_DEMAND = {
    "AnyHead": "rpnschema.spec.head",
    "AnyLayer": "rpnschema.spec.layer",
    "AnyModelPreset": "rpnschema.spec.model_presets",
    "PRESET_TYPES": "rpnschema.spec.presets",
    "MODEL_PRESET_TYPES": "rpnschema.spec.model_presets",
    "INTERDEPENDENCE_TYPES": "rpnschema.spec.interdependence",
    "AnyInterdependence": "rpnschema.spec.interdependence",
}


def __getattr__(name: str) -> Any:
    """``COMPONENT_TYPES`` (the built-in members of each family, plugins excluded; see
    :func:`rpnschema.spec.registry.members`), ``CATALOG`` (name -> class), the interdependence
    family's ``INTERDEPENDENCE_TYPES`` / ``AnyInterdependence``, the presets
    (``PRESET_TYPES``, ``MODEL_PRESET_TYPES``) and the whole unions ``AnyHead``, ``AnyLayer``,
    ``AnyModelPreset``: computed on first use, because they build the families and presets
    loaded on demand; validating a spec that names none of them never builds them."""
    import importlib

    if name in _ON_DEMAND:
        return getattr(importlib.import_module(_ON_DEMAND[name]), name)
    if name not in ("COMPONENT_TYPES", "CATALOG"):
        raise AttributeError(f"module 'rpnschema.spec' has no attribute {name!r}")
    from rpnschema.spec import interdependence

    if not _LAZY:
        from rpnschema.spec.compression import COMPRESSION_TYPES

        types = dict(_EAGER_TYPES)
        types = {
            "expansion": types.pop("expansion"),
            "compression": COMPRESSION_TYPES,
            **types,
            "interdependence": interdependence.INTERDEPENDENCE_TYPES,
        }
        _LAZY["COMPONENT_TYPES"] = types
        _LAZY["CATALOG"] = {component_name(cls): cls for family in types.values() for cls in family}
    return _LAZY[name]
