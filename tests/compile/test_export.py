"""``rpnschema export``: every example to pt2 (and ONNX with the extra) matching eager, the spec
hash in the artefact, and the located rejections (RPN600 before building, RPN601, RPN602)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Literal

import pytest
import torch
from typer.testing import CliRunner

import rpnschema
from rpnschema import exportability, plugins
from rpnschema.canonical import spec_hash
from rpnschema.cli.app import app
from rpnschema.compile import export
from rpnschema.errors import Code, DeployError
from rpnschema.exportability import export_diagnostics
from tests.compile.examples import EXAMPLES, example_spec

ROOT = Path(__file__).resolve().parents[2]
HAS_ONNX = all(importlib.util.find_spec(m) for m in ("onnx", "onnxscript"))
NEEDS_ONNX = pytest.mark.skipif(
    not HAS_ONNX, reason="the onnx extra is not installed: pip install 'rpnschema[onnx]'"
)
runner = CliRunner()


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_example_exports_to_pt2_matching_eager(name: str, tmp_path: Path) -> None:
    module = rpnschema.build(example_spec(name), seed=0)
    if export_diagnostics(module.spec):  # a sparse interdependence: RPN600, tested below
        pytest.skip("declared not exportable")
    out = tmp_path / "model.pt2"
    b = export.fixed_batch(module.spec) or 3  # a graph's nodes fix the batch
    report = export.export_model(module, out, batch=b)
    assert report.max_abs_error <= report.threshold
    assert report.samples == ((b, module.spec.layers[0].m),)
    meta = export.read_pt2_metadata(out)
    assert meta["spec_sha256"] == spec_hash(module.spec) == report.spec_sha256
    assert meta["version"] == rpnschema.__version__
    assert rpnschema.load_spec(json.loads(meta["spec.json"])) == rpnschema.load_spec(module.spec)
    program = torch.export.load(str(out)).module()
    x = export.sample(module, b, seed=5)
    with torch.no_grad():
        torch.testing.assert_close(program(x), module(x), rtol=1e-5, atol=1e-6)


def test_dynamic_batch_runs_at_other_sizes(tmp_path: Path) -> None:
    module = rpnschema.build(ROOT / "examples/multihead_fusion.yaml", seed=0)
    report = export.export_model(module, tmp_path / "m.pt2", batch=4, dynamic_batch=True)
    assert report.samples == ((4, 6), (7, 6))
    program = torch.export.load(str(tmp_path / "m.pt2")).module()
    for b in (1, 2, 33):
        x = export.sample(module, b)
        with torch.no_grad():
            torch.testing.assert_close(program(x), module(x))


def test_static_batch_is_fixed(tmp_path: Path) -> None:
    module = rpnschema.build(ROOT / "examples/iris_perceptron.yaml", seed=0)
    export.export_model(module, tmp_path / "m.pt2", batch=4)
    program = torch.export.load(str(tmp_path / "m.pt2")).module()
    with pytest.raises(Exception, match="4"):
        program(export.sample(module, 5))


@NEEDS_ONNX
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_example_exports_to_onnx_matching_eager(name: str, tmp_path: Path) -> None:
    import onnx

    module = rpnschema.build(example_spec(name), seed=0)
    report = export.export_model(module, tmp_path / "m.onnx", format="onnx", dynamic_batch=True)
    assert report.max_abs_error <= report.threshold
    props = {p.key: p.value for p in onnx.load(str(tmp_path / "m.onnx")).metadata_props}
    assert props["rpnschema.spec_sha256"] == spec_hash(module.spec)
    assert json.loads(props["rpnschema.spec"]) == json.loads(
        json.dumps(module.spec.to_data(), sort_keys=True)
    )


def test_onnx_without_the_extra_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "onnxscript", None)
    result = runner.invoke(
        app, ["export", "examples/iris_perceptron.yaml", "-f", "onnx", "-o", str(tmp_path / "m")]
    )
    assert result.exit_code == 2, result.output
    assert "pip install 'rpnschema[onnx]'" in result.output
    assert not (tmp_path / "m").exists()


def test_cli_exports_a_spec_and_a_saved_model(tmp_path: Path) -> None:
    spec = ROOT / "examples/kan_bspline.yaml"
    saved = tmp_path / "kan.safetensors"
    assert runner.invoke(app, ["build", str(spec), "--seed", "3", "-o", str(saved)]).exit_code == 0
    from_spec = runner.invoke(app, ["export", str(spec), "--seed", "3", "-o", str(tmp_path / "a")])
    from_model = runner.invoke(app, ["export", str(saved), "-o", str(tmp_path / "b.pt2")])
    assert from_spec.exit_code == 0 and from_model.exit_code == 0, from_spec.output
    lines = from_model.output.splitlines()
    assert lines[0] == f"exported {saved} to {tmp_path / 'b.pt2'} (pt2, batch 4)"
    assert lines[1] == from_spec.output.splitlines()[1]  # the same spec sha256
    assert lines[2].startswith("check (torch.export.load): max abs error ")
    assert lines[2].endswith(": ok")
    stored = export.read_pt2_metadata(tmp_path / "b.pt2")["spec_sha256"]
    assert lines[1] == f"spec sha256: {stored}"


def test_a_declared_component_is_rejected_before_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "layers:\n  - m: 3\n    n: 2\n    heads:\n      - expansion: taylor_expansion\n"
        "        reconciliation: {name: masking_reconciliation, fixed_mask: false}\n"
    )
    monkeypatch.setitem(
        exportability.NOT_EXPORTABLE,
        "masking_reconciliation",
        lambda c: None if c.fixed_mask else "it redraws its mask at every forward pass",
    )
    monkeypatch.setattr(rpnschema, "build", lambda *a, **k: pytest.fail("built"))
    result = runner.invoke(app, ["export", str(spec), "-o", str(tmp_path / "m.pt2")])
    assert result.exit_code == 1
    assert result.output.splitlines()[:3] == [
        f"{spec}:6:25: error RPN600 layers/0/heads/0/reconciliation: masking_reconciliation "
        "cannot be exported: it redraws its mask at every forward pass",
        "    expected components that torch.export can trace; found masking_reconciliation",
        "    hint: replace it for deployment, or export a model without it",
    ]
    assert not (tmp_path / "m.pt2").exists()


def test_declare_with_a_text_and_undeclare() -> None:
    spec = rpnschema.load_spec(
        {"layers": [{"m": 2, "n": 2, "heads": [{"expansion": "taylor_expansion"}]}]}
    )
    exportability.declare("taylor_expansion", "a test reason")
    try:
        [d] = exportability.export_diagnostics(spec)
    finally:
        exportability.undeclare("taylor_expansion")
    assert d.code is Code.NOT_EXPORTABLE and d.path == ("layers", 0, "heads", 0, "expansion")
    assert d.message == "taylor_expansion cannot be exported: a test reason"
    assert exportability.export_diagnostics(spec) == []


class BranchyExpansion(plugins.Expansion):
    """x or -x, whichever has the larger sum: a branch on tensor values."""

    name: Literal["branchy_expansion"]


def _branchy_module(spec: object, info: object) -> torch.nn.Module:
    class Branchy(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            if x.sum() > 0:
                return x
            return -x

    return Branchy()


BRANCHY = plugins.Plugin(
    "branchy", [plugins.ExpansionPlugin(BranchyExpansion, _branchy_module, D=lambda s, m: m)]
)


def test_an_undeclared_failure_names_the_head(tmp_path: Path) -> None:
    data = {
        "seed": 0,
        "layers": [
            {"m": 3, "n": 3, "heads": [{"expansion": "taylor_expansion"}]},
            {"n": 2, "width": 2, "heads": [{"expansion": "branchy_expansion"}]},
        ],
    }
    with plugins.registered(BRANCHY):
        module = rpnschema.build(data)
        with pytest.raises(DeployError) as info:
            export.export_model(module, tmp_path / "m.pt2")
    [d] = info.value.diagnostics
    assert d.code is Code.EXPORT_FAILED and d.path == ("layers", 1, "heads", 0)
    assert d.message.startswith("pt2 export failed in head 1.0: ")
    assert not (tmp_path / "m.pt2").exists()


def test_outputs_over_the_tolerance_are_rpn602(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def noisy(path: Path) -> tuple[object, str]:
        program = torch.export.load(str(path)).module()
        return (lambda x: program(x) + 1e-3), "noisy"

    monkeypatch.setitem(export._RUNNERS, "pt2", noisy)
    module = rpnschema.build(ROOT / "examples/iris_perceptron.yaml", seed=0)
    with pytest.raises(DeployError) as info:
        export.export_model(module, tmp_path / "m.pt2")
    [d] = info.value.diagnostics
    assert d.code is Code.EXPORT_MISMATCH
    assert d.message.startswith("the pt2 artefact's outputs differ from eager by up to 0.001 ")


def test_unreadable_and_invalid_inputs(tmp_path: Path) -> None:
    bad_model = tmp_path / "broken.safetensors"
    bad_model.write_bytes(b"not a model")
    missing = runner.invoke(app, ["export", str(tmp_path / "no.yaml"), "-o", "m.pt2"])
    broken = runner.invoke(app, ["export", str(bad_model), "-o", str(tmp_path / "m.pt2")])
    spec = tmp_path / "bad.yaml"
    spec.write_text("layers: [{m: 3, n: 2, heads: [{expansion: taylr_expansion}]}]\n")
    invalid = runner.invoke(app, ["export", str(spec), "-o", str(tmp_path / "m.pt2")])
    seeded = runner.invoke(app, ["export", str(bad_model), "--seed", "1", "-o", "m.pt2"])
    assert (missing.exit_code, broken.exit_code, invalid.exit_code) == (2, 2, 1)
    assert seeded.exit_code == 2 and "apply to a spec, not to a saved model" in seeded.output
    assert "not a readable model file" in broken.output
    assert "RPN201" in invalid.output
    assert not (tmp_path / "m.pt2").exists()


def test_the_plugin_example_exports(tmp_path: Path) -> None:
    pytest.importorskip("rpnschema_example_plugin")
    [plugin] = plugins.load_entry_points(["example"])
    try:
        module = rpnschema.build(ROOT / "examples/plugin/example.yaml", seed=0)
        report = export.export_model(module, tmp_path / "p.pt2", dynamic_batch=True)
    finally:
        plugins.unregister(plugin)
    assert report.max_abs_error <= report.threshold


def test_a_sparse_interdependence_is_rejected_before_building(tmp_path: Path) -> None:
    module = rpnschema.build(example_spec("tinybig/rpn_head_graph.yaml"), seed=0)
    assert export.fixed_batch(module.spec) == 5  # the graph's nodes fix the batch
    with pytest.raises(DeployError) as e:
        export.export_model(module, tmp_path / "g.pt2")
    [d] = e.value.diagnostics
    assert d.code.value == "RPN600" and d.path[-1] == "instance_interdependence"
    assert "sparse tensor" in d.message


def test_a_model_with_a_fixed_batch_exports_at_that_batch_only(tmp_path: Path) -> None:
    spec = {
        "layers": [
            {
                "m": 3,
                "n": 2,
                "heads": [
                    {
                        "expansion": "identity_expansion",
                        "batch": 4,
                        "instance_interdependence": "identity_interdependence",
                    }
                ],
            }
        ]
    }
    module = rpnschema.build(spec, seed=0)
    assert export.fixed_batch(module.spec) == 4
    report = export.export_model(module, tmp_path / "g.pt2")  # the default batch is the fixed one
    assert report.batch == 4
    for kwargs in ({"batch": 3}, {"dynamic_batch": True}):
        with pytest.raises(DeployError) as e:
            export.export_model(module, tmp_path / "h.pt2", **kwargs)
        [d] = e.value.diagnostics
        assert d.code.value == "RPN600" and "takes exactly 4 rows" in d.message
        assert d.suggestion == "export with --batch 4"
