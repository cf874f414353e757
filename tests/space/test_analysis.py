"""Static analysis: exact counts agree with judging each candidate on its own; sampling is
reproducible and returns distinct accepted candidates."""

from __future__ import annotations

from collections import Counter

from rpnschema.space import load_space
from rpnschema.space.candidates import key, materialize
from rpnschema.validate import validate_data

from .conftest import EXAMPLE, small_space


def test_exhaustive_counts_match_validating_each_candidate(small) -> None:
    space = load_space(small)
    analysis = space.analyze()
    assert analysis.exhaustive and analysis.checked == analysis.size == 12
    invalid = over = accepted = 0
    for assignment in space.dimensions.enumerate():
        result = validate_data(materialize(space.base, assignment))
        if not result.ok:
            invalid += 1
        elif result.spec.parameters > 150:
            over += 1
        else:
            accepted += 1
    assert (analysis.invalid, analysis.over_budget, analysis.accepted) == (invalid, over, accepted)
    # hm p=4 divides n=4 and n=8 but not 6; identity on n=8 has 8*14 + 2*8 = 128 parameters
    assert analysis.reasons == Counter({"RPN402": 1, "RPN408 max_parameters": over})
    assert (analysis.invalid, analysis.over_budget) == (1, 1)
    assert analysis.pruned == invalid + over


def test_budget_kinds_are_each_counted() -> None:
    space = load_space(small_space(max_flops=200, max_memory=400))
    analysis = space.analyze()
    reasons = set(analysis.reasons)
    assert {"RPN408 max_flops", "RPN408 max_memory"} <= reasons
    for v in space.grid():
        if v.accepted:
            assert v.flops <= 200 and v.memory <= 400


def test_sampled_analysis_of_a_large_space() -> None:
    space = load_space(EXAMPLE)
    sampled = space.analyze(samples=150, seed=7, exhaustive_limit=100)
    assert not sampled.exhaustive and sampled.checked == 150
    assert sampled.accepted + sampled.invalid + sampled.over_budget == 150
    assert sampled.estimate(sampled.accepted) == sampled.accepted * 462 / 150
    assert 0 < sampled.stderr(sampled.accepted) < 0.05
    assert space.analyze(samples=150, seed=7, exhaustive_limit=100).to_data() == sampled.to_data()


def test_sample_returns_distinct_accepted_candidates_reproducibly(small) -> None:
    space = load_space(small)
    found, draws = space.sample(5, seed=2)
    assert len(found) == 5 and draws >= 5
    assert all(v.accepted for v in found)
    assert len({key(v.assignment) for v in found}) == 5
    again, _ = space.sample(5, seed=2)
    assert [key(v.assignment) for v in again] == [key(v.assignment) for v in found]


def test_sample_stops_when_the_space_is_exhausted(small) -> None:
    space = load_space(small)
    accepted = space.analyze().accepted
    found, _ = space.sample(50, seed=0)
    assert len(found) == accepted < 50
