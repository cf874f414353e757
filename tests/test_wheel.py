"""The wheel `python -m build` makes (#16 item 1): what it ships, and that an install of it alone
validates specs and writes the JSON Schema, from a directory outside the checkout. Built once per
session, without build isolation (setuptools from the test environment: no download)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rpnschema import __version__
from tests.shipping import copy_shipped

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("build")
    pytest.importorskip("setuptools")
    tree = copy_shipped(tmp_path_factory.mktemp("source"))
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), "."],
        cwd=tree,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = out.glob("*.whl")
    return built


def test_wheel_contents(wheel: Path) -> None:
    assert wheel.name == f"rpnschema-{__version__}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "rpnschema/py.typed" in names
    package = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "rpnschema").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert package <= names, sorted(package - names)
    assert not any(n.startswith(("tests/", "examples/", "benchmarks/")) for n in names)
    meta = zipfile.ZipFile(wheel).read(f"rpnschema-{__version__}.dist-info/METADATA").decode()
    assert f"Version: {__version__}\n" in meta
    assert "Provides-Extra: torch" in meta
    entry = zipfile.ZipFile(wheel).read(f"rpnschema-{__version__}.dist-info/entry_points.txt")
    assert b"rpnschema = rpnschema.cli:main" in entry


def test_installed_wheel_works_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), wheel],
        check=True,
        capture_output=True,
    )
    work = tmp_path / "work"
    work.mkdir()
    (work / "mlp.rpn.yaml").write_text((ROOT / "examples/kan_bspline.yaml").read_text())
    env = {**os.environ, "PYTHONPATH": str(site), "NO_COLOR": "1"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args], cwd=work, env=env, capture_output=True, text=True
        )

    where = run("-c", "import rpnschema; print(rpnschema.__file__)")
    assert where.stdout.startswith(str(site)), where.stdout + where.stderr
    done = run("-m", "rpnschema", "validate", "-q", ".")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "mlp.rpn.yaml: ok (3 layers, 360 parameters, 2 notices)\n"
    assert run("-m", "rpnschema", "--version").stdout == f"rpnschema {__version__}\n"
    done = run("-m", "rpnschema", "schema", "--out", ".schemas")
    assert done.returncode == 0, done.stderr
    schema = (work / ".schemas/rpnschema.schema.json").read_text()
    assert schema == (ROOT / "schemas/rpnschema.schema.json").read_text()
