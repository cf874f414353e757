"""Model presets (tinybig's model classes mlp, kan, svm, naive_bayes, pgm) and share_heads:
defaults as tinybig's code, the same layers as the converted tinybig class, one head object."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml
from typer.testing import CliRunner

from rpnschema.cli import app
from rpnschema.compile import build
from rpnschema.errors import Code
from rpnschema.interop import _tinybig_table as T
from rpnschema.interop import export_tinybig, from_tinybig
from rpnschema.sequence import input_width
from rpnschema.spec import MODEL_PRESET_TYPES
from rpnschema.spec.model_presets import MODEL_PRESET_NAMES
from rpnschema.templates import template_text
from rpnschema.validate import load_spec, validate_data

ROOT = Path(__file__).resolve().parents[2]
SIGNATURES = json.loads((ROOT / "tests" / "data" / "tinybig_signatures.json").read_text())
MODELS = SIGNATURES["packages"]["model"]
NAMES = ["mlp", "kan", "svm", "naive_bayes", "pgm"]


def _tinybig_defaults(name: str) -> dict[str, Any]:
    params = MODELS[name]["parameters"]
    return {k: v["default"] for k, v in params.items() if k not in ("dims", "name", "device")}


@pytest.mark.parametrize("name", NAMES)
def test_model_class_defaults_are_tinybigs_code_defaults(name: str) -> None:
    assert T.MODEL_PRESETS[name].defaults == _tinybig_defaults(name)
    cls = next(
        c for c in MODEL_PRESET_TYPES if c.model_fields["name"].annotation.__args__[0] == name
    )
    native = cls.model_validate({"name": name}).layer_arguments()
    assert native == _tinybig_defaults(name)


CASES = [
    ("mlp", {}),
    ("mlp", {"width": 3, "with_taylor": True, "d": 2, "with_lorr": True, "r": 1}),
    ("kan", {"t": 3, "d": 2, "grid_range": [-2, 2]}),
    ("svm", {"kernel": "inverse_quadratic_rbf", "num_interval": 4, "with_residual": True}),
    ("naive_bayes", {"distribution": "cauchy", "enable_bias": True}),
    ("pgm", {"d": 2, "with_replacement": True, "channels": 2}),
    ("gcn", {"nodes": [0, 1, 2], "links": [[0, 1], [1, 2]]}),
    (
        "gcn",
        {
            "nodes": ["a", "b", "c"],
            "links": [["a", "b"]],
            "with_multihop": True,
            "h": 2,
            "with_dropout": True,
            "with_batch_norm": True,
            "width": 2,
        },
    ),
    ("gcn", {"nodes": [0, 1, 2], "links": [], "with_pagerank": True, "with_lorr": True}),
]


@pytest.mark.parametrize(("name", "options"), CASES)
def test_a_model_preset_is_the_converted_tinybig_model_class(
    name: str, options: dict[str, Any]
) -> None:
    native = load_spec({"dims": [3, 4, 2], "preset": {"name": name, **options}})
    tinybig_args = {("channel_num" if k == "channels" else k): v for k, v in options.items()}
    data, diags = from_tinybig(
        {
            "model_class": f"tinybig.model.{name}",
            "model_parameters": {"dims": [3, 4, 2], **tinybig_args},
        },
        semantics="native",
    )
    assert data is not None, [d.message for d in diags if d.severity == "error"]
    converted = load_spec(data)
    assert native.layers == converted.layers
    assert native.parameters == converted.parameters


def test_gcn_defaults_are_tinybigs_code_defaults() -> None:
    objects = ("graph", "graph_file_path", "nodes", "links", "require_data", "require_parameters")
    tinybig = {k: v for k, v in _tinybig_defaults("gcn").items() if k not in objects}
    assert {k: v for k, v in T.MODEL_PRESETS["gcn"].defaults.items() if k not in objects} == (
        tinybig
    )
    [cls] = [c for c in MODEL_PRESET_TYPES if c.LAYER == "graph_interdependence_layer"]
    native = cls.model_validate({"name": "gcn", "nodes": [0]}).layer_arguments()
    assert {k: v for k, v in native.items() if k not in objects} == tinybig


def test_gcn_options_follow_tinybigs_size_comparison() -> None:
    spec = load_spec({"dims": [3, 2, 2], "preset": {"name": "gcn", "nodes": [0, 1]}})
    outputs = [[p.name for p in layer.heads[0].output_process] for layer in spec.layers]
    assert outputs == [[], ["log_softmax"]]  # n == dims[-1]: tinybig drops the hidden ReLU
    head = spec.layers[0].heads[0]
    assert head.instance_interdependence.name == "graph_interdependence"
    assert head.batch == 2


def test_the_expansion_is_a_located_notice() -> None:
    result = validate_data({"spec_version": 2, "dims": [3, 2], "preset": {"name": "svm"}})
    [notice] = [d for d in result.diagnostics if d.code.value == "RPN313"]
    assert notice.path == ("preset",)
    assert notice.message == (
        "preset 'svm' with dims [3, 2] expanded into 1 layer of tinybig's svm_layer "
        "(identity_expansion, identity_reconciliation, zero_remainder)"
    )


@pytest.mark.parametrize(
    ("data", "code", "path", "message"),
    [
        ({"preset": "mlp"}, "RPN202", ("preset",), "preset 'mlp' needs dims"),
        ({"dims": [3, 2], "preset": "kan", "layers": []}, "RPN206", ("layers",), "takes dims"),
        ({"dims": [3, 2], "preset": {"name": "kan", "t": 0}}, "RPN204", ("preset", "t"), "t"),
        ({"dims": [3, 2], "preset": "lenet"}, "RPN201", ("preset", "name"), "unknown"),
    ],
)
def test_bad_model_presets_are_located_errors(
    data: dict[str, Any], code: str, path: tuple[Any, ...], message: str
) -> None:
    result = validate_data({"spec_version": 2, **data})
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert not result.ok
    assert (errors[0].code.value, errors[0].path) == (code, path)
    assert message in errors[0].message


def test_shared_heads_are_one_object_counted_once() -> None:
    spec = load_spec({"dims": [3, 2], "preset": {"name": "mlp", "width": 3}})
    [layer] = spec.layers
    assert (layer.width, layer.share_heads, layer.parameters) == (3, True, 6)
    model = build(spec, seed=0)
    heads = model.layers[0].heads
    assert heads[0] is heads[1] is heads[2]
    assert sum(p.numel() for p in model.parameters()) == 6
    assert [k for k in model.state_dict() if k.endswith(".w")] == [
        "layers.0.heads.0.w",
        "layers.0.heads.1.w",
        "layers.0.heads.2.w",
    ]
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(0))
    model.eval()
    torch.testing.assert_close(model(x), heads[0](x))


def test_share_heads_in_a_plain_layer_and_its_error() -> None:
    head = {"expansion": "identity_expansion"}
    spec = load_spec(
        {"layers": [{"m": 3, "n": 2, "width": 4, "share_heads": True, "heads": [head]}]}
    )
    assert spec.parameters == 6
    result = validate_data(
        {
            "spec_version": 2,
            "layers": [
                {
                    "m": 3,
                    "n": 2,
                    "share_heads": True,
                    "heads": [head, {"expansion": {"name": "taylor_expansion", "d": 2}}],
                }
            ],
        }
    )
    [error] = [d for d in result.diagnostics if d.severity == "error"]
    assert (error.code.value, error.path) == ("RPN460", ("layers", 0, "share_heads"))
    assert error.suggestion == "keep one head config and set width, or remove share_heads"


def test_writing_shared_heads_to_tinybig_warns() -> None:
    spec = load_spec({"dims": [3, 2], "preset": {"name": "mlp", "width": 2}})
    _, diags = export_tinybig(spec)
    [warning] = [d for d in diags if d.code.value == "RPN500"]
    assert warning.severity == "warning"
    assert "cannot share one head object" in warning.message


def test_a_tinybig_model_class_with_bad_dims_is_a_located_error() -> None:
    data, diags = from_tinybig(
        {"model_class": "tinybig.model.kan", "model_parameters": {"dims": [3]}}
    )
    assert data is None
    [error] = [d for d in diags if d.severity == "error"]
    assert error.path == ("model_parameters", "dims")
    assert "at least two sizes" in error.message


EXAMPLES = sorted((ROOT / "examples" / "architectures").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("semantics", ["native", "tinybig"])
def test_examples_validate_build_and_run(path: Path, semantics: str) -> None:
    if semantics == "tinybig" and path.stem == "transformer":  # tinybig cannot run it
        data = yaml.safe_load(path.read_text())
        errors = validate_data({**data, "semantics": semantics}).errors
        assert [e.code for e in errors] == [Code.TINYBIG_BILINEAR]
        return
    # validated in each semantics (native ones count batch norm's parameters)
    spec = load_spec({**yaml.safe_load(path.read_text()), "semantics": semantics})
    model = build(spec)
    assert sum(p.numel() for p in model.parameters()) == spec.parameters
    first = spec.layers[0]
    rows = 6 if first.steps else first.heads[0].batch or 6  # a graph: one row per node
    y = model(torch.rand(rows, input_width(first), generator=torch.Generator().manual_seed(0)))
    assert y.shape == (rows, spec.layers[-1].output_dim)
    assert torch.isfinite(y).all()
    y.sum().backward()


def test_every_model_preset_has_an_example_and_a_template() -> None:
    names = {load_spec(p).name for p in EXAMPLES}
    assert names == {f"rpn_{n}" for n in MODEL_PRESET_NAMES}
    for name in MODEL_PRESET_NAMES:
        template = "rpn-" + name.replace("_", "-")
        assert load_spec(validate_data_text(template)).parameters > 0


def validate_data_text(template: str) -> dict[str, Any]:
    import yaml

    return yaml.safe_load(template_text(template))


def test_list_shows_the_model_presets() -> None:
    result = CliRunner().invoke(app, ["list", "--family", "model_preset", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["name"] for r in rows] == list(MODEL_PRESET_NAMES)
    assert rows[0]["parameters"].startswith("width=1, channels=1, enable_bias=false")


def test_a_converted_model_class_shares_no_objects_between_layers() -> None:
    data, _ = from_tinybig(
        {"model_class": "tinybig.model.kan", "model_parameters": {"dims": [3, 3, 2]}}
    )
    assert data is not None
    first, second = (layer["heads"][0]["expansion"] for layer in data["layers"])
    assert first["grid_range"] == second["grid_range"]
    assert first["grid_range"] is not second["grid_range"]  # else YAML writes anchors


def test_the_committed_json_schema_knows_the_model_presets() -> None:
    import jsonschema
    import yaml

    schema = json.loads((ROOT / "schemas" / "rpnschema.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    for path in EXAMPLES:
        assert list(validator.iter_errors(yaml.safe_load(path.read_text()))) == [], path
    assert not list(validator.iter_errors({"dims": [3, 2], "preset": "mlp"}))
    assert list(validator.iter_errors({"dims": [3, 2], "preset": {"name": "kan", "tt": 1}}))
    assert list(validator.iter_errors({"dims": [3, 2], "preset": "lenet"}))
    assert list(validator.iter_errors({"preset": "cnn"}))  # its grid has no default
