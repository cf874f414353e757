"""rpnschema.testing.from_space: hypothesis strategies built from a space."""

from __future__ import annotations

from hypothesis import given, settings

from rpnschema.space import load_space
from rpnschema.testing import from_space

from .conftest import small_space

SPACE = load_space(small_space(max_parameters=150))


@settings(max_examples=25, deadline=None)
@given(from_space(SPACE))
def test_accepted_candidates_are_normalized_specs_within_budget(spec) -> None:
    assert spec.parameters <= 150
    assert spec.layers[0].n in (4, 6, 8)


@settings(max_examples=25, deadline=None)
@given(from_space(SPACE, accepted=False))
def test_every_candidate_has_a_verdict(verdict) -> None:
    if verdict.accepted:
        assert not verdict.reasons
    else:
        assert verdict.reasons and verdict.reason_text()
