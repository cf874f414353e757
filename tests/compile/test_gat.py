"""Graph attention (tinybig's graph_bilinear_interdependence_head/layer and model.gat):
conformance with tinybig 0.2.1 (tests/data/conformance/rpn2), the masked softmax's math in both
semantics, the link-only evaluation against the dense one, static dims against the built
module, conversion and the located errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rpnschema.cli import app
from rpnschema.compile import build, load_tinybig_state_dict
from rpnschema.interop import from_tinybig, to_tinybig
from rpnschema.validate import load_spec, validate_data

DATA = Path(__file__).resolve().parents[1] / "data" / "conformance" / "rpn2"
RTOL, ATOL = 1e-5, 1e-6
NODES = [0, 1, 2, 3, 4]
LINKS = [[0, 1], [1, 2], [2, 3], [3, 4], [4, 0], [0, 2]]
CLASSES = ("graph_bilinear_interdependence_head", "graph_bilinear_interdependence_layer", "gat")


def _class(case: dict[str, Any]) -> str:
    config = case["tinybig_config"]
    path = config.get("head_class") or config.get("layer_class") or config["model_class"]
    return path.rsplit(".", 1)[-1]


CASES = [
    pytest.param(c, id=c["id"])
    for kind in ("heads", "layers", "models")
    for c in json.loads((DATA / f"{kind}.json").read_text())["cases"]
    if _class(c) in CLASSES
]


def f32(value: Any) -> torch.Tensor:
    return torch.tensor(value, dtype=torch.float64).to(torch.float32)


def test_every_graph_attention_class_has_a_case() -> None:
    assert sorted(_class(p.values[0]) for p in CASES) == sorted(CLASSES)


@pytest.mark.parametrize("case", CASES)
def test_tinybig_cases_reproduce(case: dict[str, Any]) -> None:
    config = case["tinybig_config"]
    data, diags = from_tinybig(config)
    assert data is not None, [d.message for d in diags if d.severity == "error"]
    assert "RPN503" not in {d.code.value for d in diags}
    spec = load_spec(data)
    assert spec.semantics == "tinybig"
    assert spec.parameters == case["param_count"]
    model = build(spec, seed=0)
    assert sum(p.numel() for p in model.parameters()) == case["param_count"]
    target = model if "model_class" in config else model.layers[0]
    target = target.heads[0] if "head_class" in config else target
    assert sorted(target.state_dict()) == sorted(case["parameters"])
    load_tinybig_state_dict(target, case["parameters"])
    model.eval()
    with torch.no_grad():
        y = model(f32(case["x"]))
    torch.testing.assert_close(y, f32(case["y"]), rtol=RTOL, atol=ATOL)


def _head(softmax: dict[str, Any] | None = None, **graph: Any) -> dict[str, Any]:
    return {
        "m": 3,
        "n": 2,
        "instance_interdependence": {
            "name": "hybrid_interdependence",
            "functions": [
                {
                    "name": "graph_interdependence",
                    "nodes": NODES,
                    "links": LINKS,
                    "directed": False,
                    "self_dependence": True,
                    **graph,
                },
                "parameterized_bilinear_interdependence",
            ],
            "fusion": "prod_fusion",
            "softmax": softmax or {},
        },
        "expansion": "identity_expansion",
        "reconciliation": "identity_reconciliation",
    }


def _spec(semantics: str = "native", **head: Any) -> dict[str, Any]:
    layer = {"m": 3, "n": 2, "heads": [_head(**head)]}
    return {"spec_version": 2, "semantics": semantics, "layers": [layer]}


def _reference(x: torch.Tensor, G: torch.Tensor, Wb: torch.Tensor, Wr: torch.Tensor, mask):
    """The head's output by the definition, one column (target node) at a time."""
    S = (x @ Wb @ x.t()) * G
    A = torch.zeros_like(S)
    for j in range(S.shape[1]):
        inside = mask[:, j]
        if inside.any():
            A[inside, j] = torch.softmax(S[inside, j], dim=0)
    return (A.t() @ x) @ Wr.t()


