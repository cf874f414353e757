"""Validation of heads with interdependence functions: the inferred sizes, and every problem
located with its code, before anything is built."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rpnschema.validate import validate_data, validate_text


def _head(**kw: Any) -> dict[str, Any]:
    return {"expansion": "identity_expansion", **kw}


def _model(*heads: dict[str, Any], m: int = 3, n: int = 2, **layer: Any) -> dict[str, Any]:
    return {"layers": [{"m": m, "n": n, "heads": list(heads), **layer}]}


def _errors(data: dict[str, Any]) -> list[tuple[str, str]]:
    result = validate_data(data)
    return [
        (d.code.value, "/".join(map(str, d.path)))
        for d in result.diagnostics
        if d.severity == "error"
    ]


def test_sizes_are_inferred_and_counted() -> None:
    head = _head(
        batch=4,
        channels=2,
        attribute_interdependence={
            "name": "lowrank_parameterized_interdependence",
            "r": 1,
            "m_prime": 2,
        },
        instance_interdependence={"name": "graph_interdependence", "nodes": [0, 1, 2, 3]},
        expansion={"name": "taylor_expansion", "d": 2},
    )
    spec = validate_data(_model(head)).unwrap()
    h = spec.layers[0].heads[0]
    assert (h.m_prime, h.b_prime, h.D) == (2, 4, 6)
    assert (h.l_attribute_interdependence, h.l_instance_interdependence) == (5, 0)
    assert h.parameters == 2 * 5 + 2 * (2 * 6)  # channels * (l_attr + l)


def test_graph_and_chain_imply_the_batch() -> None:
    head = _head(instance_interdependence={"name": "chain_interdependence", "chain_length": 6})
    result = validate_data(_model(head))
    assert result.unwrap().layers[0].heads[0].batch == 6
    assert any(d.code.value == "RPN311" and d.path[-1] == "batch" for d in result.diagnostics)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            _head(attribute_interdependence={"name": "graph_interdependence", "nodes": [0, 1]}),
            ("RPN430", "layers/0/heads/0/attribute_interdependence/nodes"),
        ),
        (
            _head(
                batch=5,
                instance_interdependence={"name": "chain_interdependence", "chain_length": 4},
            ),
            ("RPN430", "layers/0/heads/0/instance_interdependence/chain_length"),
        ),
        (
            _head(instance_interdependence="parameterized_interdependence"),
            ("RPN431", "layers/0/heads/0/instance_interdependence"),
        ),
        (
            _head(attribute_interdependence="parameterized_bilinear_interdependence"),
            ("RPN431", "layers/0/heads/0/attribute_interdependence"),
        ),
        (
            _head(attribute_interdependence={"name": "eye_interdependence", "b_prime": 2}),
            ("RPN432", "layers/0/heads/0/attribute_interdependence/b_prime"),
        ),
        (
            _head(
                batch=4,
                remainder="linear_remainder",
                instance_interdependence={"name": "eye_interdependence", "b_prime": 2},
            ),
            ("RPN433", "layers/0/heads/0/remainder"),
        ),
        (
            _head(attribute_interdependence={"name": "hm_parameterized_interdependence", "p": 2}),
            ("RPN402", "layers/0/heads/0/attribute_interdependence/p"),
        ),
        (
            _head(
                attribute_interdependence={
                    "name": "cuboid_patch_based_geometric_interdependence",
                    "h": 2,
                    "w": 2,
                    "p_h": 1,
                    "p_w": 1,
                    "p_d": 0,
                }
            ),
            ("RPN430", "layers/0/heads/0/attribute_interdependence"),
        ),
        (
            _head(attribute_interdependence="pearson_correlation_interdependence", m_prime=2),
            ("RPN406", "layers/0/heads/0/m_prime"),
        ),
        (
            _head(attribute_interdependence="graph_interdependense"),
            ("RPN201", "layers/0/heads/0/attribute_interdependence/name"),
        ),
        (
            _head(attribute_interdependence="interdependence"),
            ("RPN422", "layers/0/heads/0/attribute_interdependence/name"),
        ),
        (
            _head(
                attribute_interdependence={
                    "name": "graph_interdependence",
                    "nodes": [0, 1, 2],
                    "links": [[0, 7]],
                }
            ),
            ("RPN205", "layers/0/heads/0/attribute_interdependence"),
        ),
    ],
)
def test_problems_are_located(head: dict[str, Any], expected: tuple[str, str]) -> None:
    assert expected in _errors(_model(head))


def test_semantics_specific_problems() -> None:
    bi_inverse = _head(
        instance_interdependence={
            "name": "inverse_approx_multihop_chain_interdependence",
            "chain_length": 4,
            "bi_directional": True,
        }
    )
    assert ("RPN409", "layers/0/heads/0/instance_interdependence/bi_directional") in _errors(
        _model(bi_inverse)
    )
    assert _errors({**_model(bi_inverse), "semantics": "tinybig"}) == []
    sphere = _head(
        attribute_interdependence={
            "name": "sphere_patch_based_geometric_interdependence",
            "h": 3,
            "w": 1,
            "r": 1,
        }
    )
    assert _errors(_model(sphere)) == []
    assert ("RPN409", "layers/0/heads/0/attribute_interdependence/name") in _errors(
        {**_model(sphere), "semantics": "tinybig"}
    )


def test_rows_must_agree_across_heads_and_layers() -> None:
    shrink = _head(batch=4, instance_interdependence={"name": "eye_interdependence", "b_prime": 2})
    fused = _model(shrink, _head(batch=4), n=3, width=2)
    assert ("RPN433", "layers/0/heads") in _errors(fused)
    chained = {
        "layers": [
            {"m": 3, "n": 3, "heads": [shrink]},
            {"n": 2, "heads": [_head(batch=4, instance_interdependence="eye_interdependence")]},
        ]
    }
    assert ("RPN433", "layers/1/heads/0/batch") in _errors(chained)
    chained["layers"][1]["heads"][0]["batch"] = 2
    assert _errors(chained) == []


def test_errors_carry_file_positions() -> None:
    text = (
        "layers:\n  - m: 3\n    n: 2\n    heads:\n      - expansion: identity_expansion\n"
        "        attribute_interdependence: {name: chain_interdependence, chain_length: 4}\n"
    )
    (d,) = [d for d in validate_text(text, file="spec.yaml").diagnostics if d.severity == "error"]
    assert (d.code.value, d.line) == ("RPN430", 6)
    assert d.expected == "3" and d.found == "4"


def test_cli_validates_and_converts_tinybig_interdependence_configs(tmp_path) -> None:
    import yaml
    from typer.testing import CliRunner

    from rpnschema.cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["validate", "examples/tinybig/rpn_head_graph.yaml"])
    assert ok.exit_code == 0, ok.output
    assert "28 parameters" in ok.output
    config = yaml.safe_load(Path("examples/tinybig/rpn_head_graph.yaml").read_text())
    graph = config["head_parameters"]["instance_interdependence_configs"]
    graph["function_parameters"]["nodes"] = [0, 1, 2, 3, 4, 5]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(config))
    result = runner.invoke(app, ["validate", "--from", "tinybig", str(bad)])
    assert result.exit_code == 1
    assert "RPN430" in result.output
    assert "instance_interdependence_configs/function_parameters/nodes" in result.output
    out = tmp_path / "spec.yaml"
    converted = runner.invoke(
        app, ["convert", "examples/tinybig/rpn_head_graph.yaml", "-o", str(out)]
    )
    assert converted.exit_code == 0, converted.output
    back = runner.invoke(
        app, ["convert", str(out), "--to", "tinybig", "-o", str(tmp_path / "t.yaml")]
    )
    assert back.exit_code == 0, back.output
    written = yaml.safe_load((tmp_path / "t.yaml").read_text())
    params = written["configurations"]["model_configs"]["model_parameters"]
    head = params["layer_configs"][0]["layer_parameters"]["head_configs"][0]["head_parameters"]
    assert head["batch_num"] == 5
    assert head["instance_interdependence_configs"]["function_parameters"]["nodes"] == [
        0,
        1,
        2,
        3,
        4,
    ]


def test_list_shows_the_interdependence_family() -> None:
    import json

    from typer.testing import CliRunner

    from rpnschema.cli import app

    result = CliRunner().invoke(app, ["list", "--family", "interdependence", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    names = {row["name"] for row in rows}
    assert len(names) == 57 and "graph_interdependence" in names
    assert {row["family"] for row in rows} == {"interdependence"}
