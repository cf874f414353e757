"""``materialize``: a model built on ``meta`` gets exactly the weights and buffers of a plain
build, one head (then one layer's own tensors) at a time (the FSDP build's per-rank step)."""

from __future__ import annotations

import pytest
import torch

import rpnschema
from rpnschema.compile.distributed import materialize
from tests.compile.catalog_specs import CASES


@pytest.mark.parametrize("name", sorted(CASES))
def test_materialize_gives_the_weights_and_buffers_of_build(name: str) -> None:
    want = rpnschema.build(CASES[name], seed=3)
    model = rpnschema.build(CASES[name], seed=3, device="meta")
    materialize(model)  # one head, then one layer's own tensors, at a time
    got = model.state_dict()
    assert set(got) == set(want.state_dict()) and model.spec == want.spec
    for key, value in want.state_dict().items():
        assert got[key].device.type == "cpu" and torch.equal(got[key], value), key
    x = torch.rand(5, want.spec.layers[0].m, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        torch.testing.assert_close(model.eval()(x), want.eval()(x), rtol=0, atol=0)
