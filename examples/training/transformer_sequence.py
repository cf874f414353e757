"""Train an RPN Transformer (tinybig.model.transformer as ``preset: transformer``) on a
synthetic sequence task, on CPU, from a fixed seed.

Task: a sequence is 6 tokens drawn uniformly from 8 symbols (one-hot rows). For every token,
say whether its symbol occurs elsewhere in the same sequence (about half of them do). A model
that looks at one token alone cannot beat ~51% (the majority class); the attention layer lets
each token look at the others.

Layout: as in tinybig, one sequence is one input matrix (its rows are the tokens) and the
attention mixes the rows, so a batch of sequences is evaluated with ``torch.func.vmap`` over
the built module (one independent forward pass per sequence, vectorised).

    python examples/training/transformer_sequence.py            # about a minute on a laptop CPU
    python examples/training/transformer_sequence.py --quick    # a few seconds (the test's run)

Prints the loss per epoch and the test accuracy (per token and per whole sequence).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from torch.func import functional_call, vmap

import rpnschema

SPEC = Path(__file__).with_name("transformer_sequence.yaml")
LENGTH, SYMBOLS = 6, 8


def make_data(count: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` sequences (count, LENGTH, SYMBOLS) one-hot, and the per-token labels
    (count, LENGTH): 1 where the token's symbol occurs elsewhere in its sequence."""
    tokens = torch.randint(0, SYMBOLS, (count, LENGTH), generator=generator)
    same = tokens.unsqueeze(2) == tokens.unsqueeze(1)  # (count, LENGTH, LENGTH)
    labels = (same.sum(dim=2) > 1).long()
    return torch.nn.functional.one_hot(tokens, SYMBOLS).float(), labels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=6, help="passes over the training set")
    parser.add_argument("--train", type=int, default=6000, help="training sequences")
    parser.add_argument("--quick", action="store_true", help="a few-second run (tests)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs, args.train = 4, 1024

    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    x_train, y_train = make_data(args.train, generator)
    x_test, y_test = make_data(2000, generator)

    spec = rpnschema.load_spec(SPEC)
    model = rpnschema.build(spec)
    print(f"{spec.name}: {len(spec.layers)} layers, {spec.parameters} parameters")

    def forward(params: dict[str, torch.Tensor], sequences: torch.Tensor) -> torch.Tensor:
        """Logits (batch, LENGTH, 2): one forward pass per sequence."""
        return vmap(lambda s: functional_call(model, params, (s,)))(sequences)

    params = dict(model.named_parameters())
    optimizer = torch.optim.Adam(params.values(), lr=0.02)
    loss_fn = torch.nn.CrossEntropyLoss()
    start = time.perf_counter()
    for epoch in range(args.epochs):
        order = torch.randperm(args.train, generator=generator)
        total = 0.0
        for batch in order.split(128):
            logits = forward(params, x_train[batch])
            loss = loss_fn(logits.reshape(-1, 2), y_train[batch].reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        print(f"epoch {epoch + 1}: loss {total / args.train:.4f}")

    with torch.no_grad():
        predicted = forward(params, x_test).argmax(dim=-1)
    token_accuracy = (predicted == y_test).float().mean().item()
    sequence_accuracy = (predicted == y_test).all(dim=1).float().mean().item()
    baseline = max(y_test.float().mean().item(), 1 - y_test.float().mean().item())
    print(
        f"test accuracy: {token_accuracy:.3f} per token, {sequence_accuracy:.3f} per sequence "
        f"(majority class {baseline:.3f}); {time.perf_counter() - start:.1f}s training"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
