"""`rpnschema build` and `rpnschema load`: tables, totals, saving, restoring, exit codes."""

from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

import rpnschema
from rpnschema.cli import app
from rpnschema.compile.serialize import read_model_file

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*") if p.suffix in (".yaml", ".json"))
runner = CliRunner()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_build_every_example_and_totals_equal_resolve(path: Path) -> None:
    big = "mnist" in path.name  # 40M-parameter models: the table on meta, quickly
    args = ["build", str(path), *(["--device", "meta"] if big else [])]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    inferred = rpnschema.load_spec(path).parameters
    assert "│ total " in result.output
    assert f"parameters: {inferred:,} (inferred {inferred:,})" in result.output
    assert "forward check: output (4, " in result.output


def test_build_saves_and_load_restores_identical_outputs(tmp_path: Path) -> None:
    spec = {
        "seed": 3,
        "layers": [
            {
                "m": 4,
                "n": 3,
                "heads": [
                    {
                        "expansion": "taylor_expansion",
                        "reconciliation": {"name": "masking_reconciliation"},
                    }
                ],
            },
            {
                "n": 2,
                "heads": [
                    {
                        "expansion": "chebyshev_expansion",
                        "reconciliation": {"name": "random_matrix_adaption_reconciliation", "r": 2},
                    }
                ],
            },
        ],
    }
    src = tmp_path / "spec.yaml"
    src.write_text(rpnschema.io.dumps(spec))
    out = tmp_path / "model.safetensors"
    result = runner.invoke(app, ["build", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"saved {out}" in result.output
    # no temporary file is left behind by the atomic write
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.safetensors", "spec.yaml"]
    saved_spec, tensors = read_model_file(out)
    assert any("mask" in k for k in tensors)  # the random mask travels with the weights
    original = rpnschema.build(saved_spec)
    restored = rpnschema.load_model(out)
    x = torch.rand(5, 4)
    torch.testing.assert_close(restored(x), original(x), rtol=0, atol=0)
    loaded = runner.invoke(app, ["load", str(out)])
    assert loaded.exit_code == 0, loaded.output
    assert "spec sha256: " in loaded.output


def test_build_exit_codes(tmp_path: Path) -> None:
    invalid = runner.invoke(app, ["build", str(ROOT / "tests/fixtures/invalid/layer_chain.yaml")])
    assert invalid.exit_code == 1 and "RPN400" in invalid.output
    missing = runner.invoke(app, ["build", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2
    if not torch.cuda.is_available():
        cuda = runner.invoke(app, ["build", str(EXAMPLES[0]), "--device", "cuda"])
        assert cuda.exit_code == 2
        assert "not available" in cuda.output
    bad_file = tmp_path / "x.safetensors"
    bad_file.write_text("not a model")
    assert runner.invoke(app, ["load", str(bad_file)]).exit_code == 2


def test_build_overrides_dtype_and_seed() -> None:
    result = runner.invoke(
        app,
        ["build", str(ROOT / "examples/iris_perceptron.yaml"), "--dtype", "float64", "--seed", "5"],
    )
    assert result.exit_code == 0, result.output
    assert "cpu, torch.float64" in result.output


def test_load_accepts_a_model_file_written_under_spec_version_1(tmp_path: Path) -> None:
    import hashlib
    import json

    from safetensors.torch import save_file

    spec = {"seed": 1, "layers": [{"m": 3, "n": 2, "heads": [{"expansion": "taylor_expansion"}]}]}
    model = rpnschema.build(rpnschema.validate_data(spec).unwrap())
    stored = model.spec.to_data() | {"spec_version": 1}  # as rpnschema with spec_version 1 wrote
    canonical = json.dumps(stored, sort_keys=True, separators=(",", ":"))
    path = tmp_path / "old.safetensors"
    metadata = {
        "format": "rpnschema-model",
        "format_version": "1",
        "rpnschema_version": "0",
        "spec": json.dumps(stored, sort_keys=True),
        "spec_sha256": hashlib.sha256(canonical.encode()).hexdigest(),
    }
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, path, metadata)
    loaded = runner.invoke(app, ["load", str(path)])
    assert loaded.exit_code == 0, loaded.output
    assert f"spec sha256: {rpnschema.spec_hash(model.spec)}" in loaded.output
    metadata["spec_sha256"] = "0" * 64  # a hash that matches neither form is still an error
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, path, metadata)
    tampered = runner.invoke(app, ["load", str(path)])
    assert tampered.exit_code == 1
    assert "the stored spec hash does not match the stored spec" in tampered.output
