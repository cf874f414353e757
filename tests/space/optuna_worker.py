"""A worker process for the distributed Optuna test: trials of one study in a shared storage."""

from __future__ import annotations

import os
import sys


def main(space_file: str, storage: str, study_name: str, trials: int, seed: int) -> None:
    """Run ``trials`` trials with a random sampler seeded ``seed``."""
    import optuna

    from rpnschema.space import load_space

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = load_space(space_file)
    sampler = optuna.samplers.RandomSampler(seed=seed)
    study = optuna.load_study(study_name=study_name, storage=storage, sampler=sampler)

    def objective(trial: optuna.Trial) -> float:
        trial.set_user_attr("worker", os.getpid())
        spec = space.suggest(trial)
        return float(spec.parameters)

    study.optimize(objective, n_trials=trials)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
