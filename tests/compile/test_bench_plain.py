"""The benchmark's hand-written plain-torch models compute what the built examples compute.

``benchmarks/bench_compile.py`` reports module/plain ratios; they mean something only while the
plain functions (``benchmarks/plain_models.py``) equal the modules, values and gradients.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch.testing import assert_close

from rpnschema.compile import build
from tests.compile import benchmark_module

ROOT = Path(__file__).resolve().parents[2]


plain_models = benchmark_module.load("plain_models")


def test_every_benchmarked_example_exists():
    for name in plain_models.PLAIN:
        assert (ROOT / "examples" / f"{name}.yaml").is_file()


@pytest.mark.parametrize("name", sorted(plain_models.PLAIN))
def test_plain_equals_built_module(name):
    fn, m = plain_models.PLAIN[name]
    module = build(ROOT / "examples" / f"{name}.yaml", seed=0)
    params = plain_models.plain_params(module.state_dict())
    batch = 2 if name in plain_models.LARGE else 16  # D = 615,440 for the large ones
    x = torch.randn(batch, m, generator=torch.Generator().manual_seed(1))

    y_module, y_plain = module(x), fn(params, x)
    assert_close(y_plain, y_module, rtol=1e-5, atol=1e-6)

    y_module.square().sum().backward()
    y_plain.square().sum().backward()
    grads = {k: p.grad for k, p in module.named_parameters()}
    assert grads.keys() == params.keys()
    for k, p in params.items():
        # the module's fast head paths (rpnschema.compile.fast) sum in another order than
        # the plain materializing code: float32 rounding relative to the gradient's scale
        # (against float64, the fast paths are the more accurate of the two)
        atol = 1e-5 * max(0.1, grads[k].abs().max().item())
        assert_close(p.grad, grads[k], rtol=1e-5, atol=atol, msg=lambda s, k=k: f"{k}: {s}")
