"""The interdependence family is built only when a document uses it (cold start of
``rpnschema validate`` stays as it was without the family)."""

import subprocess
import sys

CODE = """
import sys
from typer.testing import CliRunner
from rpnschema.cli import app
r = CliRunner().invoke(app, ["validate", "examples/iris_perceptron.yaml"])
assert r.exit_code == 0, r.output
print(sorted(m for m in sys.modules if m.startswith("rpnschema.spec.interdependence.")))
r = CliRunner().invoke(app, ["validate", "examples/interdependence/graph.yaml"])
assert r.exit_code == 0, r.output
print("rpnschema.spec.interdependence.catalog" in sys.modules)
"""


def test_validate_loads_the_interdependence_family_only_when_used() -> None:
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.strip().splitlines()[-2:]
    assert first == "['rpnschema.spec.interdependence.base']"
    assert second == "True"


def test_lazy_exports_still_resolve() -> None:
    import rpnschema
    from rpnschema.spec import CATALOG, COMPONENT_TYPES, INTERDEPENDENCE_TYPES

    assert "graph_interdependence" in rpnschema.CATALOG
    assert CATALOG["graph_interdependence"] in INTERDEPENDENCE_TYPES
    assert COMPONENT_TYPES["interdependence"] == INTERDEPENDENCE_TYPES
