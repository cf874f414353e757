"""rpnschema.builder: specs built in Python equal the same specs loaded from YAML."""

import runpy
from pathlib import Path

import pytest

import rpnschema
from rpnschema.builder import component, head, layer, model, set_value, stack, sweep
from rpnschema.errors import LoadError, SpecError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = runpy.run_path(str(ROOT / "examples/python/build_specs.py"))


def test_stack_equals_the_yaml_spec() -> None:
    built = EXAMPLE["mnist_stack"]()
    assert rpnschema.load_spec(built) == rpnschema.load_spec(
        ROOT / "examples/python/mnist_stack.yaml"
    )


def test_model_equals_the_multihead_example() -> None:
    heads = [
        head("taylor_expansion", "lorr_reconciliation", "linear_remainder", d=2, r=2),
        head("chebyshev_expansion", "identity_reconciliation", d=3),
        head("gaussian_rbf_expansion", component("hm_reconciliation", p=2, q=5), num_interval=5),
    ]
    built = model(
        [
            layer(
                4,
                heads,
                m=6,
                head_fusion=component("parameterized_concatenation_fusion", n=4),
                output_process=["relu"],
            ),
            layer(2, head("identity_expansion", "identity_reconciliation", "zero_remainder")),
        ],
        name="multihead_fusion",
        seed=3,
    )
    assert rpnschema.load_spec(built) == rpnschema.load_spec(
        ROOT / "examples/multihead_fusion.yaml"
    )


def test_keywords_go_to_the_component_that_declares_them() -> None:
    h = head("taylor_expansion", "lorr_reconciliation", d=3, r=5, channels=2)
    assert (h.expansion.d, h.reconciliation.r, h.channels) == (3, 5, 2)
    with pytest.raises(SpecError, match="did you mean 'd'"):
        head("taylor_expansion", dd=3)
    with pytest.raises(SpecError, match="did you mean 'taylor_expansion'"):
        component("taylr_expansion")
    with pytest.raises(ValueError):
        stack([3], h)


def test_sweep_and_set_value() -> None:
    spec = stack([4, 3, 1], head("taylor_expansion", d=1))
    ds = [s.layers[0].heads[0].D for s in sweep(spec, "layers.0.heads.0.expansion.d", [1, 2, 3])]
    assert ds == [4, 4 + 16, 4 + 16 + 64]
    normalized = rpnschema.load_spec(ROOT / "examples/multihead_fusion.yaml")
    wider = set_value(normalized, "layers.0.n", 8)  # inferred sizes and dims follow
    assert wider.layers[0].head_fusion.dims == [8, 8, 8]  # the fusion maps back to n: 4
    assert wider.layers[0].heads[0].n == 8 and wider.layers[1].m == 4
    with pytest.raises(SpecError, match="must divide"):
        set_value(normalized, "layers.0.n", 5)
    with pytest.raises(LoadError):
        set_value(normalized, "layers.7.n", 5)


def test_example_script_runs(capsys: pytest.CaptureFixture[str]) -> None:
    EXAMPLE["main"]()
    assert "built == loaded from YAML: True" in capsys.readouterr().out
