"""Optuna integration (the ``[search]`` extra): define-by-run suggestions from a space, with
invalid and over-budget candidates pruned before the objective runs.

    space = rpnschema.space.load_space("digits.space.yaml")

    def objective(trial):
        spec = space.suggest(trial)          # raises optuna.TrialPruned for a pruned candidate
        return train_and_score(rpnschema.build(spec))

    study = optuna.create_study(storage="sqlite:///search.db", study_name=space.spec.name,
                                load_if_exists=True, direction="maximize")
    study.optimize(objective, n_trials=20)

Parameter names are the dimension paths; a component's parameters are
``<path>/<component>/<parameter>`` and are suggested only when that component is chosen.
Several processes (or machines) sharing one RDB storage run one study together: that is
Optuna's own engine, nothing here is process-specific.
"""

from __future__ import annotations

import json
from typing import Any

from rpnschema.errors import MissingDependencyError
from rpnschema.space.candidates import Assignment, judge, materialize
from rpnschema.space.check import Space
from rpnschema.space.model import Choice, Fixed, FloatRange, IntRange, Values
from rpnschema.spec.model import ModelSpec

#: Trial user attributes set by :func:`suggest`.
ATTR_ASSIGNMENT = "rpnschema_assignment"
ATTR_PRUNED = "rpnschema_pruned"
ATTR_REASONS = "rpnschema_reasons"
ATTR_HASH = "rpnschema_spec_hash"


def _optuna() -> Any:
    try:
        import optuna
    except ImportError as e:  # pragma: no cover - the extra is installed in CI
        raise MissingDependencyError(
            "Optuna is needed for space.suggest: pip install 'rpnschema[search]' "
            "(or pip install optuna)"
        ) from e
    return optuna


def _primitive(values: list[Any]) -> bool:
    return all(v is None or isinstance(v, (bool, int, float, str)) for v in values)


def _choices(values: list[Any]) -> list[Any]:
    """Optuna's categorical choices: the values, or their JSON text when not all primitive."""
    return values if _primitive(values) else [json.dumps(v, sort_keys=True) for v in values]


def _suggest(trial: Any, name: str, node: Any) -> Any:
    if isinstance(node, Fixed):
        return node.fixed
    if isinstance(node, Values):
        if len(node.values) == 1:
            return node.values[0]
        picked = trial.suggest_categorical(name, _choices(node.values))
        return picked if _primitive(node.values) else json.loads(picked)
    if isinstance(node, IntRange):
        if node.low == node.high:
            return node.low
        return trial.suggest_int(name, node.low, node.high, step=node.step, log=node.log)
    if isinstance(node, FloatRange):
        if node.low == node.high:
            return node.low
        return trial.suggest_float(name, node.low, node.high, log=node.log)
    raise TypeError(f"cannot suggest {type(node).__name__}")


def _component(name: str, params: dict[str, Any]) -> Any:
    return {"name": name, **params} if params else name


def assignment_of(space: Space, trial: Any) -> Assignment:
    """Draw every dimension from ``trial`` (conditional parameters only for chosen components)."""
    assignment: Assignment = {}
    for path, d in space.dimensions.free:
        if isinstance(d, Choice):
            names = list(d.choice)
            name = names[0] if len(names) == 1 else trial.suggest_categorical(path, names)
            params = {
                k: _suggest(trial, f"{path}/{name}/{k}", p) for k, p in d.choice[name].items()
            }
            assignment[path] = _component(name, params)
        else:
            assignment[path] = _suggest(trial, path, d)
    return space.dimensions.resolve_ties(assignment)


def params_of(space: Space, assignment: Assignment) -> dict[str, Any]:
    """The Optuna parameters that make :func:`suggest` produce ``assignment`` (for
    ``study.enqueue_trial``)."""
    out: dict[str, Any] = {}
    for path, d in space.dimensions.free:
        value = assignment[path]
        if isinstance(d, Choice):
            name = value if isinstance(value, str) else value["name"]
            if len(d.choice) > 1:
                out[path] = name
            given = {} if isinstance(value, str) else value
            for k, p in d.choice[name].items():
                if _suggested(p):
                    out[f"{path}/{name}/{k}"] = _encode(p, given[k])
        elif _suggested(d):
            out[path] = _encode(d, value)
    return out


def _suggested(node: Any) -> bool:
    if isinstance(node, Fixed):
        return False
    if isinstance(node, Values):
        return len(node.values) > 1
    return node.low != node.high


def _encode(node: Any, value: Any) -> Any:
    if isinstance(node, Values) and not _primitive(node.values):
        return json.dumps(value, sort_keys=True)
    return value


def suggest(space: Space, trial: Any) -> ModelSpec:
    """The normalized spec of the candidate ``trial`` suggests.

    Raises ``optuna.TrialPruned`` (reason in the message and in the trial's user attributes
    ``rpnschema_pruned`` and ``rpnschema_reasons``) when the candidate is invalid or over a
    budget, before any model is built."""
    from rpnschema.canonical import spec_hash

    optuna = _optuna()
    assignment = assignment_of(space, trial)
    trial.set_user_attr(ATTR_ASSIGNMENT, json.loads(json.dumps(assignment, default=str)))
    verdict = judge(
        materialize(space.base, assignment), assignment, space.spec.budgets, space.limits
    )
    if not verdict.accepted:
        reason = verdict.reason_text()
        trial.set_user_attr(ATTR_PRUNED, reason)
        trial.set_user_attr(ATTR_REASONS, verdict.reasons)
        raise optuna.TrialPruned(reason)
    assert verdict.spec is not None
    trial.set_user_attr(ATTR_HASH, spec_hash(verdict.spec))
    return verdict.spec


def enqueue_grid(space: Space, study: Any) -> int:
    """Enqueue every candidate of a finite space into ``study`` (a grid search that keeps
    conditional parameters conditional); returns how many. Run it in one process: several
    workers on one SQLite storage can be handed the same enqueued trial (Optuna's storage)."""
    count = 0
    for assignment in space.dimensions.enumerate():
        study.enqueue_trial(params_of(space, assignment), skip_if_exists=False)
        count += 1
    return count
