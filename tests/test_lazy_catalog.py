"""Validation builds only the catalog classes a document names (rpnschema.spec.registry)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CODE = """
import rpnschema
from rpnschema.spec import expansion as ex, reconciliation as rc
before = ex.TaylorExpansion.__pydantic_complete__
result = rpnschema.validate_data({
    "dims": [4, 3],
    "head": {"expansion": {"name": "taylor_expansion", "d": 2},
             "reconciliation": "lorr_reconciliation"},
})
assert result.ok, result.diagnostics
print(before, ex.TaylorExpansion.__pydantic_complete__, rc.LorrReconciliation.__pydantic_complete__,
      ex.BesselExpansion.__pydantic_complete__, rc.DualLPHMReconciliation.__pydantic_complete__)
bad = rpnschema.validate_data({"dims": [4, 3], "head": {"expansion": "taylor_expanson"}})
print([d.suggestion for d in bad.errors])
"""


def test_only_the_named_members_are_built() -> None:
    run = subprocess.run(
        [sys.executable, "-c", CODE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    built, suggestions = run.stdout.splitlines()
    # before validation nothing is built; then exactly the named members
    assert built == "False True True False False"
    # an unknown name is reported against the whole family, as before
    assert suggestions == "[\"did you mean 'taylor_expansion'?\"]"
