"""Sequence layers (tinybig's chain architectures) in the tools that need no torch: validate,
summary (parameters, FLOPs, memory), graph, resolve, new, convert --from tinybig."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from rpnschema.cli import app
from rpnschema.graph import build_graph, to_mermaid
from rpnschema.summary import summarize
from rpnschema.validate import load_spec

ROOT = Path(__file__).resolve().parents[1]
RNN = ROOT / "examples" / "architectures" / "rnn.yaml"
runner = CliRunner()

CHAIN_HEAD = {"layers": [{"m": 2, "n": 3, "heads": [{"preset": "chain", "chain_length": 4}]}]}


def test_a_chain_heads_figures_count_every_position() -> None:
    summary = summarize(CHAIN_HEAD, batch=1)
    (head,) = summary.rows
    assert (head.m, head.D, head.l, head.n, head.parameters) == (2, 2, 6, 12, 6)
    # per position 2*n*D, the positions mixed by A^T (2*L*D per position), and ReLU + softmax
    # over the 12 output values
    assert head.flops.matmul == 4 * 2 * 3 * 2 + 2 * 4 * 4 * 2
    assert head.flops.elementwise == 5 * 12 * 2
    assert summary.total.m == 8 and summary.total.n == 12
    # forward: per position its input, expansion and channel outputs; the 12-value output row;
    # and the layer's input and output rows (8 + 12)
    assert summary.memory.forward == 4 * (4 * 2 + 2 * 4 * 2 + 4 * 3 + 12 + 8 + 12)


def test_the_rnn_example_summarizes_and_draws_without_torch() -> None:
    spec = load_spec(RNN)
    assert [(layer.steps, layer.pool_steps, layer.output_dim) for layer in spec.layers] == [
        (6, None, 48),
        (6, None, 48),
        (6, True, 3),
    ]
    text = to_mermaid(build_graph(spec))
    assert 'input(["input (12)"])' in text
    assert '"mean of 6 positions"' in text
    assert "6 positions" in text.split("L1H0")[1].splitlines()[0]
    result = runner.invoke(app, ["summary", str(RNN), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"]["parameters"] == spec.parameters == 2 * 8 + 8 * 8 + 8 * 3
    assert data["total"]["m"] == 12


def test_new_rpn_rnn_and_resolve_show_the_sequence_layers() -> None:
    result = runner.invoke(app, ["new", "rpn-rnn"])
    assert result.exit_code == 0, result.output
    assert "preset: {name: rnn, chain_length: 12" in result.output
    result = runner.invoke(app, ["resolve", str(RNN)])
    assert result.exit_code == 0, result.output
    assert result.output.count("steps: 6") == 5  # the 3 layers and the 2 per-position heads
    assert "pool_steps: true" in result.output


def test_convert_and_validate_from_tinybig(tmp_path: Path) -> None:
    config = tmp_path / "rnn.yaml"
    config.write_text(
        "model_class: tinybig.model.rnn\nmodel_parameters:\n  chain_length: 3\n"
        "  dims: [2, 4, 2]\n  channel_num: 2\n"
    )
    result = runner.invoke(app, ["validate", "--from", "tinybig", str(config)])
    assert result.exit_code == 1
    assert f"{config}:5:16: error RPN478 model_parameters/channel_num" in result.output
    config.write_text(config.read_text().replace("channel_num: 2", "bi_directional: true"))
    result = runner.invoke(app, ["convert", "--from", "tinybig", str(config)])
    assert result.exit_code == 0, result.output
    assert "bi_directional: true" in result.output and "pool_steps: true" in result.output


def test_build_checks_a_sequence_model_on_rows_of_all_its_positions() -> None:
    from rpnschema.compile.export import fixed_batch

    result = runner.invoke(app, ["build", str(RNN), "--batch", "5"])
    assert result.exit_code == 0, result.output
    assert "forward check: output (5, 3), all finite: True" in result.output
    assert fixed_batch(load_spec(RNN)) is None  # the heads' batch is their positions


def test_the_rnn_presets_notice_names_each_layers_kind() -> None:
    from rpnschema.validate import validate_data

    for name, last in (
        ("rnn", "perceptron (mean of the positions)"),
        ("regression_rnn", "perceptron"),
    ):
        data = {"seed": 0, "dims": [1, 4, 2], "preset": {"name": name, "chain_length": 3}}
        [notice] = [d for d in validate_data(data).diagnostics if d.code.value == "RPN313"]
        assert notice.message == (
            f"preset {name!r} with dims [1, 4, 2] expanded into 3 layers as tinybig's model "
            f"class builds them: perceptron (per position), chain, {last}"
        )
