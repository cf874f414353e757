"""The class-path table covers the whole catalog and agrees with the conformance vectors."""

from __future__ import annotations

import json
from pathlib import Path

from rpnschema.interop import _tinybig_table as T
from rpnschema.spec import COMPONENT_TYPES, component_name

DATA = Path(__file__).resolve().parents[1] / "data" / "conformance"


def test_every_catalog_component_has_a_class_path_that_maps_back() -> None:
    for family in ("expansion", "reconciliation", "remainder", "fusion"):
        for cls in COMPONENT_TYPES[family]:
            name = component_name(cls)
            assert T.COMPONENT_CLASSES[T.CLASS_PATH[name]] == (family, name)
    for cls in COMPONENT_TYPES["processing"]:
        name = component_name(cls)
        assert T.PROCESSING_CLASSES[T.PROCESSING_PATH[name]] == name


def test_canonical_paths_are_the_conformance_class_paths() -> None:
    seen = 0
    for kind in ("expansions", "reconciliations", "remainders", "fusions"):
        for case in json.loads((DATA / f"{kind}.json").read_text())["cases"]:
            assert T.CLASS_PATH[case["function"]] == case["class_path"], case["id"]
            seen += 1
    assert seen > 100


def test_presets_and_module_classes() -> None:
    assert set(T.HEAD_PRESET_CLASSES.values()) == set(T.HEAD_PRESETS)
    assert set(T.LAYER_PRESET_CLASSES.values()) == set(T.LAYER_PRESETS)
    assert T.MODEL_CLASS in T.MODEL_CLASSES and T.LAYER_CLASS in T.LAYER_CLASSES
    assert T.HEAD_CLASS in T.HEAD_CLASSES
    assert set(T.UNEXPORTED) <= set(T.COMPONENT_CLASSES)
