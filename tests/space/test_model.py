"""The space format: compact forms, sizes, enumeration and draws."""

from __future__ import annotations

import random

import pytest

from rpnschema.space import load_space
from rpnschema.space.candidates import key, split_path
from rpnschema.space.model import Choice, FloatRange, IntRange, SpaceSpec, Tie, Values

from .conftest import BASE, small_space


def _dims(dimensions: dict) -> dict:
    return SpaceSpec.model_validate({"base": BASE, "dimensions": dimensions}).dimensions


@pytest.mark.parametrize(
    ("written", "kind", "size"),
    [
        ([1, 2, 3], Values, 3),
        (7, Values, 1),
        ("int[3..8]", IntRange, 6),
        ("int[0..100:step=10]", IntRange, 11),
        ({"int": [8, 64], "log": True}, IntRange, 57),
        ("float[0.5..2]", FloatRange, None),
        ("float[1e-3..1e-1:log]", FloatRange, None),
        ({"float": [2, 2]}, FloatRange, 1),
        ({"tie": "layers/0/n"}, Tie, 1),
        ({"choice": {"taylor_expansion": {"d": [1, 2]}, "identity_expansion": None}}, Choice, 3),
    ],
)
def test_forms_and_sizes(written, kind, size) -> None:
    dim = _dims({"x": written})["x"]
    assert isinstance(dim, kind)
    assert dim.size == size


def test_range_strings_parse_their_options() -> None:
    d = _dims({"a": "int[8..64:log]", "b": "int[0..100:step=10]", "c": "float[1e-3..1e-1:log]"})
    assert (d["a"].low, d["a"].high, d["a"].log) == (8, 64, True)
    assert (d["b"].step, d["b"].at(3)) == (10, 30)
    assert d["c"].float_ == [0.001, 0.1] and d["c"].log


def test_a_string_that_is_no_range_is_a_fixed_value() -> None:
    assert _dims({"x": "int[a..b]"})["x"].values == ["int[a..b]"]


def test_split_path() -> None:
    assert split_path("layers/0/heads/10/expansion") == ("layers", 0, "heads", 10, "expansion")


def test_enumeration_covers_every_candidate_once(small) -> None:
    space = load_space(small)
    assert space.size == 12
    seen = [key(a) for a in space.dimensions.enumerate()]
    assert len(set(seen)) == 12
    assert {a["layers/0/n"] for a in space.dimensions.enumerate()} == {4, 6, 8}
    recs = {key(a["layers/0/heads/0/reconciliation"]) for a in space.dimensions.enumerate()}
    assert recs == {
        key("identity_reconciliation"),
        key({"name": "lorr_reconciliation", "r": 1}),
        key({"name": "lorr_reconciliation", "r": 2}),
        key({"name": "hm_reconciliation", "p": 4}),
    }


def test_draws_of_a_finite_space_are_candidates_and_reproducible(small) -> None:
    space = load_space(small)
    every = {key(a) for a in space.dimensions.enumerate()}
    first = [key(space.dimensions.draw(random.Random(3))) for _ in range(5)]
    again = [key(space.dimensions.draw(random.Random(3))) for _ in range(5)]
    assert first == again
    rng = random.Random(0)
    drawn = {key(space.dimensions.draw(rng)) for _ in range(400)}
    assert drawn == every  # uniform over 12: all seen in 400 draws


def test_continuous_spaces_draw_within_their_ranges() -> None:
    data = small_space()
    data["dimensions"]["layers/0/heads/0/expansion"] = {
        "choice": {"bspline_expansion": {"grid_range": [[-1.0, 1.0]], "t": "int[3..9:log]"}}
    }
    data["dimensions"]["seed"] = "int[0..1000]"
    space = load_space(data)
    assert space.size == 12 * 7 * 1001
    rng = random.Random(1)
    for _ in range(50):
        a = space.dimensions.draw(rng)
        assert 3 <= a["layers/0/heads/0/expansion"]["t"] <= 9


def test_ties_copy_the_value_drawn_for_their_target() -> None:
    data = small_space()
    data["dimensions"]["layers/1/heads/0/reconciliation"] = {
        "tie": "layers/0/heads/0/reconciliation"
    }
    space = load_space(data)
    assert space.size == 12
    for a in space.dimensions.enumerate():
        assert a["layers/1/heads/0/reconciliation"] == a["layers/0/heads/0/reconciliation"]