def _graph_matrix(links: list[list[int]], b: int) -> torch.Tensor:
    G = torch.eye(b)
    for i, j in links:
        G[i, j] = G[j, i] = 1.0
    return G


@pytest.mark.parametrize("semantics", ["native", "tinybig"])
def test_the_attention_is_a_softmax_over_each_nodes_neighbours(semantics: str) -> None:
    model = build(_spec(semantics), seed=0)
    head = model.layers[0].heads[0]
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(1))
    x[3] = 0.0  # all its scores are 0: tinybig's mask_zeros drops them, native keeps them
    Wb = head.w_instance_interdependence.detach().view(3, 3)
    Wr = head.w.detach().view(2, 3)
    G = _graph_matrix(LINKS, 5)
    S = (x @ Wb @ x.t()) * G
    mask = S != 0 if semantics == "tinybig" else G != 0
    with torch.no_grad():
        y = model(x)
    torch.testing.assert_close(y, _reference(x, G, Wb, Wr, mask))
    other = build(_spec("tinybig" if semantics == "native" else "native"), seed=0)
    with torch.no_grad():
        assert not torch.allclose(other(x), y)  # node 3's neighbours: one softmax entry more


def test_row_mode_and_rescale_factor() -> None:
    spec = _spec(softmax={"mode": "row", "rescale_factor": 0.5})
    model = build(spec, seed=0)
    head = model.layers[0].heads[0]
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(2))
    Wb = head.w_instance_interdependence.detach().view(3, 3)
    Wr = head.w.detach().view(2, 3)
    G = _graph_matrix(LINKS, 5)
    A = torch.softmax(((x @ Wb @ x.t()) * G * 0.5).masked_fill(G == 0, -1e30), dim=1) * G
    with torch.no_grad():
        torch.testing.assert_close(model(x), (A.t() @ x) @ Wr.t())


