"""Train an RPN CNN (tinybig's cnn as a spec) on scikit-learn's 8x8 handwritten digits.

The digits ship inside scikit-learn (sklearn.datasets.load_digits: 1,797 images of 8x8 grey
values, 10 classes; no download). The model is examples/training/cnn_digits.yaml: two grid
convolutions with poolings, then perceptron layers. A fixed 75/25 split, stratified by class.

    python examples/training/cnn_digits.py              # the full run (about a minute, CPU)
    python examples/training/cnn_digits.py --quick      # a few seconds
    python examples/training/cnn_digits.py --epochs 5

Prints the training loss per epoch, then the test accuracy.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import rpnschema

SPEC = Path(__file__).with_name("cnn_digits.yaml")


def make_data(seed: int) -> tuple[torch.Tensor, ...]:
    """(x_train, y_train, x_test, y_test): rows of 64 values in [0, 1], class labels."""
    digits = load_digits()
    x = torch.tensor(digits.data, dtype=torch.float32) / 16.0
    y = torch.tensor(digits.target, dtype=torch.long)
    train, test = train_test_split(
        range(len(y)), test_size=0.25, random_state=seed, stratify=digits.target
    )
    return x[train], y[train], x[test], y[test]


def accuracy(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        correct = (model(x).argmax(dim=1) == y).float().mean().item()
    model.train()
    return correct


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=40, help="passes over the training set")
    parser.add_argument("--quick", action="store_true", help="a few-second run (tests)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (small batches: one is fastest)"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    epochs = 3 if args.quick else args.epochs

    torch.manual_seed(args.seed)
    x_train, y_train, x_test, y_test = make_data(args.seed)
    if args.quick:
        x_train, y_train = x_train[:512], y_train[:512]
    spec = rpnschema.load_spec(SPEC)
    model = rpnschema.build(spec)
    print(f"{spec.name}: {spec.parameters} parameters, {len(spec.layers)} layers, 8x8 images")
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(args.seed)
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        order = torch.randperm(len(y_train), generator=generator)
        total = 0.0
        for i in range(0, len(order), 32):
            batch = order[i : i + 32]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        print(f"epoch {epoch:3d}  loss {total / len(order):.4f}")
    result = accuracy(model, x_test, y_test)
    print(
        f"test accuracy {result:.4f} ({len(y_test)} images, "
        f"{time.perf_counter() - start:.1f} s training)"
    )
    return result


if __name__ == "__main__":
    main()
