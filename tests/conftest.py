"""Shared test configuration: hypothesis settings profiles.

``ci`` (derandomized, so CI runs are reproducible) is loaded when the ``CI`` environment
variable is set, ``dev`` otherwise; ``HYPOTHESIS_PROFILE`` picks one explicitly.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)
