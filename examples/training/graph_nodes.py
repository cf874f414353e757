"""Train an RPN GCN and an RPN GAT for node classification on a synthetic graph (CPU).

The graph is a stochastic block model drawn with a fixed seed: 3 classes of 100 nodes, links
inside a class with probability 0.05 and across classes with 0.004; each node's 16 features are
its class's mean plus strong noise (standard deviation 3), so the features alone separate the
classes poorly (a logistic regression on them reaches 0.62 test accuracy) and the neighbours
help. 20 nodes per class are labelled for training, the
other 240 are the test set.

The specs are examples/training/graph_gcn.yaml and graph_gat.yaml (tinybig's gcn and gat model
presets over ``structure: graph``); the graph goes to ``build(spec, structures=...)``.

Run:  python examples/training/graph_nodes.py [--model gcn|gat|both] [--epochs N] [--quick]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

import rpnschema

HERE = Path(__file__).resolve().parent
CLASSES, FEATURES, TRAIN_PER_CLASS = 3, 16, 20
P_IN, P_OUT, NOISE = 0.05, 0.004, 3.0


def stochastic_block_model(nodes: int, seed: int = 0) -> dict[str, torch.Tensor | list]:
    """Links, features, labels and train/test masks of a seeded stochastic block model."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(nodes) % CLASSES
    same = labels[:, None] == labels[None, :]
    p = torch.where(same, P_IN, P_OUT)
    upper = torch.triu(torch.rand(nodes, nodes, generator=g) < p, diagonal=1)
    links = upper.nonzero().tolist()  # undirected: the presets add the reverse direction
    means = torch.randn(CLASSES, FEATURES, generator=g)
    features = means[labels] + NOISE * torch.randn(nodes, FEATURES, generator=g)
    train = torch.zeros(nodes, dtype=torch.bool)
    for c in range(CLASSES):
        members = (labels == c).nonzero().flatten()
        chosen = members[torch.randperm(len(members), generator=g)[:TRAIN_PER_CLASS]]
        train[chosen] = True
    return {"links": links, "x": features, "y": labels, "train": train, "test": ~train}


def train(name: str, epochs: int) -> tuple[float, float, float]:
    """(first loss, last loss, test accuracy) of the spec graph_<name>.yaml."""
    spec = rpnschema.load_spec(HERE / f"graph_{name}.yaml")
    nodes = spec.layers[0].heads[0].batch
    data = stochastic_block_model(nodes)
    graph = {"graph": {"nodes": list(range(nodes)), "links": data["links"]}}
    model = rpnschema.build(spec, seed=0, structures=graph)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    x, y, mask = data["x"], data["y"], data["train"]
    losses = []
    for _ in range(epochs):
        model.train()
        optimizer.zero_grad()
        loss = torch.nn.functional.nll_loss(model(x)[mask], y[mask])  # log-softmax outputs
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        predicted = model(x).argmax(dim=1)
    test = data["test"]
    accuracy = (predicted[test] == y[test]).float().mean().item()
    return losses[0], losses[-1], accuracy


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["gcn", "gat", "both"], default="both")
    parser.add_argument("--epochs", type=int, default=300, help="full-graph steps (300)")
    parser.add_argument("--quick", action="store_true", help="30 epochs (a smoke test)")
    args = parser.parse_args(argv)
    epochs = 30 if args.quick else args.epochs
    torch.manual_seed(0)
    torch.set_num_threads(1)  # full-graph steps of a few hundred rows: threads only contend
    for name in ("gcn", "gat") if args.model == "both" else (args.model,):
        start = time.perf_counter()
        first, last, accuracy = train(name, epochs)
        seconds = time.perf_counter() - start
        print(
            f"{name}: {epochs} epochs, loss {first:.4f} -> {last:.4f}, "
            f"test accuracy {accuracy:.3f}, {seconds:.1f} s"
        )


if __name__ == "__main__":
    main()
