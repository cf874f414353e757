"""``torch.compile`` of every example matches eager (forward, and gradients of a loss).

Inductor on CPU compiles C++ (here about 90 s for the first model, 30 s for each next one on
two shared cores), so CI compiles every example with the ``aot_eager`` backend (dynamo's graph
capture and AOT autograd: everything but inductor's code generation, a few seconds each) and
two examples with ``inductor``. ``benchmarks/bench_deploy.py`` compiles every example with
inductor and records eager vs compiled times.
"""

from __future__ import annotations

import copy

import pytest
import torch

import rpnschema
from rpnschema.compile.export import fixed_batch
from rpnschema.exportability import export_diagnostics
from tests.compile.examples import EXAMPLES, example_spec

INDUCTOR = ["iris_perceptron.yaml", "multihead_fusion.yaml"]


def _check(name: str, backend: str) -> None:
    torch._dynamo.reset()
    eager = rpnschema.build(example_spec(name), seed=0)
    if export_diagnostics(eager.spec):  # sparse interdependence matrices do not trace
        pytest.skip("its sparse interdependence matrix does not trace")
    twin = copy.deepcopy(eager)
    compiled = torch.compile(twin, backend=backend, fullgraph=True)
    m = eager.spec.layers[0].m
    b = fixed_batch(eager.spec) or 8  # a graph's nodes fix the batch
    x = torch.randn(b, m, generator=torch.Generator().manual_seed(1))
    want, got = eager(x), compiled(x)
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)
    want.square().mean().backward()
    got.square().mean().backward()
    for (key, p), q in zip(eager.named_parameters(), twin.parameters(), strict=True):
        scale = float(p.grad.abs().max()) if p.grad is not None else 1.0
        torch.testing.assert_close(q.grad, p.grad, rtol=1e-5, atol=1e-5 * scale, msg=key)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_example_compiles_and_matches_eager(name: str) -> None:
    _check(name, "aot_eager")


@pytest.mark.parametrize("name", INDUCTOR)
def test_inductor_matches_eager(name: str) -> None:
    _check(name, "inductor")
