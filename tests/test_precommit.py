"""The shipped pre-commit hooks, run for real by pre-commit (#16 item 2): a throw-away git
repository uses a local copy of this checkout as its hook repository, and holds a broken spec,
a valid one and YAML/JSON files that are not specs (which the hook must leave alone)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from rpnschema.cli.common import SPEC_GLOBS
from tests.shipping import copy_shipped

ROOT = Path(__file__).resolve().parents[1]
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())


@pytest.mark.parametrize(
    ("name", "is_spec"),
    [
        ("configs/mlp.rpn.yaml", True),
        ("mlp.rpn.yml", True),
        ("deep/er/kan.rpn.json", True),
        (".pre-commit-config.yaml", False),
        ("docker-compose.yml", False),
        ("package.json", False),
        ("mlp.yaml", False),
        ("notrpn.yaml", False),
    ],
)
def test_hook_files_follow_the_spec_file_convention(name: str, is_spec: bool) -> None:
    from fnmatch import fnmatch

    for hook in HOOKS:
        assert bool(re.search(hook["files"], name)) is is_spec, (hook["id"], name)
    assert any(fnmatch(Path(name).name, g) for g in SPEC_GLOBS) is is_spec


def _git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _hook_repository(tmp: Path) -> tuple[Path, str]:
    """A git repository holding this checkout's working tree (as shipped): path, commit."""
    repo = copy_shipped(tmp / "rpnschema-hooks")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "hooks")
    return repo, _git(repo, "rev-parse", "HEAD")


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_pre_commit_runs_the_hook_on_specs_only(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    hooks, rev = _hook_repository(tmp_path)
    user = tmp_path / "user"
    (user / "configs").mkdir(parents=True)
    (user / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: rpnschema-validate\n"
    )
    (user / "configs" / "ok.rpn.yaml").write_text((ROOT / "examples/kan_bspline.yaml").read_text())
    broken = (ROOT / "tests/fixtures/invalid/hm_p_divides_n.yaml").read_text()
    (user / "configs" / "broken.rpn.yaml").write_text(broken)
    (user / "docker-compose.yml").write_text("services:\n  web: {image: nginx}\n")
    (user / "configs" / "training.yaml").write_text("lr: 0.1\nepochs: 3\n")  # not a spec
    _git(user, "init", "-q")
    _git(user, "add", "-A")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "NO_COLOR": "1",
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=user,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    seconds = time.perf_counter() - started
    output = done.stdout + done.stderr
    if "An unexpected error has occurred" in output and "pip" in output:
        pytest.skip(f"pre-commit could not install the hook environment (no index?):\n{output}")
    assert done.returncode == 1, output
    assert "rpnschema validate" in output and "Failed" in output
    assert "configs/broken.rpn.yaml:6:54: error RPN402" in output
    assert "configs/broken.rpn.yaml: invalid (1 error" in output
    assert "configs/ok.rpn.yaml: ok (" in output
    for not_a_spec in ("docker-compose.yml", "training.yaml", ".pre-commit-config.yaml"):
        assert not_a_spec not in output, output
    print(f"pre-commit run (hook environment installed from scratch): {seconds:.1f} s")
