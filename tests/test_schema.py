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


def test_components_are_discriminated_by_name() -> None:
    defs = schema.model_schema()["$defs"]
    expansion = defs["Expansion"]["anyOf"]
    assert "taylor_expansion" in expansion[0]["enum"]
    union = expansion[1]
    assert union["discriminator"]["propertyName"] == "name"
    assert union["discriminator"]["mapping"]["taylor_expansion"] == "#/$defs/TaylorExpansion"
    taylor = defs["TaylorExpansion"]
    assert taylor["properties"]["d"] == {
        "default": 2,
        "description": "Degree / order of the expansion.",
        "minimum": 1,
        "title": "D",
        "type": "integer",
    }
    assert taylor["additionalProperties"] is False


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
