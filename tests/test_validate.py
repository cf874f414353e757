"""Validation rules: allocations, inheritance, chaining, sizes, budgets, and the API."""

import sys

import pytest

from rpnschema import Code, Limits, SpecError, load_spec, validate_data, validate_text


def _head(**kw):
    return {"expansion": "taylor_expansion", **kw}


def _model(*layers, **kw):
    return {"layers": list(layers), **kw}


def _errors(result):
    return [(d.code, "/".join(map(str, d.path))) for d in result.errors]


def test_width_with_too_short_width_alloc_is_rejected() -> None:
    r = validate_data(
        _model({"m": 3, "n": 2, "width": 3, "width_alloc": [1, 1], "heads": [_head(), _head()]})
    )
    assert _errors(r) == [(Code.WIDTH_ALLOC, "layers/0/width")]
    assert r.errors[0].message == "width (=3) does not equal sum(width_alloc) (=2)"
    assert r.spec is None


def test_width_alloc_repeats_each_config() -> None:
    spec = load_spec(
        _model(
            {
                "m": 3,
                "n": 2,
                "width_alloc": [2, 1],
                "heads": [_head(), {"expansion": "chebyshev_expansion"}],
            }
        )
    )
    names = [h.expansion.name for h in spec.layers[0].heads]
    assert names == ["taylor_expansion", "taylor_expansion", "chebyshev_expansion"]
    assert spec.layers[0].width == 3
    assert spec.layers[0].width_alloc is None
    assert spec.layers[0].head_fusion.name == "mean_fusion"


def test_single_head_config_repeats_width_times_with_a_notice() -> None:
    r = validate_data(_model({"m": 3, "n": 2, "width": 4, "heads": [_head()]}))
    assert r.ok and len(r.spec.layers[0].heads) == 4
    assert any(d.code is Code.REPEATED and d.severity == "notice" for d in r.diagnostics)


def test_width_alloc_length_must_match_heads() -> None:
    r = validate_data(_model({"m": 3, "n": 2, "width_alloc": [1, 1, 1], "heads": [_head()]}))
    assert _errors(r) == [(Code.WIDTH_ALLOC, "layers/0/width_alloc")]


def test_depth_alloc_expands_layers_and_checks_repeats() -> None:
    spec = load_spec(
        {
            "depth_alloc": [2, 1],
            "layers": [{"m": 3, "n": 3, "heads": [_head()]}, {"n": 1, "heads": [_head()]}],
        }
    )
    assert [(layer.m, layer.n) for layer in spec.layers] == [(3, 3), (3, 3), (3, 1)]
    assert spec.depth == 3 and spec.depth_alloc is None
    bad = validate_data({"depth": 2, "layers": [{"m": 3, "n": 2, "heads": [_head()]}]})
    assert _errors(bad) == [(Code.REPEATED_LAYER, "layers/0")]


def test_depth_must_agree_with_layers() -> None:
    r = validate_data(
        {"depth": 3, "layers": [{"m": 3, "n": 3, "heads": [_head()]}, {"n": 1, "heads": [_head()]}]}
    )
    assert _errors(r) == [(Code.DEPTH_ALLOC, "depth")]
    assert r.errors[0].suggestion == "add depth_alloc: [2, 1]"


def test_m_is_inferred_from_the_previous_layer_and_checked_when_given() -> None:
    spec = load_spec(_model({"m": 4, "n": 8, "heads": [_head()]}, {"n": 2, "heads": [_head()]}))
    assert spec.layers[1].m == 8
    r = validate_data(
        _model({"m": 4, "n": 8, "heads": [_head()]}, {"m": 7, "n": 2, "heads": [_head()]})
    )
    assert _errors(r) == [(Code.LAYER_CHAIN, "layers/1/m")]


def test_concatenation_fusion_output_feeds_the_next_layer() -> None:
    spec = load_spec(
        _model(
            {"m": 3, "n": 2, "width": 3, "heads": [_head()], "head_fusion": "concatenation_fusion"},
            {"n": 1, "heads": [_head()]},
        )
    )
    assert spec.layers[0].output_dim == 6
    assert spec.layers[1].m == 6


def test_head_inherits_m_and_n_and_rejects_mismatch() -> None:
    spec = load_spec(_model({"m": 3, "n": 2, "heads": [_head()]}))
    head = spec.layers[0].heads[0]
    assert (head.m, head.n, head.D, head.l) == (3, 2, 12, 24)
    r = validate_data(_model({"m": 3, "n": 2, "heads": [_head(n=5)]}))
    assert _errors(r) == [(Code.INHERITED_MISMATCH, "layers/0/heads/0/n")]


