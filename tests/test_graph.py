"""`rpnschema graph`: the structure of the emitted Mermaid and dot diagrams."""

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import rpnschema
from rpnschema.cli import app
from rpnschema.graph import build_graph, to_dot, to_mermaid

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*") if p.suffix in (".yaml", ".json"))
runner = CliRunner()


def test_multihead_structure() -> None:
    g = build_graph(rpnschema.load_spec(ROOT / "examples/multihead_fusion.yaml"))
    kinds = [n.kind for n in g.nodes]
    assert kinds.count("head") == 4 and kinds.count("fusion") == 1 and len(g.nodes) == 7
    assert [(e.source, e.target, e.size) for e in g.edges] == [
        ("input", "L0H0", 6),
        ("input", "L0H1", 6),
        ("input", "L0H2", 6),
        ("L0H0", "L0F", 4),
        ("L0H1", "L0F", 4),
        ("L0H2", "L0F", 4),
        ("L0F", "L1H0", 4),
        ("L1H0", "output", 2),
    ]
    labels = {n.id: n.label for n in g.nodes}
    assert labels["L0H0"] == "head 0: taylor D=42, lorr l=92, linear"
    assert labels["L0F"] == "parameterized_concatenation_fusion"


def test_channels_become_nodes_with_their_fusion() -> None:
    g = build_graph(rpnschema.load_spec(ROOT / "examples/multichannel_head.yaml"))
    channels = [n for n in g.nodes if n.kind == "channel"]
    assert len(channels) == 6
    assert sum(1 for e in g.edges if e.target == "L0H0F") == 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_mermaid_and_dot_declare_every_node_and_edge(path: Path) -> None:
    spec = rpnschema.load_spec(path)
    g = build_graph(spec)
    mermaid = to_mermaid(g)
    assert mermaid.startswith("flowchart LR\n")
    assert mermaid.count("  subgraph ") == len(spec.layers) == mermaid.count("  end\n")
    edges = re.findall(r'^  (\w+) -->\|"(\d+)"\| (\w+)$', mermaid, re.M)
    declared = set(re.findall(r"^ +(\w+)[\[({]", mermaid, re.M))
    assert len(edges) == len(g.edges)
    assert declared == {n.id for n in g.nodes} >= {s for s, _, _ in edges} | {t for *_, t in edges}
    dot = to_dot(g)
    assert dot.startswith(f'digraph "{spec.name}" {{') and dot.rstrip().endswith("}")
    assert len(re.findall(r'^  "\w+" -> "\w+" \[label="\d+"\];$', dot, re.M)) == len(g.edges)
    assert dot.count("subgraph cluster_layer") == len(spec.layers)


def test_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(ROOT / "examples/kan_bspline.yaml")
    result = runner.invoke(app, ["graph", path])
    assert result.exit_code == 0 and result.output.startswith("flowchart LR")
    out = tmp_path / "g.dot"
    assert runner.invoke(app, ["graph", path, "-f", "dot", "-o", str(out)]).exit_code == 0
    assert out.read_text().startswith('digraph "kan_bspline"')
    result = runner.invoke(app, ["graph", path, "--set", "dims=[2, 3]"])
    assert result.output.count("-->") == 2
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert runner.invoke(app, ["graph", path, "-f", "svg"]).exit_code == 2
    bad = str(ROOT / "tests/fixtures/invalid/layer_chain.yaml")
    assert runner.invoke(app, ["graph", bad]).exit_code == 1
