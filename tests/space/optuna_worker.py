"""A worker process for the distributed Optuna test: one study in a shared storage."""

from __future__ import annotations

import sys


def main(space_file: str, storage: str, study_name: str, trials: int) -> None:
    """Run trials until the study holds ``trials`` finished ones (whichever worker ran them)."""
    import optuna

    from rpnschema.space import load_space

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = load_space(space_file)
    study = optuna.load_study(study_name=study_name, storage=storage)

    def objective(trial: optuna.Trial) -> float:
        spec = space.suggest(trial)
        trial.set_user_attr("parameters", spec.parameters)
        return float(spec.parameters)

    finished = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    stop = optuna.study.MaxTrialsCallback(trials, states=finished)
    study.optimize(objective, n_trials=trials, callbacks=[stop])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
