"""Shared test configuration: hypothesis settings profiles, and a guard against plugin leaks.

``ci`` (derandomized, so CI runs are reproducible) is loaded when the ``CI`` environment
variable is set, ``dev`` otherwise; ``HYPOTHESIS_PROFILE`` picks one explicitly.
"""

import os

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(autouse=True, scope="module")
def _no_plugin_leaks():
    """Plugin registration is process-wide: every test module must leave none registered."""
    yield
    from rpnschema import plugins

    leaked = plugins.registered_names()
    for name in leaked:
        plugins.unregister(name)
    assert not leaked, f"plugin components left registered: {leaked}"
