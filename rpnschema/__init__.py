"""rpnschema: typed, validated, portable specs for Reconciled Polynomial Networks.

Importing this package never imports torch; :func:`build` does, when called.
"""

import importlib
from typing import Any

from rpnschema._version import __version__ as __version__

# ``dump`` is also the name of a submodule: importing that submodule must not replace the
# function, so it is imported here; every other name is imported on first use (below), so that
# ``rpnschema validate`` loads only what validation needs.
from rpnschema.dump import dump as dump
from rpnschema.dump import to_json as to_json
from rpnschema.dump import to_yaml as to_yaml
from rpnschema.errors import Code as Code
from rpnschema.errors import Diagnostic as Diagnostic
from rpnschema.errors import LoadError as LoadError
from rpnschema.errors import MigrationError as MigrationError
from rpnschema.errors import MissingDependencyError as MissingDependencyError
from rpnschema.errors import RpnSchemaError as RpnSchemaError
from rpnschema.errors import SpecError as SpecError
from rpnschema.errors import VersionError as VersionError
from rpnschema.limits import Limits as Limits

#: The public names imported on first use, and the module of each.
_LAZY = {
    "spec_hash": "rpnschema.canonical",
    "diff_specs": "rpnschema.diff",
    "needs_upgrade": "rpnschema.migrate",
    "upgrade_data": "rpnschema.migrate",
    "upgrade_text": "rpnschema.migrate",
    "HeadSpec": "rpnschema.spec",
    "LayerSpec": "rpnschema.spec",
    "ModelSpec": "rpnschema.spec",
    "summarize": "rpnschema.summary",
    "Result": "rpnschema.validate",
    "load_spec": "rpnschema.validate",
    "normalize_spec": "rpnschema.validate",
    "validate_data": "rpnschema.validate",
    "validate_file": "rpnschema.validate",
    "validate_text": "rpnschema.validate",
    # The compiler needs torch; it is imported only when asked for.
    "build": "rpnschema.compile",
    "load_model": "rpnschema.compile",
    "save_model": "rpnschema.compile",
    "load_tinybig_state_dict": "rpnschema.compile",
}


def __getattr__(name: str) -> Any:
    if name == "CATALOG":  # builds the families loaded on demand (compression, interdependence)
        from rpnschema import spec as _spec

        return _spec.CATALOG
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rpnschema' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, "CATALOG"})
