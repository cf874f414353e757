"""Versioned releases and the editor/CI set-up a user does in their own repository (#16 items
2, 3, 5): one version everywhere, a CHANGELOG section per version, the JSON Schema written where
the user wants it with a versioned ``$id``, both modeline forms, and the README's
check-jsonschema command."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import rpnschema
from rpnschema import schema
from rpnschema.cli.app import app
from rpnschema.spec.model import SPEC_VERSION

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def test_one_version_everywhere() -> None:
    version = rpnschema.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert runner.invoke(app, ["--version"]).output == f"rpnschema {version}\n"
    changelog = (ROOT / "CHANGELOG.md").read_text()
    sections = re.findall(r"^## \[([^\]]+)\]", changelog, flags=re.M)
    assert sections[0] == "Unreleased"
    assert version in sections, f"CHANGELOG.md has no ## [{version}] section"
    assert re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M)
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'version = { attr = "rpnschema._version.__version__" }' in pyproject
    assert f"v{version}" in (ROOT / "README.md").read_text()  # the tag the recipes pin


def test_schema_out_writes_a_versioned_schema_for_any_repository(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "--out", str(tmp_path / ".schemas")])
    assert result.exit_code == 0, result.output
    written = json.loads((tmp_path / ".schemas" / schema.SCHEMA_FILE).read_text())
    assert written["$id"].endswith(f"/schemas/v{SPEC_VERSION}/{schema.SCHEMA_FILE}")
    check = runner.invoke(app, ["schema", "--out", str(tmp_path / ".schemas"), "--check"])
    assert check.exit_code == 0, check.output


def test_both_modeline_forms_are_plain_comments_to_rpnschema(tmp_path: Path) -> None:
    spec = tmp_path / "configs" / "mlp.rpn.yaml"
    spec.parent.mkdir()
    spec.write_text(
        "# yaml-language-server: $schema=../.schemas/rpnschema.schema.json\n"
        "# $schema: ../.schemas/rpnschema.schema.json\n"
        + (ROOT / "examples/iris_perceptron.yaml").read_text()
    )
    result = rpnschema.validate_file(spec)
    assert result.ok, result.diagnostics
    readme = (ROOT / "README.md").read_text()
    assert "# yaml-language-server: $schema=../.schemas/rpnschema.schema.json" in readme
    assert "# $schema: ../.schemas/rpnschema.schema.json" in readme


CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")


@pytest.mark.skipif(
    not CHECK_JSONSCHEMA.exists() and shutil.which("check-jsonschema") is None,
    reason="needs check-jsonschema",
)
def test_readme_check_jsonschema_command_accepts_every_example() -> None:
    (command,) = re.findall(r"`(check-jsonschema [^`]+)`", (ROOT / "README.md").read_text())
    words = command.split()
    files = [str(p.relative_to(ROOT)) for w in words[3:] for p in sorted(ROOT.glob(w))]
    assert len(files) >= 8
    exe = str(CHECK_JSONSCHEMA) if CHECK_JSONSCHEMA.exists() else "check-jsonschema"
    done = subprocess.run(
        [exe, *words[1:3], *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
