"""Search RPN architectures for scikit-learn's 8x8 digits with Optuna, on several processes.

    python examples/search/search_digits.py --trials 24 --workers 2 --out best.yaml

Every worker process opens the same study in one SQLite storage (Optuna's own engine for
distributed runs: point ``--storage`` at PostgreSQL to spread workers over machines). Each trial
draws a spec from ``digits.space.yaml``; candidates that are invalid or over the space's
parameter budget are pruned by ``space.suggest`` before anything is built. The others are built
with rpnschema, trained briefly on CPU and scored on held-out digits. The best spec is written to
``--out``. Needs the ``search`` and ``torch`` extras (optuna, scikit-learn, torch); the digits
ship with scikit-learn (no download).
"""

from __future__ import annotations

import argparse
import multiprocessing
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPACE = HERE / "digits.space.yaml"


def _data():
    import torch
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x = x / 16.0  # pixel intensities 0..16 -> [0, 1]
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    as_x = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
    as_y = lambda a: torch.tensor(a, dtype=torch.long)  # noqa: E731
    return as_x(x_tr), as_y(y_tr), as_x(x_te), as_y(y_te)


def objective(trial, space, epochs: int) -> float:
    """Validation accuracy of the candidate the trial suggests (pruned ones never get here)."""
    import torch

    import rpnschema

    spec = space.suggest(trial)
    torch.manual_seed(0)
    model = rpnschema.build(spec)
    x_tr, y_tr, x_te, y_te = _data()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(epochs):
        for batch in torch.randperm(len(x_tr)).split(128):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x_tr[batch]), y_tr[batch])
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        accuracy = (model(x_te).argmax(1) == y_te).float().mean().item()
    trial.set_user_attr("parameters", spec.parameters)
    return accuracy


def worker(storage: str, study_name: str, trials: int, epochs: int) -> None:
    import optuna
    import torch

    from rpnschema.space import load_space

    torch.set_num_threads(1)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = load_space(SPACE)
    study = optuna.load_study(study_name=study_name, storage=storage)
    study.optimize(lambda t: objective(t, space, epochs), n_trials=trials)


def main(argv: list[str] | None = None) -> int:
    import optuna

    from rpnschema import io
    from rpnschema.space import load_space
    from rpnschema.space.candidates import materialize
    from rpnschema.space.tuning import ATTR_ASSIGNMENT

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=24, help="trials in all")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--epochs", type=int, default=15, help="training epochs per trial")
    parser.add_argument("--storage", default="sqlite:///digits-search.db", help="Optuna storage")
    parser.add_argument("--study", default="digits", help="study name")
    parser.add_argument("--seed", type=int, default=0, help="sampler seed")
    parser.add_argument("--out", type=Path, default=Path("best.yaml"), help="best spec file")
    args = parser.parse_args(argv)

    space = load_space(SPACE)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        storage=args.storage,
        study_name=args.study,
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=args.seed),
        load_if_exists=True,
    )
    share = [
        args.trials // args.workers + (i < args.trials % args.workers) for i in range(args.workers)
    ]
    context = multiprocessing.get_context("spawn")
    procs = [
        context.Process(target=worker, args=(args.storage, args.study, n, args.epochs))
        for n in share
        if n
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    if any(p.exitcode for p in procs):
        print("a worker failed")
        return 1
    study = optuna.load_study(study_name=args.study, storage=args.storage)
    states = Counter(t.state.name.lower() for t in study.trials)
    print(
        f"trials: {len(study.trials)} ({', '.join(f'{n} {s}' for s, n in sorted(states.items()))})"
    )
    reasons = Counter(
        code for t in study.trials for code in t.user_attrs.get("rpnschema_reasons", [])
    )
    if reasons:
        print("pruned before training: " + ", ".join(f"{r} x{n}" for r, n in reasons.items()))
    best = study.best_trial
    print(f"best accuracy: {best.value:.3f} ({best.user_attrs['parameters']:,} parameters)")
    for name, value in best.params.items():
        print(f"  {name} = {value}")
    data = materialize(space.base, best.user_attrs[ATTR_ASSIGNMENT])
    io.write_atomic(args.out, io.dumps(data))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