def test_taylor_784_layer_norm_size() -> None:
    def spec(size):
        post = {"name": "layer_norm", "normalized_shape": size}
        return _model(
            {
                "m": 784,
                "n": 64,
                "heads": [
                    {"expansion": {"name": "taylor_expansion", "d": 2, "postprocess": [post]}}
                ],
            }
        )

    assert validate_data(spec(615440)).ok
    r = validate_data(spec(615441))
    assert _errors(r) == [
        (Code.PROCESSING_SIZE, "layers/0/heads/0/expansion/postprocess/0/normalized_shape")
    ]
    assert r.errors[0].expected == "615440"
    assert "615440" in r.errors[0].message


def test_processing_sizes_are_inferred() -> None:
    spec = load_spec(
        _model(
            {
                "m": 3,
                "n": 2,
                "output_process": ["batch_norm"],
                "heads": [
                    {
                        "expansion": {"name": "taylor_expansion", "postprocess": ["layer_norm"]},
                        "input_process": [{"name": "layer_norm"}],
                    }
                ],
            }
        )
    )
    layer = spec.layers[0]
    assert layer.output_process[0].num_features == 2
    assert layer.heads[0].input_process[0].normalized_shape == 3
    assert layer.heads[0].expansion.postprocess[0].normalized_shape == 12
    # native semantics count the affine parameters: 2*3 + 2*12 + 24 + 2*2
    assert spec.parameters == 6 + 24 + 24 + 4


def test_tinybig_semantics_do_not_count_processing_parameters() -> None:
    data = _model(
        {
            "m": 3,
            "n": 2,
            "heads": [{"expansion": {"name": "taylor_expansion", "postprocess": ["layer_norm"]}}],
        }
    )
    assert load_spec({**data, "semantics": "tinybig"}).parameters == 24
    assert load_spec(data).parameters == 48


def test_hm_p_not_dividing_n_fails_at_the_parameter_path() -> None:
    r = validate_data(
        _model(
            {"m": 3, "n": 4, "heads": [_head(reconciliation={"name": "hm_reconciliation", "p": 3})]}
        )
    )
    assert _errors(r) == [(Code.DIVISIBILITY, "layers/0/heads/0/reconciliation/p")]


def test_auto_factors_are_filled_in() -> None:
    spec = load_spec(
        _model(
            {
                "m": 3,
                "n": 4,
                "heads": [_head(reconciliation={"name": "dual_lphm_reconciliation", "r": 1})],
            }
        )
    )
    rec = spec.layers[0].heads[0].reconciliation
    assert (rec.p, rec.q) == (2, 3)


def test_remainder_rules() -> None:
    ok = load_spec(_model({"m": 3, "n": 2, "heads": [_head(remainder="linear_remainder")]}))
    assert ok.parameters == 24 + 6
    r = validate_data(_model({"m": 3, "n": 2, "heads": [_head(remainder="identity_remainder")]}))
    assert _errors(r) == [(Code.REMAINDER, "layers/0/heads/0/remainder/name")]


def test_channels_default_to_mean_fusion_and_share_one_bias() -> None:
    spec = load_spec(
        _model(
            {
                "m": 3,
                "n": 2,
                "heads": [
                    _head(
                        channels=3,
                        reconciliation={"name": "identity_reconciliation", "enable_bias": True},
                    )
                ],
            }
        )
    )
    head = spec.layers[0].heads[0]
    assert head.channel_fusion.name == "mean_fusion"
    assert head.parameters == 3 * 24 + 2


def test_parameterized_weighted_summation_cannot_fuse_under_tinybig() -> None:
    layer = {
        "m": 3,
        "n": 2,
        "width": 2,
        "heads": [_head()],
        "head_fusion": "parameterized_weighted_summation_fusion",
    }
    assert load_spec(_model(layer)).layers[0].parameters == 2 * 24 + 2
    r = validate_data(_model(layer, semantics="tinybig"))
    assert _errors(r) == [(Code.SEMANTICS, "layers/0/head_fusion/name")]


def test_parameter_budget() -> None:
    data = _model({"m": 784, "n": 64, "heads": [_head()]})
    r = validate_data(data, limits=Limits(max_parameters=1_000_000))
    assert _errors(r) == [(Code.BUDGET, "parameters")]
    assert "39388160" in r.errors[0].message


