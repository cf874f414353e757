"""Optuna integration with a real Optuna: define-by-run suggestions, static pruning, and two
worker processes sharing one SQLite storage."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from rpnschema.canonical import spec_hash
from rpnschema.space import load_space
from rpnschema.space.candidates import judge, materialize
from rpnschema.space.tuning import ATTR_ASSIGNMENT, ATTR_HASH, ATTR_PRUNED, enqueue_grid, params_of
from rpnschema.validate import validate_data

from .conftest import ROOT, small_space

optuna = pytest.importorskip("optuna", reason="the [search] extra (optuna) is not installed")
optuna.logging.set_verbosity(optuna.logging.WARNING)

WORKER = Path(__file__).with_name("optuna_worker.py")


def _states(study) -> Counter:
    return Counter(t.state.name for t in study.trials)


def test_a_grid_of_trials_prunes_exactly_what_check_predicts(small) -> None:
    space = load_space(small)
    study = optuna.create_study()
    assert enqueue_grid(space, study) == 12

    def objective(trial):
        spec = space.suggest(trial)
        assert spec.parameters <= 150
        return float(spec.parameters)

    study.optimize(objective, n_trials=12)
    analysis = space.analyze()
    assert _states(study) == Counter(COMPLETE=analysis.accepted, PRUNED=analysis.pruned)
    pruned = [t for t in study.trials if t.state.name == "PRUNED"]
    assert sorted(t.user_attrs["rpnschema_reasons"][0] for t in pruned) == [
        "RPN402",
        "RPN408 max_parameters",
    ]
    assert any("must divide n (=6)" in t.user_attrs[ATTR_PRUNED] for t in pruned)


def test_conditional_parameters_are_suggested_only_for_their_component(small) -> None:
    space = load_space(small)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(lambda t: float(space.suggest(t).parameters), n_trials=15)
    for t in study.trials:
        chosen = t.params["layers/0/heads/0/reconciliation"]
        lorr = "layers/0/heads/0/reconciliation/lorr_reconciliation/r"
        assert (lorr in t.params) == (chosen == "lorr_reconciliation")


def test_params_of_inverts_suggest(small) -> None:
    space = load_space(small)
    for assignment in space.dimensions.enumerate():
        study = optuna.create_study()
        study.enqueue_trial(params_of(space, assignment))
        trial = study.ask()
        from rpnschema.space.tuning import assignment_of

        assert assignment_of(space, trial) == assignment


def test_two_processes_share_one_sqlite_study(tmp_path: Path) -> None:
    """Two worker processes on one SQLite storage: every trial is pruned exactly when the
    static check says its candidate is invalid or over budget, and every completed one is a
    valid spec within budget. (Random sampling: an enqueued grid is popped by several SQLite
    workers racily in Optuna, so the exact grid count is checked in one process above.)"""
    space_file = tmp_path / "small.space.yaml"
    space_file.write_text(yaml.safe_dump(small_space(max_parameters=150)))
    space = load_space(space_file)
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    optuna.create_study(storage=storage, study_name="small")
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(space_file), storage, "small", "8", str(seed)],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in (1, 2)
    ]
    for w in workers:
        _, err = w.communicate(timeout=240)
        assert w.returncode == 0, err
    study = optuna.load_study(study_name="small", storage=storage)
    assert len(study.trials) == 16
    assert len({t.user_attrs["worker"] for t in study.trials}) == 2
    predicted = Counter()
    for t in study.trials:
        assignment = t.user_attrs[ATTR_ASSIGNMENT]
        verdict = judge(
            materialize(space.base, assignment), assignment, space.spec.budgets, space.limits
        )
        predicted["COMPLETE" if verdict.accepted else "PRUNED"] += 1
        assert t.state.name == ("COMPLETE" if verdict.accepted else "PRUNED"), assignment
        if verdict.accepted:
            assert verdict.spec.parameters <= 150
            assert spec_hash(verdict.spec) == t.user_attrs[ATTR_HASH]
            assert t.value == verdict.spec.parameters
        else:
            assert t.user_attrs["rpnschema_reasons"] == verdict.reasons
    assert _states(study) == predicted


def test_the_digits_search_example_runs(tmp_path: Path) -> None:
    pytest.importorskip("sklearn", reason="the [search] extra (scikit-learn) is not installed")
    pytest.importorskip("torch", reason="the [torch] extra is not installed")
    out = tmp_path / "best.yaml"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "search" / "search_digits.py"),
            "--trials", "4", "--workers", "2", "--epochs", "2",
            "--storage", f"sqlite:///{tmp_path / 'digits.db'}", "--out", str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("trials: 4 (")
    assert "best accuracy: " in done.stdout
    assert validate_data(yaml.safe_load(out.read_text())).ok
