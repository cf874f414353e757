"""Validation builds only the catalog classes a document names (rpnschema.spec.registry)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CODE = """
import rpnschema
from rpnschema.spec import expansion as ex, reconciliation as rc
before = ex.TaylorExpansion.__pydantic_complete__
result = rpnschema.validate_data({
    "dims": [4, 3],
    "head": {"expansion": {"name": "taylor_expansion", "d": 2},
             "reconciliation": "lorr_reconciliation"},
})
assert result.ok, result.diagnostics
print(before, ex.TaylorExpansion.__pydantic_complete__, rc.LorrReconciliation.__pydantic_complete__,
      ex.BesselExpansion.__pydantic_complete__, rc.DualLPHMReconciliation.__pydantic_complete__)
bad = rpnschema.validate_data({"dims": [4, 3], "head": {"expansion": "taylor_expanson"}})
print([d.suggestion for d in bad.errors])
"""


def test_only_the_named_members_are_built() -> None:
    run = subprocess.run(
        [sys.executable, "-c", CODE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    built, suggestions = run.stdout.splitlines()
    # before validation nothing is built; then exactly the named members
    assert built == "False True True False False"
    # an unknown name is reported against the whole family, as before
    assert suggestions == "[\"did you mean 'taylor_expansion'?\"]"


PRESETS_CODE = """
import sys
import rpnschema
PRESET_MODULES = ("presets", "grid_presets", "model_presets", "layer_presets",
                  "presets_bilinear", "chain")
def loaded():
    return sorted(m for m in PRESET_MODULES if f"rpnschema.spec.{m}" in sys.modules)
plain = rpnschema.validate_data({"dims": [4, 3], "head": {"expansion": "taylor_expansion"}})
assert plain.ok, plain.diagnostics
print(loaded())
kan = rpnschema.validate_data({"dims": [4, 3], "head": {"preset": "kan"}})
assert kan.ok, kan.diagnostics
print(loaded())
mlp = rpnschema.validate_data({"dims": [4, 3], "preset": "mlp"})
assert mlp.ok, mlp.diagnostics
print(loaded())
bad = rpnschema.validate_data({"dims": [4, 3], "head": {"preset": "kann"}})
print([d.suggestion for d in bad.errors])
"""


def test_presets_are_defined_when_a_spec_names_one() -> None:
    run = subprocess.run(
        [sys.executable, "-c", PRESETS_CODE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    plain, kan, mlp, suggestions = run.stdout.splitlines()
    assert plain == "[]"  # a spec without presets defines none of their classes
    assert kan == "['chain', 'grid_presets', 'presets', 'presets_bilinear']"
    assert mlp == "['chain', 'grid_presets', 'model_presets', 'presets', 'presets_bilinear']"
    # an unknown preset is reported against the whole union, with its suggestion
    assert suggestions == "[\"did you mean 'kan'?\"]"


def test_the_preset_tables_name_each_class_by_its_tag() -> None:
    from rpnschema.spec import MODEL_PRESET_TYPES, PRESET_TYPES, registry
    from rpnschema.spec.lazy import resolve
    from rpnschema.spec.preset_base import HEAD_PRESETS, LAYER_PRESETS, MODEL_PRESETS

    heads = {tag: resolve(where) for tag, where in HEAD_PRESETS.items()}
    assert tuple(heads.values()) == PRESET_TYPES
    for tag, cls in heads.items():
        assert cls.model_fields["preset"].annotation.__args__[0] == tag
    models = {tag: resolve(where) for tag, where in MODEL_PRESETS.items()}
    assert tuple(models.values()) == MODEL_PRESET_TYPES
    assert [registry.component_name(cls) for cls in models.values()] == list(models)
    [(tag, where)] = LAYER_PRESETS.items()
    assert resolve(where).model_fields["preset"].annotation.__args__[0] == tag


def test_the_whole_unions_stay_importable() -> None:
    from pydantic import TypeAdapter

    from rpnschema.spec import AnyHead, AnyLayer, AnyModelPreset
    from rpnschema.spec.presets import KanPreset

    head = TypeAdapter(AnyHead).validate_python({"preset": "kan", "m": 4, "n": 3})
    assert type(head) is KanPreset
    assert len(AnyHead.__origin__.__args__) == 10
    assert len(AnyLayer.__origin__.__args__) == 2
    assert TypeAdapter(AnyModelPreset).validate_python("mlp").name == "mlp"