def test_huge_expansion_is_an_error_naming_D_not_an_allocation() -> None:
    r = validate_data(
        _model({"m": 784, "n": 2, "heads": [{"expansion": {"name": "taylor_expansion", "d": 4}}]})
    )
    assert _errors(r) == [(Code.BUDGET, "layers/0/heads/0/expansion")]
    assert "D=378284504080" in r.errors[0].message


def test_class_path_function_is_rejected_without_importing() -> None:
    before = set(sys.modules)
    r = validate_data(_model({"m": 3, "n": 3, "heads": [{"expansion": "os.system"}]}))
    assert _errors(r) == [(Code.UNKNOWN_FUNCTION, "layers/0/heads/0/expansion/name")]
    assert set(sys.modules) - before == set()


def test_unknown_function_suggests_the_nearest_name() -> None:
    r = validate_data(_model({"m": 3, "n": 3, "heads": [{"expansion": "chebychev_expansion"}]}))
    assert r.errors[0].suggestion == "did you mean 'chebyshev_expansion'?"


def test_dims_shorthand_builds_a_stack() -> None:
    spec = load_spec({"dims": [784, 64, 10], "head": {"expansion": "taylor_expansion"}})
    assert [(layer.m, layer.n) for layer in spec.layers] == [(784, 64), (64, 10)]


def test_presets_expand_to_explicit_components() -> None:
    spec = load_spec(_model({"m": 4, "n": 3, "heads": [{"preset": "kan", "t": 4, "d": 2}]}))
    head = spec.layers[0].heads[0]
    assert head.expansion.name == "bspline_expansion" and head.D == 4 * 6
    assert head.remainder.name == "linear_remainder"
    assert head.remainder.activation[0].name == "silu"


def test_every_problem_is_reported_at_once() -> None:
    r = validate_data(
        _model(
            {
                "m": 3,
                "n": 4,
                "heads": [_head(reconciliation={"name": "hm_reconciliation", "p": 3})],
            },
            {"m": 9, "n": 2, "heads": [_head(remainder="identity_remainder")]},
        )
    )
    assert {code for code, _ in _errors(r)} == {Code.DIVISIBILITY, Code.REMAINDER}


def test_pinned_values_are_checked() -> None:
    r = validate_data(_model({"m": 3, "n": 2, "output_dim": 3, "heads": [_head(D=12)]}))
    assert _errors(r) == [(Code.PINNED_MISMATCH, "layers/0/output_dim")]


def test_unwrap_raises_spec_error_listing_every_problem() -> None:
    with pytest.raises(SpecError) as e:
        load_spec(_model({"m": 3, "n": 4, "heads": [_head(channels=0)]}))
    assert "layers/0/heads/0/channels" in str(e.value)


@pytest.mark.parametrize("garbage", [None, 3, "text", [], [1, 2], {"layers": "x"}, {"layers": [3]}])
def test_garbage_gives_structured_errors(garbage) -> None:
    r = validate_data(garbage)
    assert r.errors and all(d.code and d.message for d in r.errors)


def test_positions_point_into_the_file() -> None:
    text = (
        "layers:\n  - m: 3\n    n: 4\n    heads:\n      - expansion: taylor_expansion\n"
        "        reconciliation: {name: hm_reconciliation, p: 3}\n"
    )
    r = validate_text(text, file="spec.yaml")
    (d,) = r.errors
    assert (d.file, d.line, d.column) == ("spec.yaml", 6, 54)  # the value 3


def test_bias_without_parameters_counts_only_under_native() -> None:
    head = _head(reconciliation={"name": "constant_reconciliation", "enable_bias": True})
    assert load_spec(_model({"m": 3, "n": 2, "heads": [head]})).parameters == 2
    tinybig = _model({"m": 3, "n": 2, "heads": [head]}, semantics="tinybig")
    assert load_spec(tinybig).parameters == 0  # tinybig creates b only when l > 0


def test_a_newer_spec_version_is_explained() -> None:
    text = "spec_version: 3\nlayers: [{m: 3, n: 2, heads: [{expansion: taylor_expansion}]}]\n"
    (d,) = validate_text(text, file="s.yaml").errors
    assert (d.code, d.pointer, d.line, d.column) == (Code.SPEC_VERSION, "spec_version", 1, 15)
    assert d.message == (
        "spec_version 3 is newer than this rpnschema understands (it reads spec_version 2); "
        "upgrade rpnschema"
    )
    assert (d.expected, d.found) == ("spec_version 2 or lower", "3")
    assert d.suggestion == "install a newer rpnschema (one that reads spec_version 3)"
