"""The inspection and authoring commands and APIs never import torch."""

import subprocess
import sys

CODE = """
import sys, tempfile, os
from typer.testing import CliRunner
import rpnschema
from rpnschema.cli import app
from rpnschema.builder import head, stack, sweep
runner = CliRunner()
out = os.path.join(tempfile.mkdtemp(), "new.yaml")
for args in (
    ["summary", "examples/mnist_taylor.yaml", "--set", "layers.1.n=5"],
    ["hash", "examples/kan_bspline.yaml"],
    ["diff", "examples/kan_bspline.yaml", "examples/kan_bspline.yaml"],
    ["list", "--family", "fusion"],
    ["new", "multi-head", "--out", out],
    ["graph", "examples/multihead_fusion.yaml", "-f", "dot"],
    ["resolve", "examples/iris_perceptron.yaml", "--set", "seed=1"],
    ["upgrade", "tests/fixtures/legacy/v0_taylor.yaml"],
):
    r = runner.invoke(app, args)
    assert r.exit_code == 0, (args, r.output)
sweep(stack([3, 2], head("taylor_expansion")), "layers.0.heads.0.expansion.d", [1, 2])
rpnschema.summarize(rpnschema.load_spec("examples/dual_lphm_mnist.yaml"))
rpnschema.upgrade_data(rpnschema.io.parse(open("tests/fixtures/legacy/v0_dims.json").read()).data)
print(sorted(m for m in sys.modules if m == "torch" or m.startswith("torch.")))
"""


def test_inspection_commands_never_import_torch() -> None:
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
