"""``load`` of crafted safetensors files: the metadata is validated within the limits and the
header's tensors are checked against the spec before anything is allocated (#15, class 6);
saving is byte-reproducible and meta/seed edge cases are clean (#15, class 8)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file
from typer.testing import CliRunner

from rpnschema.cli.app import app
from rpnschema.compile.serialize import FORMAT

SPEC = "spec_version: 1\nseed: 3\ndims: [4, 2]\nhead: {expansion: identity_expansion}\n"
runner = CliRunner()


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC)
    out = tmp_path / "m.safetensors"
    assert runner.invoke(app, ["build", str(spec), "--out", str(out)]).exit_code == 0
    return out


def _meta(path: Path) -> dict[str, str]:
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as fh:
        return fh.metadata()


def _craft(tmp_path: Path, tensors: dict[str, torch.Tensor], meta: dict[str, str]) -> Path:
    f = tmp_path / "crafted.safetensors"
    save_file(tensors, str(f), metadata=meta)
    return f


def _load(path: Path, *extra: str) -> tuple[int, str]:
    out = runner.invoke(app, ["load", str(path), *extra])
    assert "Traceback" not in out.output
    assert out.exception is None or isinstance(out.exception, SystemExit), out.exception
    return out.exit_code, out.output


W = {"layers.0.heads.0.w": torch.zeros(1, 8)}


@pytest.mark.parametrize(
    ("meta", "needle"),
    [
        ({"format": FORMAT}, "no rpnschema spec"),
        ({"format": FORMAT, "spec": "{not json"}, "invalid JSON"),
        ({"format": FORMAT, "spec": "[" * 5000 + "]" * 5000}, "nested too deeply"),
        ({"format": FORMAT, "spec": '{"seed": ' + "9" * 5000 + "}"}, "RPN106"),
        ({"format": FORMAT, "spec": '{"seed": NaN}'}, "NaN"),
        ({"format": FORMAT, "spec": '{"dims": [4, 2], "head": {"expansion": "nope"}}'}, "nope"),
    ],
)
def test_bad_metadata_is_exit_2(tmp_path: Path, meta: dict[str, str], needle: str) -> None:
    code, out = _load(_craft(tmp_path, W, meta))
    assert code == 2
    assert needle in out


@pytest.mark.parametrize(
    ("tensors", "needle"),
    [
        ({}, "missing: layers.0.heads.0.w"),
        ({**W, "extra": torch.zeros(1)}, "unexpected: extra"),
        ({"layers.0.heads.0.w": torch.zeros(1, 9)}, "wrong shape: layers.0.heads.0.w"),
    ],
)
def test_tensors_must_match_the_spec(
    saved: Path, tmp_path: Path, tensors: dict[str, torch.Tensor], needle: str
) -> None:
    code, out = _load(_craft(tmp_path, tensors, _meta(saved)))
    assert code == 2
    assert needle in out


def test_a_tiny_file_describing_a_huge_model_is_refused_fast(saved: Path, tmp_path: Path) -> None:
    meta = _meta(saved)
    meta["spec"] = json.dumps(
        {"spec_version": 1, "dims": [30_000, 30_000], "head": {"expansion": "identity_expansion"}}
    )
    f = _craft(tmp_path, W, meta)
    assert f.stat().st_size < 2000
    start = time.perf_counter()
    code, out = _load(f)
    assert time.perf_counter() - start < 20
    assert code == 2 and "wrong shape" in out  # checked on the meta device, nothing allocated


def test_load_has_the_limit_options(saved: Path) -> None:
    code, out = _load(saved, "--max-parameters", "2")
    assert code == 1 and "RPN408" in out
    code, out = _load(saved, "--max-memory", "64")
    assert code == 1 and "RPN408" in out
    assert _load(saved, "--max-memory", "1MiB")[0] == 0


def test_load_on_meta_has_no_false_hash_mismatch(saved: Path) -> None:
    code, out = _load(saved, "--device", "meta")
    assert code == 0, out
    assert "spec sha256" in out and "does not match" not in out


def test_saved_files_are_byte_reproducible(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC)
    blobs = []
    for i in range(3):
        out = tmp_path / f"m{i}.safetensors"
        assert runner.invoke(app, ["build", str(spec), "--out", str(out)]).exit_code == 0
        blobs.append(out.read_bytes())
    assert blobs[0] == blobs[1] == blobs[2]
    header = json.loads(blobs[0][8 : 8 + int.from_bytes(blobs[0][:8], "little")])
    assert list(header["__metadata__"]) == sorted(header["__metadata__"])


def test_build_meta_out_is_a_usage_error(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC)
    out = runner.invoke(app, ["build", str(spec), "--device", "meta", "--out", str(tmp_path / "x")])
    assert out.exit_code == 2 and "meta device" in out.output
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("seed", ["-1", str(2**63)])
def test_build_seed_out_of_range_is_a_usage_error(tmp_path: Path, seed: str) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC)
    out = runner.invoke(app, ["build", str(spec), "--seed", seed])
    assert out.exit_code == 2 and "--seed" in out.output


@pytest.mark.parametrize("seed", [-1, 2**63])
def test_api_build_refuses_a_seed_load_would_reject(seed: int) -> None:
    import rpnschema

    with pytest.raises(ValueError, match="seed must be in"):
        rpnschema.build(
            {"spec_version": 1, "dims": [4, 2], "head": {"expansion": "identity_expansion"}},
            seed=seed,
        )
