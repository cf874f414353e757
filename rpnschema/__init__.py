"""rpnschema: typed, validated, portable specs for Reconciled Polynomial Networks.

Importing this package never imports torch; :func:`build` does, when called.
"""

from typing import Any

from rpnschema._version import __version__ as __version__
from rpnschema.canonical import spec_hash as spec_hash
from rpnschema.diff import diff_specs as diff_specs
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
from rpnschema.migrate import needs_upgrade as needs_upgrade
from rpnschema.migrate import upgrade_data as upgrade_data
from rpnschema.migrate import upgrade_text as upgrade_text
from rpnschema.spec import HeadSpec as HeadSpec
from rpnschema.spec import LayerSpec as LayerSpec
from rpnschema.spec import ModelSpec as ModelSpec
from rpnschema.summary import summarize as summarize
from rpnschema.validate import Result as Result
from rpnschema.validate import load_spec as load_spec
from rpnschema.validate import normalize_spec as normalize_spec
from rpnschema.validate import validate_data as validate_data
from rpnschema.validate import validate_file as validate_file
from rpnschema.validate import validate_text as validate_text


def __getattr__(name: str) -> Any:
    if name == "CATALOG":  # builds the families loaded on demand (compression, interdependence)
        from rpnschema import spec as _spec

        return _spec.CATALOG
    # The compiler needs torch; import it only when asked for.
    if name in ("build", "load_model", "save_model", "load_tinybig_state_dict"):
        from rpnschema import compile as _compile

        return getattr(_compile, name)
    raise AttributeError(f"module 'rpnschema' has no attribute {name!r}")
