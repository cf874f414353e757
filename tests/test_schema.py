"""The exported JSON Schema: current, valid 2020-12, and agreeing with pydantic on structure."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from typer.testing import CliRunner

from rpnschema import schema, testing, validate_data
from rpnschema.cli import app

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "schemas" / schema.SCHEMA_FILE
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*") if p.suffix in (".yaml", ".json"))
VALIDATOR = jsonschema.Draft202012Validator(schema.model_schema())


def _load(path: Path):
    return yaml.safe_load(path.read_text())


def test_committed_schema_is_current() -> None:
    assert COMMITTED.read_text() == schema.render(), "run: rpnschema schema --out schemas"


def test_schema_is_valid_draft_2020_12() -> None:
    s = json.loads(COMMITTED.read_text())
    jsonschema.Draft202012Validator.check_schema(s)
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert s["$id"].endswith("/rpnschema.schema.json")


def test_components_are_chosen_by_name_with_if_then() -> None:
    # Editors ignore OpenAPI's `discriminator`: each member is an `if name == X then X`.
    defs = schema.model_schema()["$defs"]
    names, mapping = defs[schema.family_title("expansion")]["anyOf"]
    assert "taylor_expansion" in names["enum"] and names["type"] == "string"
    assert mapping["properties"]["name"]["enum"] == names["enum"]
    assert len(mapping["allOf"]) == len(names["enum"])
    assert {
        "if": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"const": "taylor_expansion"}},
        },
        "then": {"$ref": "#/$defs/TaylorExpansion"},
    } in mapping["allOf"]
    taylor = defs["TaylorExpansion"]
    assert taylor["properties"]["d"] == {
        "default": 2,
        "description": "Degree / order of the expansion.",
        "minimum": 1,
        "title": "D",
        "type": "integer",
    }
    assert taylor["propertyNames"]["enum"] == ["name", "preprocess", "postprocess", "d"]
    assert "additionalProperties" not in taylor


def test_heads_are_presets_or_explicit_by_preset_key() -> None:
    head = schema.model_schema()["$defs"]["Head"]
    assert head["if"] == {"type": "object", "required": ["preset"]}
    assert head["else"] == {"$ref": "#/$defs/HeadSpec", "title": "Head"}
    presets = [branch["if"]["properties"]["preset"]["const"] for branch in head["then"]["allOf"]]
    assert sorted(presets) == head["properties"]["preset"]["enum"]
    assert [s["label"] for s in head["defaultSnippets"]] == [
        "head: expansion + reconciliation",
        "head: preset",
    ]


def _walk(node, path=()):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, (*path, i))


def test_editor_conventions_hold_everywhere() -> None:
    doc = schema.model_schema()
    for path, node in _walk(doc):
        where = "/".join(map(str, path))
        # Editors insert a `null` default and show `anyOf` titles twice.
        assert node.get("default", 0) is not None, where
        assert "oneOf" not in node and "discriminator" not in node, where
        if "prefixItems" in node:  # servers before 2020-12 check items only
            assert "items" in node, where
        if "anyOf" in node and {"type": "null"} in node["anyOf"]:
            assert all("$ref" in b or b == {"type": "null"} for b in node["anyOf"]), where
    models = [doc, *(d for d in doc["$defs"].values() if "propertyNames" in d)]
    for model in models:
        for key, prop in model["properties"].items():
            assert prop.get("description"), (
                f"{model.get('title')}.{key} has no description: give the field "
                "Field(description=...) or add it to rpnschema/spec/descriptions.py"
            )


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_pass_the_schema(path: Path) -> None:
    assert list(VALIDATOR.iter_errors(_load(path))) == []


def test_yaml_examples_carry_the_schema_modeline() -> None:
    for path in EXAMPLES:
        if path.suffix == ".yaml":
            first = path.read_text().splitlines()[0]
            assert first == "# yaml-language-server: $schema=../schemas/rpnschema.schema.json"


CHECK_JSONSCHEMA = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or (
    shutil.which("check-jsonschema")
)


@pytest.mark.skipif(CHECK_JSONSCHEMA is None, reason="check-jsonschema is not installed")
def test_check_jsonschema_accepts_every_example() -> None:
    cmd = [CHECK_JSONSCHEMA, "--schemafile", str(COMMITTED), *map(str, EXAMPLES)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


BROKEN = {
    "wrong type": {"layers": [{"m": "3", "n": 2, "heads": [{"expansion": "taylor_expansion"}]}]},
    "unknown key": {
        "layers": [{"m": 3, "n": 2, "heads": [{"expansion": "taylor_expansion", "colour": 1}]}]
    },
    "unknown function": {"layers": [{"m": 3, "n": 2, "heads": [{"expansion": "os.system"}]}]},
    "out of bounds": {
        "layers": [{"m": 3, "n": 2, "heads": [{"expansion": {"name": "taylor_expansion", "d": 0}}]}]
    },
    "bad choice": {
        "semantics": "fast",
        "layers": [{"m": 3, "n": 2, "heads": [{"expansion": "taylor_expansion"}]}],
    },
    "missing expansion": {"layers": [{"m": 3, "n": 2, "heads": [{"channels": 2}]}]},
    # The editor-shaped unions (if/then on name and preset) stay as strict as pydantic:
    "preset and expansion": {
        "layers": [{"m": 3, "n": 2, "heads": [{"preset": "kan", "expansion": "linear_expansion"}]}]
    },
    "null preset": {"layers": [{"m": 3, "n": 2, "heads": [{"preset": None}]}]},
    "string head": {"layers": [{"m": 3, "n": 2, "heads": ["perceptron"]}]},
    "empty heads": {"layers": [{"m": 3, "n": 2, "heads": []}]},
    "null expansion": {"layers": [{"m": 3, "n": 2, "heads": [{"expansion": None}]}]},
    "mapping without name": {"layers": [{"m": 3, "n": 2, "heads": [{"expansion": {"d": 2}}]}]},
    "parameter of another function": {
        "layers": [{"m": 3, "n": 2, "heads": [{"expansion": {"name": "taylor_expansion", "t": 1}}]}]
    },
    "three-number grid_range": {"dims": [2, 1], "head": {"preset": "kan", "grid_range": [0, 1, 2]}},
    "string in grid_range": {"dims": [2, 1], "head": {"preset": "kan", "grid_range": [0, "a"]}},
}


@pytest.mark.parametrize("name", BROKEN)
def test_structurally_broken_specs_are_rejected_by_both(name: str) -> None:
    data = BROKEN[name]
    assert list(VALIDATOR.iter_errors(data))
    assert validate_data(data).errors


def test_rpnschema_only_checks() -> None:
    # Structurally fine, dimensionally wrong: only rpnschema can tell.
    data = {
        "layers": [
            {
                "m": 3,
                "n": 4,
                "heads": [
                    {
                        "expansion": "taylor_expansion",
                        "reconciliation": {"name": "hm_reconciliation", "p": 3},
                    }
                ],
            }
        ]
    }
    assert list(VALIDATOR.iter_errors(data)) == []
    assert validate_data(data).errors


@settings(max_examples=30, deadline=None)  # jsonschema on this schema: ~0.1 s a spec
@given(testing.model_specs())
def test_generated_valid_specs_pass_the_schema(data) -> None:
    assert list(VALIDATOR.iter_errors(data)) == []


@settings(max_examples=30, deadline=None)
@given(testing.model_specs().flatmap(testing.mutations))
def test_schema_rejections_are_rpnschema_rejections(data) -> None:
    # Whatever the JSON Schema rejects, rpnschema rejects too (it checks strictly more).
    if list(VALIDATOR.iter_errors(data)):
        assert validate_data(data).errors


def test_schema_command(tmp_path) -> None:
    runner = CliRunner()
    printed = runner.invoke(app, ["schema"])
    assert printed.exit_code == 0 and printed.output == schema.render()
    assert runner.invoke(app, ["schema", "--out", str(tmp_path), "--check"]).exit_code == 1
    written = runner.invoke(app, ["schema", "--out", str(tmp_path)])
    assert written.exit_code == 0
    assert (tmp_path / schema.SCHEMA_FILE).read_text() == schema.render()
    assert runner.invoke(app, ["schema", "--out", str(tmp_path), "--check"]).exit_code == 0
