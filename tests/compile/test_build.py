"""build(): overrides, seeds, init methods, random buffers, devices, dtypes, meta, no torch."""

from __future__ import annotations

import io
import subprocess
import sys
import time

import pytest
import torch

from rpnschema.compile import RPNModel, build
from rpnschema.errors import DeviceError
from tests.compile.catalog_specs import CASES

SMALL = CASES["linear_remainder_bias_relu"]
RANDOM = {
    "seed": 3,
    "layers": [
        {
            "m": 3,
            "n": 4,
            "width": 4,
            "heads": [
                {
                    "expansion": {"name": "taylor_expansion", "d": 2},
                    "reconciliation": {"name": "masking_reconciliation", "p": 0.5},
                },
                {
                    "expansion": "chebyshev_expansion",
                    "reconciliation": {"name": "random_matrix_adaption_reconciliation", "r": 2},
                },
                {
                    "expansion": "legendre_expansion",
                    "reconciliation": {"name": "hypernet_reconciliation", "l": 6, "hidden_dim": 8},
                },
                {
                    "expansion": "identity_expansion",
                    "channels": 2,
                    "reconciliation": {
                        "name": "random_matrix_hypernet_reconciliation",
                        "l": 6,
                        "hidden_dim": 8,
                    },
                    "channel_fusion": {
                        "name": "random_matrix_adaption_parameterized_concatenation_fusion",
                        "n": 4,
                    },
                },
            ],
            "head_fusion": {
                "name": "random_matrix_adaption_parameterized_concatenation_fusion",
                "n": 4,
                "r": 3,
            },
        }
    ],
}
BIG = {
    "layers": [
        {
            "m": 784,
            "n": 64,
            "heads": [
                {"expansion": {"name": "taylor_expansion", "d": 2}, "remainder": "linear_remainder"}
            ],
        }
    ]
}


