"""Sparse vs dense interdependence matrices for graphs and grids, side by side.

Run: ``python benchmarks/bench_interdependence_sparse.py [--rounds N]``. For a ring graph with
extra links (average out-degree 4) of N nodes in the instance slot, and for a 3 x 3 cuboid
patch interdependence on an S x S grid in the attribute slot, it builds the compiled head's
matrix A (sparse COO, as rpnschema keeps it) and the same A densified, checks that both give the
same xi, and reports the bytes held by A and the median time of one xi = A^T kappa (graph) or
x A (grid) with each, and the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from rpnschema.compile import build


def _bytes(A: torch.Tensor) -> int:
    if A.is_sparse:
        return A.indices().numel() * A.indices().element_size() + A.values().numel() * 4
    return A.numel() * A.element_size()


def _time(fn, rounds: int) -> float:
    fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def graph_case(n: int) -> tuple[dict, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    links = [[i, (i + 1) % n] for i in range(n)]
    links += [[int(a), int(b)] for a, b in torch.randint(0, n, (3 * n, 2), generator=g)]
    head = {
        "batch": n,
        "instance_interdependence": {
            "name": "graph_interdependence",
            "nodes": list(range(n)),
            "links": links,
            "normalization": True,
        },
        "expansion": "identity_expansion",
    }
    spec = {"layers": [{"m": 32, "n": 8, "heads": [head]}]}
    return spec, torch.rand(n, 32, generator=g)


def grid_case(side: int) -> tuple[dict, torch.Tensor]:
    head = {
        "attribute_interdependence": {
            "name": "cuboid_patch_based_geometric_interdependence",
            "h": side,
            "w": side,
            "p_h": 1,
            "p_w": 1,
            "p_d": 0,
        },
        "expansion": "identity_expansion",
        "reconciliation": {"name": "lorr_reconciliation", "r": 1},
    }
    spec = {"layers": [{"m": side * side, "n": 4, "heads": [head]}]}
    return spec, torch.rand(64, side * side, generator=torch.Generator().manual_seed(0))


def measure(label: str, spec: dict, x: torch.Tensor, slot: str, rounds: int) -> None:
    model = build(spec, seed=0)
    module = getattr(model.layers[0].heads[0], f"{slot}_interdependence")
    sparse_xi = lambda: module.apply(x, None)  # noqa: E731
    A = module.A
    dense = A.to_dense()

    def dense_xi() -> torch.Tensor:
        return dense.t() @ x if slot == "instance" else x @ dense

    torch.testing.assert_close(sparse_xi(), dense_xi())
    ts, td = _time(sparse_xi, rounds), _time(dense_xi, rounds)
    bs, bd = _bytes(A), _bytes(dense)
    print(
        f"{label:34s} A {tuple(A.shape)!s:14s} bytes sparse {bs:>11,d} dense {bd:>13,d} "
        f"({bd / bs:7.1f}x)  xi sparse {ts * 1e3:8.3f} ms dense {td * 1e3:8.3f} ms "
        f"(dense/sparse {td / ts:6.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    for n in (1_000, 5_000):
        spec, x = graph_case(n)
        measure(f"graph, {n} nodes, instance slot", spec, x, "instance", args.rounds)
    for side in (32, 64):
        spec, x = grid_case(side)
        measure(f"cuboid 3x3, {side}x{side} grid, attr", spec, x, "attribute", args.rounds)


if __name__ == "__main__":
    main()
