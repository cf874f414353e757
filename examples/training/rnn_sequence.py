"""Train an RPN RNN (tinybig's regression_rnn as a spec) to predict the next value of noisy
sine waves.

Each sample is 16 consecutive values of a sine wave with a random amplitude, frequency and
phase plus Gaussian noise (synthetic data from a fixed seed, no download); the target is the
17th value, without noise. The model is examples/training/rnn_sequence.yaml: per-position
perceptron and chain layers over the 16 positions, then the whole row into one prediction.

    python examples/training/rnn_sequence.py            # the full run (about a minute, CPU)
    python examples/training/rnn_sequence.py --quick    # a few seconds

Prints the loss per epoch, then the test mean squared error next to two baselines: the mean
of the data (predicting 0) and repeating the last value.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import torch

import rpnschema

SPEC = Path(__file__).with_name("rnn_sequence.yaml")
STEPS = 16
NOISE = 0.05


def make_data(count: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` windows of STEPS noisy values (b, STEPS) and the next clean value (b, 1)."""
    amplitude = 0.5 + 0.5 * torch.rand(count, 1, generator=generator)
    omega = 0.3 + 0.6 * torch.rand(count, 1, generator=generator)  # radians per step
    phase = 2 * math.pi * torch.rand(count, 1, generator=generator)
    t = torch.arange(STEPS + 1, dtype=torch.float32)
    wave = amplitude * torch.sin(omega * t + phase)
    noisy = wave[:, :STEPS] + NOISE * torch.randn(count, STEPS, generator=generator)
    return noisy, wave[:, STEPS:]


def test_error(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        error = torch.mean((model(x) - y) ** 2).item()
    model.train()
    return error


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=40, help="passes over the training set")
    parser.add_argument("--quick", action="store_true", help="a few-second run (tests)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    epochs, train_count = (4, 512) if args.quick else (args.epochs, 4096)

    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    x_train, y_train = make_data(train_count, generator)
    x_test, y_test = make_data(1024, generator)

    spec = rpnschema.load_spec(SPEC)
    model = rpnschema.build(spec)
    print(f"{spec.name}: {spec.parameters} parameters, {STEPS} positions of 1 value per row")
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        order = torch.randperm(train_count, generator=generator)
        total = 0.0
        for i in range(0, train_count, 64):
            batch = order[i : i + 64]
            optimizer.zero_grad()
            loss = torch.mean((model(x_train[batch]) - y_train[batch]) ** 2)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        print(f"epoch {epoch:3d}  loss {total / train_count:.5f}")
    error = test_error(model, x_test, y_test)
    zero = torch.mean(y_test**2).item()
    last = torch.mean((x_test[:, -1:] - y_test) ** 2).item()
    print(
        f"test MSE {error:.5f} (predict 0: {zero:.5f}, repeat the last value: {last:.5f}; "
        f"{len(y_test)} windows, {time.perf_counter() - start:.1f} s)"
    )
    return error


if __name__ == "__main__":
    main()
