"""Error wording a new user meets in the first hour (#16): each message names what it is about
in the user's terms, reports every independent problem at once and shows no Python reprs."""

from __future__ import annotations

from pathlib import Path

import pytest

import rpnschema
from rpnschema import Code, plugins
from rpnschema.validate import validate_data

ROOT = Path(__file__).resolve().parents[1]


def _head_spec(**head: object) -> dict[str, object]:
    return {"layers": [{"m": 4, "n": 6, "heads": [{"expansion": "taylor_expansion", **head}]}]}


def test_notice_names_the_layer_of_its_path_with_depth_alloc() -> None:
    result = rpnschema.validate_file(ROOT / "examples/repeated_layers.json")
    (notice,) = result.diagnostics
    assert notice.path == ("layers", 1, "m")
    assert notice.message == "m inferred as 2 from the output of layer 0"


def test_chain_error_names_config_layers_with_depth_alloc() -> None:
    data = {
        "depth_alloc": [2, 1],
        "layers": [
            {"m": 2, "n": 2, "heads": [{"expansion": "identity_expansion"}]},
            {"m": 3, "n": 1, "heads": [{"expansion": "identity_expansion"}]},
        ],
    }
    (d,) = validate_data(data).errors
    assert d.path == ("layers", 1, "m")
    assert d.message == "layer 1 takes m=3 inputs but layer 0 outputs 2"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"dims": [2, 0, 1], "head": {"expansion": "identity_expansion"}},
            "dims[1] must be >= 1, found 0",
        ),
        (
            {"dims": [2, 1.5], "head": {"expansion": "identity_expansion"}},
            "dims[1] must be an integer, found a number 1.5",
        ),
    ],
)
def test_list_items_are_named_by_their_list(data: dict[str, object], message: str) -> None:
    (d,) = validate_data(data).errors
    assert d.message == message


def test_hm_reports_p_and_q_at_once() -> None:
    data = _head_spec(reconciliation={"name": "hm_reconciliation", "p": 4, "q": 7})
    errors = validate_data(data).errors
    assert [(d.code, d.path[-1]) for d in errors] == [
        (Code.DIVISIBILITY, "p"),
        (Code.DIVISIBILITY, "q"),
    ]
    assert errors[0].expected == "a divisor of 6: 1, 2, 3, 6"


def test_a_long_divisor_list_is_text_not_a_python_list() -> None:
    data = _head_spec(reconciliation={"name": "hm_reconciliation", "p": 3})
    data["layers"][0]["n"] = 6272  # type: ignore[index]
    (d, *_) = validate_data(data).errors
    assert d.expected == "a divisor of 6272: 1, 2, 4, 7, 8, 14, 16, 28, 32, 49, 56, 64, ..."
    assert "[" not in d.expected and "'" not in d.expected


def test_function_in_the_wrong_slot_says_its_family() -> None:
    (d,) = validate_data(_head_spec(reconciliation="relu")).errors
    assert d.message == "'relu' is a processing function; this slot takes reconciliation functions"
    assert (
        d.suggestion
        == "list the reconciliation functions with `rpnschema list --family reconciliation`"
    )


def test_unknown_function_without_a_near_name_says_how_to_list() -> None:
    (d,) = validate_data(_head_spec(remainder="zzz")).errors
    assert d.suggestion == "list the remainder functions with `rpnschema list --family remainder`"


def test_unknown_function_names_the_installed_plugin_that_provides_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = _head_spec(reconciliation="block_diagonal_reconciliation")
    monkeypatch.setattr(plugins, "provider_of", lambda name: "example")
    (d,) = validate_data(data).errors
    assert d.suggestion == (
        "'block_diagonal_reconciliation' is provided by the installed plugin 'example', which "
        "is not loaded: run `rpnschema --plugin example ...`"
    )
    monkeypatch.setattr(plugins, "provider_of", lambda name: None)
    (d,) = validate_data(data).errors
    assert d.suggestion == "did you mean 'duplicated_diagonal_padding_reconciliation'?"


def test_provider_of_reads_entry_point_metadata() -> None:
    pytest.importorskip("rpnschema_example_plugin")
    assert plugins.provider_of("signed_power_expansion") == "example"
    assert plugins.provider_of("taylor_expansion") is None


def test_native_semantics_summary_counts_what_it_lists() -> None:
    from rpnschema.interop._tinybig_semantics import native_changes

    head = {
        "expansion": {"name": "taylor_expansion", "postprocess": [{"name": "layer_norm"}]},
        "reconciliation": {"name": "dual_lphm_reconciliation", "p": 1, "q": 1},
    }
    spec = {"layers": [{"m": 2, "n": 1, "heads": [head, head, head]}]}
    summary = native_changes(spec)[0].message
    assert summary.startswith(
        "semantics: native changes the outputs of 2 functions (6 places in the model): "
        "layer_norm, dual_lphm_reconciliation;"
    )


@pytest.mark.parametrize(
    ("alloc", "message"),
    [
        ([1], "width_alloc has 1 entry for 2 head configs"),
        ([1, 1, 1], "width_alloc has 3 entries for 2 head configs"),
    ],
)
def test_counts_agree_with_their_nouns(alloc: list[int], message: str) -> None:
    head = {"expansion": "identity_expansion"}
    data = {"layers": [{"m": 2, "n": 2, "width_alloc": alloc, "heads": [head, head]}]}
    (d,) = validate_data(data).errors
    assert d.message == message


def test_a_single_head_mapping_is_the_documented_shorthand_in_models_and_schema() -> None:
    import jsonschema

    from rpnschema import schema

    one = {"expansion": "taylor_expansion"}
    single = {"layers": [{"m": 2, "n": 1, "heads": one}]}
    listed = {"layers": [{"m": 2, "n": 1, "heads": [one]}]}
    assert rpnschema.load_spec(single) == rpnschema.load_spec(listed)
    validator = jsonschema.Draft202012Validator(schema.model_schema())
    assert not list(validator.iter_errors(single)) and not list(validator.iter_errors(listed))
    docs = (ROOT / "docs/writing-specs.md").read_text()
    assert "a layer with one head may give it as a\nsingle mapping" in docs


def test_mnist_taylor_comment_says_what_the_spec_does() -> None:
    text = (ROOT / "examples/mnist_taylor.yaml").read_text()
    spec = rpnschema.load_spec(ROOT / "examples/mnist_taylor.yaml")
    head = spec.layers[0].heads[0]  # type: ignore[index]
    (norm,) = head.expansion.postprocess
    assert "normalized_shape: 615440" in text and norm.normalized_shape == head.D == 615440
    assert "layer_norm whose size is pinned" in text
    assert "whose size is inferred" not in text