def _paths_agree(model: torch.nn.Module, x: torch.Tensor) -> None:
    xis = [
        h.instance_interdependence
        for layer in model.layers
        for h in layer.heads  # type: ignore[union-attr]
    ]
    assert all(xi.edges for xi in xis)
    with torch.no_grad():
        on_links = model(x)
        for xi in xis:
            xi.edges = False
        dense = model(x)
    torch.testing.assert_close(on_links, dense, rtol=1e-5, atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(
    b=st.integers(2, 7),
    data=st.data(),
    semantics=st.sampled_from(["native", "tinybig"]),
    mode=st.sampled_from(["column", "row"]),
    directed=st.booleans(),
    self_dependence=st.booleans(),
    normalization=st.booleans(),
)
def test_links_only_evaluation_equals_the_dense_matrix(
    b, data, semantics, mode, directed, self_dependence, normalization
) -> None:
    pairs = [[i, j] for i in range(b) for j in range(b) if i != j]
    links = data.draw(st.lists(st.sampled_from(pairs), max_size=2 * b, unique_by=tuple))
    head = _head(softmax={"mode": mode}, directed=directed, self_dependence=self_dependence)
    head["instance_interdependence"]["functions"][0].update(
        nodes=list(range(b)), links=links, normalization=normalization
    )
    layer = {"m": 3, "n": 2, "heads": [head]}
    model = build({"spec_version": 2, "semantics": semantics, "layers": [layer]})
    x = torch.randn(b, 3, generator=torch.Generator().manual_seed(b))
    x[0] = 0.0
    _paths_agree(model, x)


@settings(max_examples=20, deadline=None)
@given(
    dims=st.lists(st.integers(1, 5), min_size=2, max_size=4),
    b=st.integers(1, 6),
    options=st.fixed_dictionaries(
        {},
        optional={
            "with_lorr_interdependence": st.booleans(),
            "with_dual_lphm_interdependence": st.booleans(),
            "r_interdependence": st.integers(1, 3),
            "with_multihop": st.booleans(),
            "h": st.integers(1, 3),
            "with_pagerank": st.booleans(),
            "normalization": st.booleans(),
            "normalization_mode": st.sampled_from(["row", "column", "row_column"]),
            "self_dependence": st.booleans(),
            "directed": st.booleans(),
            "channels": st.integers(1, 2),
            "width": st.integers(1, 2),
            "with_lorr": st.booleans(),
            "with_residual": st.booleans(),
            "enable_bias": st.booleans(),
        },
    ),
    semantics=st.sampled_from(["native", "tinybig"]),
)
def test_static_dims_match_the_built_model(dims, b, options, semantics) -> None:
    links = [[i, (i + 1) % b] for i in range(b - 1)]
    preset = {"name": "gat", "nodes": list(range(b)), "links": links, **options}
    data = {"spec_version": 2, "semantics": semantics, "dims": dims, "preset": preset}
    spec = load_spec(data)
    assert [layer.heads[0].batch for layer in spec.layers] == [b] * (len(dims) - 1)
    model = build(spec, seed=0)
    assert sum(p.numel() for p in model.parameters()) == spec.parameters
    model.eval()
    x = torch.randn(b, dims[0], generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        y = model(x)
    assert y.shape == (b, spec.layers[-1].output_dim) == (b, dims[-1])
    assert torch.isfinite(y).all()


def _layer_config(**params: Any) -> dict[str, Any]:
    return {
        "layer_class": "tinybig.layer.graph_bilinear_interdependence_layer",
        "layer_parameters": {"m": 4, "n": 2, "nodes": NODES, "links": LINKS, **params},
    }


def test_tinybigs_shared_heads_and_score_options_convert() -> None:
    data, _ = from_tinybig(_layer_config(width=2, with_dropout=False))
    assert data is not None
    spec = load_spec(data)
    [layer] = spec.layers
    assert (layer.width, layer.share_heads, layer.parameters) == (2, True, 16 + 8)
    model = build(spec, seed=0)
    names = sorted(model.layers[0].state_dict())
    assert names == [f"heads.{i}.{w}" for i in (0, 1) for w in ("w", "w_instance_interdependence")]

    def scores(**params: Any) -> dict[str, Any]:
        data, diags = from_tinybig(_layer_config(**params))
        assert data is not None, diags
        return data["layers"][0]["heads"][0]["instance_interdependence"]["functions"][1]

    assert scores(with_lorr_interdependence=True, r_interdependence=2) == {
        "name": "lowrank_parameterized_bilinear_interdependence",
        "r": 2,
    }
    assert scores(with_dual_lphm_interdependence=True, r_interdependence=1) == {
        "name": "dual_lphm_parameterized_bilinear_interdependence",
        "r": 1,
        "p": 2,  # find_close_factors(4)
        "q": 2,
    }


def test_the_model_defaults_differ_from_the_layers() -> None:
    params = {"dims": [3, 2], "nodes": NODES, "links": LINKS}
    data, _ = from_tinybig({"model_class": "tinybig.model.gat", "model_parameters": params})
    assert data is not None
    graph = data["layers"][0]["heads"][0]["instance_interdependence"]["functions"][0]
    assert graph["normalization"] is True  # gat's default; the layer's is false
    layer, _ = from_tinybig(_layer_config())
    assert layer is not None
    head = layer["layers"][0]["heads"][0]
    assert head["instance_interdependence"]["functions"][0]["normalization"] is False
    assert [p["name"] for p in head["output_process"]] == ["relu", "dropout", "log_softmax"]


@pytest.mark.parametrize(
    ("params", "key", "message"),
    [
        ({"graph_file_path": "g.pkl"}, "graph_file_path", "cannot be converted"),
        ({"nodes": None}, "nodes", "nodes must be a list"),
        ({"with_relu": "yes"}, "with_relu", "must be true or false"),
    ],
)
def test_unconvertible_arguments_are_located(params: dict[str, Any], key: str, message: str):
    data, diags = from_tinybig(_layer_config(**params))
    errors = [d for d in diags if d.severity == "error"]
    assert data is None and errors
    assert errors[0].path == ("layer_parameters", key)
    assert message in errors[0].message


def test_a_spec_with_the_softmax_is_not_a_tinybig_config() -> None:
    with pytest.raises(Exception) as info:
        to_tinybig(load_spec(_spec("tinybig")))
    assert "masked softmax" in str(info.value)


def test_bad_softmax_options_are_located() -> None:
    result = validate_data(_spec(softmax={"mode": "diagonal"}))
    [error] = [d for d in result.diagnostics if d.severity == "error"]
    path = ("layers", 0, "heads", 0, "instance_interdependence", "softmax", "mode")
    assert (error.path, error.code.value, error.found) == (path, "RPN205", "'diagonal'")


def test_convert_from_tinybig_on_the_command_line(tmp_path: Path) -> None:
    config = {"model_class": "tinybig.model.gat", "model_parameters": {"dims": [3, 4, 2]}}
    config["model_parameters"].update(nodes=NODES, links=LINKS)
    source = tmp_path / "gat.json"
    source.write_text(json.dumps(config))
    out = tmp_path / "gat.yaml"
    result = CliRunner().invoke(
        app, ["convert", str(source), "--from", "tinybig", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    spec = load_spec(out)
    assert (spec.parameters, len(spec.layers)) == (3 * 3 + 12 + 4 * 4 + 8, 2)


def test_a_graph_supplied_at_build_time() -> None:
    inline = {"name": "gat", "nodes": NODES, "links": LINKS}
    named = {"name": "gat", "nodes": 5, "structure": "g"}
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(3))
    a = build({"spec_version": 2, "dims": [3, 4, 2], "preset": inline}, seed=0)
    b = build(
        {"spec_version": 2, "dims": [3, 4, 2], "preset": named},
        seed=0,
        structures={"g": {"nodes": NODES, "links": LINKS}},
    )
    with torch.no_grad():
        torch.testing.assert_close(a(x), b(x))


@pytest.mark.parametrize(
    "preset",
    [
        {"name": "gat"},
        {"name": "gat", "with_pagerank": True},  # a dense A: the dense attention
        {"name": "gat", "with_lorr_interdependence": True, "r_interdependence": 2},
        {"name": "gcn"},
    ],
    ids=["gat", "gat_pagerank", "gat_lorr", "gcn"],
)
def test_summary_matmul_flops_equal_a_measured_count(preset: dict[str, Any]) -> None:
    from torch.utils.flop_counter import FlopCounterMode

    from rpnschema.summary import summarize

    data = {"spec_version": 2, "dims": [3, 4, 2], "preset": {**preset, "nodes": NODES}}
    data["preset"]["links"] = LINKS
    spec = load_spec(data)
    model = build(spec, seed=0)
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(0))
    with FlopCounterMode(display=False) as counter:
        model(x)
    figures = summarize(spec)
    assert figures.batch == 5  # the graph's nodes: the default batch
    assert figures.total.flops.matmul == counter.get_total_flops()
    assert figures.memory is not None and figures.memory.buffers > 0  # the graph's A


def test_summary_cli_defaults_to_the_graphs_batch() -> None:
    path = Path(__file__).resolve().parents[2] / "examples" / "architectures" / "gat.yaml"
    result = CliRunner().invoke(app, ["summary", str(path)])
    assert result.exit_code == 0, result.output
    assert "rpn_gat (batch 5, float32)" in result.output
    assert "forward FLOPs at batch 5: 1,085 (matmul 330," in result.output


def test_one_row_per_node_is_checked_at_forward() -> None:
    model = build({"spec_version": 2, "dims": [3, 2], "preset": {"name": "gat", "nodes": NODES}})
    with pytest.raises(ValueError, match=r"relates 5 rows .* the input has 4"):
        model(torch.randn(4, 3))


def test_build_cli_checks_a_graph_model_at_its_node_count() -> None:
    path = Path(__file__).resolve().parents[2] / "examples" / "architectures" / "gat.yaml"
    result = CliRunner().invoke(app, ["build", str(path)])
    assert result.exit_code == 0, result.output
    assert "forward check: output (5, 2), all finite: True" in result.output
    wrong = CliRunner().invoke(app, ["build", str(path), "--batch", "4"])
    assert wrong.exit_code == 2
    assert "--batch 4: the model takes exactly 5 rows" in wrong.output


def test_validate_summary_and_graph_need_no_torch() -> None:
    import subprocess
    import sys

    path = Path(__file__).resolve().parents[2] / "examples" / "architectures" / "gat.yaml"
    code = (
        "import sys\n"
        "import rpnschema\n"
        "from rpnschema.graph import build_graph, to_mermaid\n"
        "from rpnschema.summary import summarize\n"
        f"spec = rpnschema.load_spec({str(path)!r})\n"
        "s = summarize(spec)\n"
        "print(s.batch, s.total.parameters, s.total.flops.matmul)\n"
        "print(to_mermaid(build_graph(spec)).splitlines()[4])\n"
        "assert 'torch' not in sys.modules\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    first, label = run.stdout.splitlines()
    assert first == "5 33 330"
    assert "inst: column softmax of hybrid(graph * parameterized_bilinear)" in label


@pytest.mark.parametrize("name", ["gcn", "gat"])
@pytest.mark.parametrize(
    ("graph", "message"),
    [
        ({"nodes": [0, 1, 2], "links": [[0, 1], [1, 7]]}, "links[1] names node 7"),
        ({"nodes": [0, 1, 1]}, "node id 1 appears twice"),
        ({"nodes": 3}, "nodes is a count only with structure"),
        ({"nodes": 3, "structure": "g", "links": [[0, 1]]}, "links come from the build-time"),
    ],
)
def test_bad_graphs_in_presets_are_located_errors(name: str, graph: dict, message: str) -> None:
    result = validate_data({"spec_version": 2, "dims": [3, 2], "preset": {"name": name, **graph}})
    [error] = [d for d in result.diagnostics if d.severity == "error"]
    assert (error.code.value, error.path) == ("RPN205", ("preset",))
    assert message in error.message


def test_a_preset_that_expands_into_an_invalid_layer_is_an_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rpnschema.interop import _tinybig_presets

    def broken(preset: Any, dims: list[int], m: int, n: int) -> dict[str, Any]:
        return {"m": m, "n": n, "heads": [{"expansion": {"name": "identity_expansion", "d": 2}}]}

    monkeypatch.setattr(_tinybig_presets, "expand_layer", broken)
    result = validate_data({"spec_version": 2, "dims": [3, 2], "preset": "mlp"})
    [error] = [d for d in result.diagnostics if d.severity == "error"]
    assert (error.code.value, error.path) == ("RPN205", ("preset",))
    assert error.message.startswith("preset 'mlp' does not expand into a valid layer 0 (3 -> 2)")


@settings(max_examples=15, deadline=None)
@given(
    b=st.integers(3, 7),
    data=st.data(),
    dims=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    semantics=st.sampled_from(["native", "tinybig"]),
)
def test_a_deep_gat_equals_the_attention_formula_layer_by_layer(b, data, dims, semantics):
    """tinybig.model.gat on random graphs and sizes against the formula, hidden ReLUs (whose
    all-zero rows are where the two masks differ) and the last log-softmax included."""
    pairs = [[i, j] for i in range(b) for j in range(b) if i != j]
    links = data.draw(st.lists(st.sampled_from(pairs), max_size=2 * b, unique_by=tuple))
    params = {"dims": dims, "nodes": list(range(b)), "links": links}
    config = {"model_class": "tinybig.model.gat", "model_parameters": params}
    spec, _ = from_tinybig(config, semantics=semantics)
    assert spec is not None
    model = build(spec, seed=data.draw(st.integers(0, 9)))
    x = torch.randn(b, dims[0], generator=torch.Generator().manual_seed(b))
    h = x
    for k, layer in enumerate(model.layers):
        head = layer.heads[0]
        xi = head.instance_interdependence
        structure = next(p for p in xi.parts if p.A is not None)
        G = structure.A.to_dense()
        m, n = dims[k], dims[k + 1]
        Wb = head.w_instance_interdependence.detach().view(m, m)
        Wr = head.w.detach().view(n, m)
        S = (h @ Wb @ h.t()) * G
        h = _reference(h, G, Wb, Wr, S != 0 if semantics == "tinybig" else G != 0)
        if n != dims[-1]:
            h = torch.relu(h)
        elif m == dims[-2]:
            h = torch.log_softmax(h, dim=-1)
    with torch.no_grad():
        torch.testing.assert_close(model(x), h, rtol=1e-4, atol=1e-5)