def _x(m: int, batch: int = 4, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return (torch.rand(batch, m, generator=torch.Generator().manual_seed(9)) * 0.8 + 0.1).to(dtype)


def _same_state(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


# --- spec, overrides, seeds -----------------------------------------------------------------


def test_module_knows_its_spec_and_rebuilds_from_it() -> None:
    model = build(RANDOM)
    assert isinstance(model, RPNModel)
    assert (model.spec.device, model.spec.dtype, model.spec.seed) == ("cpu", "float32", 3)
    assert model.layers[0].spec is model.spec.layers[0]
    again = build(model.spec)
    assert _same_state(model, again)
    with torch.no_grad():
        assert torch.equal(model(_x(3)), again(_x(3)))


def test_arguments_override_the_spec() -> None:
    model = build({**SMALL, "dtype": "float64", "seed": 1}, dtype="float32", seed=2)
    assert (model.spec.dtype, model.spec.seed) == ("float32", 2)
    assert model.layers[0].heads[0].w.dtype == torch.float32
    assert _same_state(model, build({**SMALL, "seed": 2}))


def test_same_seed_is_bit_identical_and_seeds_differ() -> None:
    a, b, c = build(RANDOM, seed=11), build(RANDOM, seed=11), build(RANDOM, seed=12)
    assert _same_state(a, b)
    sa, sc = a.state_dict(), c.state_dict()
    assert all(not torch.equal(sa[k], sc[k]) for k in sa)


def test_without_a_seed_one_is_drawn_and_recorded() -> None:
    spec = {k: v for k, v in SMALL.items() if k != "seed"}
    torch.manual_seed(123)
    a = build(spec)
    torch.manual_seed(123)
    b = build(spec)
    assert a.spec.seed is not None and a.spec.seed == b.spec.seed
    assert _same_state(a, b) and _same_state(a, build(a.spec))


def test_a_component_draws_do_not_depend_on_the_rest_of_the_model() -> None:
    layer = {"m": 3, "n": 3, "heads": [{"expansion": "chebyshev_expansion"}]}
    one = build({"seed": 5, "layers": [layer]})
    two = build({"seed": 5, "layers": [layer, layer]})
    w1 = one.layers[0].heads[0].w
    assert torch.equal(w1, two.layers[0].heads[0].w)
    assert not torch.equal(w1, two.layers[1].heads[0].w)


@pytest.mark.parametrize(
    "init", ["xavier_uniform", "xavier_normal", "kaiming_uniform", "fanout_std_uniform"]
)
def test_init_methods(init: str) -> None:
    model = build({**SMALL, "init": init, "seed": 4})
    head = model.layers[0].heads[0]
    w, b = head.w.detach(), head.b_remainder.detach()
    l = w.shape[1]
    bounds = {
        "xavier_uniform": (6 / (l + 1)) ** 0.5,
        "kaiming_uniform": 1 / l**0.5,
        "fanout_std_uniform": 1 / l**0.5,
    }
    if init in bounds:
        assert w.abs().max() <= bounds[init] and w.abs().max() > 0.5 * bounds[init]
    else:
        assert 0.5 < w.std() / (2 / (l + 1)) ** 0.5 < 1.5
    if init == "kaiming_uniform":  # bias bound from its weight's fan-in m = 3
        assert b.abs().max() <= 1 / 3**0.5
    assert torch.equal(w, build({**SMALL, "init": init, "seed": 4}).layers[0].heads[0].w)


# --- random buffers -------------------------------------------------------------------------


def test_random_buffers_are_saved_and_reloaded() -> None:
    model = build(RANDOM, seed=1)
    keys = set(model.state_dict())
    head = "layers.0.heads."
    assert {
        head + "0.reconciliation.mask",
        head + "1.reconciliation.A",
        head + "2.reconciliation.weight2",
        head + "3.reconciliation.T",
        head + "3.channel_fusion.B",
        "layers.0.head_fusion.A",
    } <= keys
    blob = io.BytesIO()
    torch.save(model.state_dict(), blob)
    other = build(RANDOM, seed=2)
    x = _x(3)
    with torch.no_grad():
        assert not torch.allclose(model(x), other(x))
        blob.seek(0)
        other.load_state_dict(torch.load(blob))
        assert torch.equal(model(x), other(x))


def test_trained_hypernet_network_is_counted_and_learns() -> None:
    spec = CASES["hypernet_reconciliation"]
    model = build(spec)
    rec = model.layers[0].heads[0].reconciliation
    names = {n for n, _ in rec.named_parameters()}
    assert names == {"weight1", "bias1", "weight2", "bias2"}
    static = build(CASES["hypernet_static"]).layers[0].heads[0].reconciliation
    assert list(static.parameters()) == [] and "weight1" in dict(static.named_buffers())


def test_redrawn_mask_changes_in_training_only() -> None:
    model = build(CASES["masking_redrawn"])
    x = _x(3)
    with torch.no_grad():
        assert not torch.equal(model(x), model(x))
        model.eval()
        assert torch.equal(model(x), model(x))


# --- devices, dtypes, meta ------------------------------------------------------------------


def test_meta_build_of_a_40m_spec_is_fast_and_allocates_nothing() -> None:
    start = time.perf_counter()
    model = build(BIG, device="meta")
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0
    assert sum(p.numel() for p in model.parameters()) == model.spec.parameters == 39_438_336
    assert all(t.is_meta for t in model.state_dict().values())


def test_meta_build_of_random_components_has_the_cpu_shapes() -> None:
    meta, cpu = build(RANDOM, device="meta"), build(RANDOM)
    shapes = {k: (tuple(v.shape), v.dtype) for k, v in cpu.state_dict().items()}
    assert {k: (tuple(v.shape), v.dtype) for k, v in meta.state_dict().items()} == shapes


@pytest.mark.parametrize("dtype", [torch.float64, torch.bfloat16])
def test_other_dtypes_run_forward(dtype: torch.dtype) -> None:
    name = {torch.float64: "float64", torch.bfloat16: "bfloat16"}[dtype]
    for spec in (SMALL, RANDOM, CASES["nested_processing"]):
        model = build(spec, dtype=name, seed=1)
        assert model.spec.dtype == name
        assert all(p.dtype == dtype for p in model.parameters())
        y = model(_x(model.layers[0].m, dtype=dtype))
        assert y.dtype == dtype and torch.isfinite(y).all()
    ref = build(SMALL, seed=1).layers[0].heads[0].w
    assert torch.equal(build(SMALL, dtype=name, seed=1).layers[0].heads[0].w, ref.to(dtype))


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is available here")
def test_unavailable_device_is_a_clear_error() -> None:
    with pytest.raises(DeviceError, match="'cuda' is not available"):
        build(SMALL, device="cuda")


@pytest.mark.parametrize("device", ["tpu", "cuda:x"])
def test_unknown_device_is_a_clear_error(device: str) -> None:
    with pytest.raises(DeviceError):
        build(SMALL, device=device)


def test_unknown_dtype_is_a_clear_error() -> None:
    with pytest.raises(DeviceError, match="float16"):
        build(SMALL, dtype="float16")


# --- torch stays optional -------------------------------------------------------------------


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_import_rpnschema_does_not_import_torch() -> None:
    code = (
        "import sys, rpnschema, rpnschema.compile\n"
        "rpnschema.load_spec({'layers': [{'m': 2, 'n': 1, 'heads': [{'preset': 'perceptron'}]}]})\n"
        "assert callable(rpnschema.build)\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr


def test_build_without_torch_says_what_to_install() -> None:
    code = (
        "import sys\n"
        "sys.modules['torch'] = None\n"
        "import rpnschema\n"
        "try:\n"
        "    rpnschema.build({'layers': [{'m': 2, 'n': 1, 'heads': [{'preset': 'perceptron'}]}]})\n"
        "except rpnschema.MissingDependencyError as e:\n"
        "    print(e)\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert "pip install torch safetensors (the torch extra of rpnschema" in result.stdout
