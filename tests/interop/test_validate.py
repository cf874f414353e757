"""validate_tinybig: every problem at the tinybig file's own path, line and column."""

from __future__ import annotations

import textwrap

from rpnschema import Code, io
from rpnschema.interop import validate_tinybig

MODEL = "configurations/model_configs/model_parameters/layer_configs/0/layer_parameters"
HEAD = f"{MODEL}/head_configs/0/head_parameters"

TEXT = textwrap.dedent(
    """\
    configurations:
      random_seed: 7
      model_configs:
        model_class: tinybig.model.rpn
        model_parameters:
          layer_configs:
            - layer_class: tinybig.module.rpn_layer
              layer_parameters:
                m: 4
                n: 6
                width: 3
                width_alloc: [1, 1]
                head_configs:
                  - head_class: tinybig.module.rpn_head
                    head_parameters:
                      data_transformation_configs:
                        function_class: tinybig.expansion.taylor_expansion
                        function_parameters:
                          d: 2
                          postprocess_function_configs:
                            - function_class: torch.nn.LayerNorm
                              function_parameters: {normalized_shape: 21}
                      parameter_fabrication_configs:
                        function_class: tinybig.reconciliation.lphm_reconciliation
                        function_parameters: {p: 4, q: 3, r: 1}
                      remainder_configs:
                        function_class: tinybig.remainder.linear_remainder
                  - head_class: tinybig.module.rpn_head
                    head_parameters:
                      data_transformation_configs:
                        function_class: tinybig.expansion.chebyshev_expansion
                        function_parameters: {d: 2}
                      parameter_fabrication_configs:
                        function_class: tinybig.reconciliation.identity_reconciliation
                      remainder_configs:
                        function_class: tinybig.remainder.zero_remainder
    """
)


def _check(text: str, **kw):
    return validate_tinybig(io.parse(text, file="cfg.yaml"), **kw)


def _where(result) -> list[tuple[str, str, str, int | None, int | None]]:
    return [(d.code.value, d.severity, d.pointer, d.line, d.column) for d in result.diagnostics]


def test_problems_are_reported_at_tinybig_paths_and_lines() -> None:
    result = _check(TEXT)
    assert not result.ok and result.spec is None
    assert _where(result) == [
        ("RPN502", "notice", MODEL, 8, 11),
        ("RPN300", "error", f"{MODEL}/width", 11, 20),
        (
            "RPN404",
            "error",
            f"{HEAD}/data_transformation_configs/function_parameters/postprocess_function_configs"
            "/0/function_parameters/normalized_shape",
            22,
            67,
        ),
        ("RPN402", "error", f"{HEAD}/parameter_fabrication_configs/function_parameters/p", 25, 46),
        ("RPN402", "error", f"{HEAD}/parameter_fabrication_configs/function_parameters/q", 25, 52),
    ]  # linear_remainder has weights: tinybig's code defaults to require_parameters=True
    assert all(d.file == "cfg.yaml" for d in result.diagnostics)
    by_code = {d.code: d for d in reversed(result.diagnostics)}  # the first of each code
    assert by_code[Code.PROCESSING_SIZE].expected == "20"
    assert by_code[Code.DIVISIBILITY].message == "p (=4) must divide n (=6)"


def test_a_fixed_config_validates_and_gives_the_normalized_spec() -> None:
    fixed = (
        TEXT.replace("width: 3", "width: 2")
        .replace("normalized_shape: 21", "normalized_shape: 20")
        .replace("p: 4, q: 3", "p: 3, q: 4")
        .replace(
            "function_class: tinybig.remainder.linear_remainder\n",
            "function_class: tinybig.remainder.linear_remainder\n"
            + " " * 20
            + "function_parameters: {require_parameters: true}\n",
        )
    )
    result = _check(fixed)
    assert result.ok, [str(d) for d in result.diagnostics]
    assert [d.code for d in result.diagnostics] == [Code.CONVERTED]
    spec = result.spec
    assert spec is not None and spec.seed == 7 and spec.semantics == "tinybig"
    assert spec.layers[0].head_fusion.to_data() == {"name": "mean_fusion", "dims": [6, 6]}
    # l = p q + r (n/p + D/q) = 12 + 7, remainder 24, chebyshev head 6*8
    assert spec.parameters == 19 + 24 + 48


