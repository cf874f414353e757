"""scikit-learn for the fitted compressions: imported only when such a module is built."""

from __future__ import annotations

import importlib
from typing import Any

from rpnschema.errors import MissingDependencyError

_import = importlib.import_module  # (tests replace it to simulate a missing scikit-learn)


def sklearn(module: str) -> Any:
    """``sklearn.<module>``; raises :class:`MissingDependencyError` when it is not installed."""
    try:
        return _import(f"sklearn.{module}")
    except ImportError as e:
        raise MissingDependencyError(
            "this compression fits with scikit-learn, which is not installed: "
            "pip install 'rpnschema[sklearn]'"
        ) from e
