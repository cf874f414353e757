"""The files of this checkout that make up the package as shipped, copied for tests that build
or install it (the wheel, the pre-commit hook repository)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: What `pip install .` and `python -m build` need, and the hooks file pre-commit reads.
SHIPPED = ("rpnschema", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")


def copy_shipped(target: Path, names: tuple[str, ...] = SHIPPED) -> Path:
    """Copy ``names`` from the checkout into ``target`` (created), without bytecode caches."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    return target