def test_multi_head_layer_without_fusion_is_a_notice_only() -> None:
    text = TEXT.replace("                width: 3\n", "").replace(
        "width_alloc: [1, 1]", "width_alloc: [1, 2]"
    )
    text = text.replace("normalized_shape: 21", "normalized_shape: 20").replace("p: 4", "p: 3")
    text = text.replace("q: 3, r: 1", "q: 4, r: 1").replace(
        "tinybig.remainder.linear_remainder", "tinybig.remainder.zero_remainder"
    )
    result = _check(text)
    assert result.ok
    assert _where(result) == [
        ("RPN502", "notice", MODEL, 8, 11),
    ]


def test_width_alloc_contradiction_alone() -> None:
    text = textwrap.dedent(
        """\
        layer_class: tinybig.module.rpn_layer
        layer_parameters:
          m: 2
          n: 2
          width: 3
          width_alloc: [1, 1]
          head_configs:
            - head_class: tinybig.module.rpn_head
              head_parameters:
                data_transformation_configs:
                  function_class: tinybig.expansion.identity_expansion
                parameter_fabrication_configs:
                  function_class: tinybig.reconciliation.identity_reconciliation
            - head_class: tinybig.module.rpn_head
              head_parameters:
                data_transformation_configs:
                  function_class: tinybig.expansion.identity_expansion
                parameter_fabrication_configs:
                  function_class: tinybig.reconciliation.identity_reconciliation
          head_fusion_configs:
            function_class: tinybig.fusion.metric_fusion.mean_fusion
            function_parameters: {dims: [2, 2]}
        """
    )
    result = _check(text)
    errors = [(d.code.value, d.pointer, d.line) for d in result.errors]
    assert errors == [("RPN300", "layer_parameters/width", 5)]
    assert result.errors[0].suggestion == "set width: 2, or change width_alloc to sum to 3"


def test_structural_errors_skip_the_dimension_checks() -> None:
    text = TEXT.replace("tinybig.expansion.taylor_expansion", "tinybig.expansion.taylor_expnsion")
    result = _check(text)
    # the conversion's own checks still run; the native dimension checks do not
    assert [(d.code, d.line) for d in result.errors] == [(Code.UNKNOWN_FUNCTION, 17)]
    assert result.errors[0].suggestion == "did you mean 'tinybig.expansion.taylor_expansion'?"


def test_duplicate_keys_and_unknown_keys_point_at_the_key() -> None:
    text = textwrap.dedent(
        """\
        head_class: tinybig.module.rpn_head
        head_parameters:
          m: 3
          n: 3
          chanel_num: 2
          data_transformation_configs:
            function_class: tinybig.expansion.identity_expansion
          parameter_fabrication_configs:
            function_class: tinybig.reconciliation.identity_reconciliation
          m: 3
        """
    )
    result = _check(text)
    assert not result.ok  # a duplicate key is an error, as for native specs
    assert [(d.code.value, d.line, d.column) for d in result.diagnostics] == [
        ("RPN200", 5, 3),
        ("RPN102", 10, 3),
    ]


def test_native_semantics_notice_and_limits() -> None:
    from rpnschema import Limits

    result = _check(TEXT.replace("width: 3", "width: 2"), semantics="native")
    assert any(d.code == Code.SEMANTICS and d.severity == "notice" for d in result.diagnostics)
    small = _check(
        textwrap.dedent(
            """\
            head_class: tinybig.module.rpn_head
            head_parameters:
              m: 30
              n: 3
              data_transformation_configs:
                function_class: tinybig.expansion.taylor_expansion
                function_parameters: {d: 3}
              parameter_fabrication_configs:
                function_class: tinybig.reconciliation.identity_reconciliation
              remainder_configs:
                function_class: tinybig.remainder.zero_remainder
            """
        ),
        limits=Limits(max_dim=1000),
    )
    assert [(d.code, d.pointer, d.line) for d in small.errors] == [
        (Code.BUDGET, "head_parameters/data_transformation_configs", 5)
    ]
