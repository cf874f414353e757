"""The plugin API: registration, rules, diagnostics, schema, build, check_plugin, discovery."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Literal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ConfigDict, Field

from rpnschema import plugins, schema
from rpnschema.errors import Code
from rpnschema.plugins import PluginError, RuleError
from rpnschema.spec import registry
from rpnschema.testing import garbage
from rpnschema.validate import validate_data, validate_text


class TripleExpansion(plugins.Expansion):
    """[x, 2x, 3x] scaled by k: D = 3 m."""

    name: Literal["triple_expansion"]
    k: float = Field(default=1.0, gt=0)


class PairedReconciliation(plugins.Reconciliation):
    """W from l = n D / 2 values, each used twice (D must be even)."""

    name: Literal["paired_reconciliation"]


class ScaledRemainder(plugins.Remainder):
    """pi(x) = s x, one learnable scale; m == n."""

    name: Literal["scaled_remainder"]


class FirstFusion(plugins.Fusion):
    """The first input."""

    name: Literal["first_fusion"]


def _triple_module(spec, info):
    import torch
    from torch import nn

    class Triple(nn.Module):
        def forward(self, x):
            return spec.k * torch.cat([x, 2 * x, 3 * x], dim=1)

    return Triple()


def _paired_l(spec, n, D):
    if D % 2:
        raise RuleError(
            f"D (={D}) must be even", expected="an even D", found=str(D), suggestion="use an even D"
        )
    return n * D // 2


def _paired_module(spec, info):
    from torch import nn

    class Paired(nn.Module):
        def forward(self, w):
            return w.view(info.n, info.D // 2).repeat_interleave(2, dim=1)

    return Paired()


def _scaled_module(spec, info):
    import torch
    from torch import nn

    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.s = nn.Parameter(torch.ones(()))

        def forward(self, x):
            return self.s * x

    return Scaled()


def _first_module(spec, info):
    from torch import nn

    class First(nn.Module):
        def forward(self, xs, w):
            return xs[0]

    return First()


def _same(spec, m, n):
    if m != n:
        raise RuleError(f"m (={m}) != n (={n})", expected=f"m = {n}", found=f"m = {m}")


TRIPLE = plugins.ExpansionPlugin(TripleExpansion, _triple_module, D=lambda s, m: 3 * m)
PAIRED = plugins.ReconciliationPlugin(PairedReconciliation, _paired_module, l=_paired_l)
SCALED = plugins.RemainderPlugin(
    ScaledRemainder, _scaled_module, check=_same, parameters=lambda s, m, n: 1
)
FIRST = plugins.FusionPlugin(FirstFusion, _first_module, n=lambda s, dims: dims[0])
PLUGIN = plugins.Plugin("test", [TRIPLE, PAIRED, SCALED, FIRST])


@pytest.fixture
def test_plugin():
    with plugins.registered(PLUGIN):
        yield PLUGIN


def _model(head: dict, m: int = 3, n: int = 3, **layer) -> dict:
    return {"layers": [{"m": m, "n": n, "heads": [head], **layer}]}


# --- registration ---------------------------------------------------------------------------


def test_registered_components_validate_and_infer_dims(test_plugin):
    head = {
        "expansion": {"name": "triple_expansion", "k": 2.0},
        "reconciliation": "paired_reconciliation",
        "remainder": "scaled_remainder",
        "channels": 2,
        "channel_fusion": "first_fusion",
    }
    result = validate_data(_model(head, m=2, n=2))
    assert result.ok, result.diagnostics
    h = result.spec.layers[0].heads[0]
    assert (h.D, h.l, h.output_dim) == (6, 6, 2)
    assert h.parameters == 2 * 6 + 1  # two channels of l = 6, plus the remainder's scale
    assert result.spec.parameters == 13


def test_unregister_restores_the_builtin_catalog_and_schema():
    before = schema.render()
    with plugins.registered(PLUGIN):
        assert "triple_expansion" in registry.catalog()
        assert "triple_expansion" in schema.render()
    assert "triple_expansion" not in registry.catalog()
    assert schema.render() == before
    result = validate_data(_model({"expansion": "triple_expansion"}))
    assert [d.code for d in result.diagnostics] == [Code.UNKNOWN_FUNCTION]


def test_schema_lists_plugin_components_with_their_parameters(test_plugin):
    doc = schema.model_schema()
    names = doc["$defs"][schema.family_title("expansion")]["anyOf"][0]["enum"]
    assert "triple_expansion" in names and "taylor_expansion" in names
    triple = doc["$defs"]["TripleExpansion"]
    assert triple["properties"]["k"] == {
        "default": 1.0,
        "exclusiveMinimum": 0,
        "title": "K",
        "type": "number",
    }
    assert "first_fusion" in doc["$defs"]["Fusion"]["anyOf"][0]["enum"]


def test_plugin_parameters_are_validated_with_located_errors(test_plugin):
    text = (
        "layers:\n  - m: 3\n    n: 2\n    heads:\n"
        "      - expansion: {name: triple_expansion, k: -1}\n"
    )
    result = validate_text(text, file="s.yaml")
    [d] = result.diagnostics
    assert d.code is Code.OUT_OF_BOUNDS
    assert d.path == ("layers", 0, "heads", 0, "expansion", "k")
    assert (d.line, d.column) == (5, 48)
    unknown = validate_data(_model({"expansion": {"name": "triple_expansion", "kk": 1}}))
    [u] = unknown.diagnostics
    assert u.code is Code.UNKNOWN_KEY and u.suggestion == "did you mean 'k'?"


def test_unknown_names_suggest_plugin_components(test_plugin):
    result = validate_data(_model({"expansion": "tripel_expansion"}))
    [d] = result.diagnostics
    assert d.code is Code.UNKNOWN_FUNCTION
    assert d.suggestion == "did you mean 'triple_expansion'?"


def test_rule_error_is_a_located_diagnostic_with_the_family_code(test_plugin):
    head = {"expansion": "identity_expansion", "reconciliation": "paired_reconciliation"}
    result = validate_data(_model(head, m=3, n=2))
    [d] = [d for d in result.diagnostics if d.severity == "error"]
    assert d.code is Code.DIVISIBILITY
    assert d.path == ("layers", 0, "heads", 0, "reconciliation")
    assert (d.message, d.expected, d.found) == ("D (=3) must be even", "an even D", "3")
    rem = validate_data(
        _model({"expansion": "identity_expansion", "remainder": "scaled_remainder"}, m=3, n=2)
    )
    assert [d.code for d in rem.diagnostics if d.severity == "error"] == [Code.REMAINDER]


@pytest.mark.parametrize(
    ("rule", "found"),
    [
        (lambda s, m: 1 // 0, "ZeroDivisionError"),
        (lambda s, m: -1, "-1"),
        (lambda s, m: 2.5, "2.5"),
        (lambda s, m: True, "True"),
        (lambda s, m: None, "None"),
    ],
)
def test_broken_rules_become_rpn410_not_tracebacks(rule, found):
    broken = plugins.ExpansionPlugin(TripleExpansion, _triple_module, D=rule)
    with plugins.registered(plugins.Plugin("broken", [broken])):
        result = validate_data(_model({"expansion": "triple_expansion"}))
    [d] = result.diagnostics
    assert d.code is Code.PLUGIN
    assert d.path == ("layers", 0, "heads", 0, "expansion")
    assert "plugin 'broken'" in d.message and d.found == found
    assert d.suggestion == "fix plugin 'broken'" or "report the spec" in d.suggestion


@pytest.mark.parametrize(
    ("component", "message"),
    [
        (
            plugins.ExpansionPlugin(ScaledRemainder, _triple_module, D=lambda s, m: m),
            "must subclass rpnschema.plugins.Expansion",
        ),
        (
            plugins.ExpansionPlugin(plugins.Expansion, _triple_module, D=lambda s, m: m),
            "must declare its name as name: Literal",
        ),
        (
            plugins.ExpansionPlugin(TripleExpansion, 42, D=lambda s, m: m),
            "module must be a factory or 'package.module:attr'",
        ),
        (
            plugins.ExpansionPlugin(TripleExpansion, _triple_module, D="3 * m"),
            "rule D is '3 * m', not a function",
        ),
    ],
)
def test_malformed_components_are_refused_with_reasons(component, message):
    with pytest.raises(PluginError, match="cannot be registered") as info:
        plugins.register(plugins.Plugin("bad", [component]))
    assert message in str(info.value)
    assert "triple_expansion" not in registry.catalog()


def test_names_must_follow_the_catalog_convention_and_be_free():
    class Taylor(plugins.Expansion):
        name: Literal["taylor_expansion"]

    class Oddly(plugins.Expansion):
        name: Literal["Oddly-Named"]

    class Loose(plugins.Expansion):
        model_config = ConfigDict(extra="allow")
        name: Literal["loose_expansion"]

    bad = [
        plugins.ExpansionPlugin(cls, _triple_module, D=lambda s, m: m)
        for cls in (Taylor, Oddly, Loose)
    ]
    with pytest.raises(PluginError) as info:
        plugins.register(plugins.Plugin("bad", [*bad, TRIPLE]))
    text = str(info.value)
    assert "name 'taylor_expansion' is already taken by the built-in catalog" in text
    assert "name 'Oddly-Named' must be lower_snake_case ending in '_expansion'" in text
    assert "Loose must keep the spec config" in text
    assert "triple_expansion" not in registry.catalog()  # all or none


def test_a_name_taken_by_another_plugin_is_refused(test_plugin):
    class Other(plugins.Expansion):
        name: Literal["triple_expansion"]

    clash = plugins.ExpansionPlugin(Other, _triple_module, D=lambda s, m: m)
    with pytest.raises(PluginError, match="already taken by plugin 'test'"):
        plugins.register(plugins.Plugin("other", [clash]))
    assert plugins.register(PLUGIN) == [c.name for c in PLUGIN.components]  # same: a no-op
    changed = plugins.ExpansionPlugin(TripleExpansion, _triple_module, D=lambda s, m: 4 * m)
    with pytest.raises(PluginError, match=r"already registered \(by plugin 'test'\) with other"):
        plugins.register(changed)


# --- build ----------------------------------------------------------------------------------


def test_plugin_components_build_and_compute_their_function(test_plugin):
    torch = pytest.importorskip("torch")
    from rpnschema.compile import build

    head = {
        "expansion": {"name": "triple_expansion", "k": 2.0},
        "reconciliation": "paired_reconciliation",
        "remainder": "scaled_remainder",
    }
    model = build(_model(head, m=2, n=2), dtype="float64", seed=3)
    assert sum(p.numel() for p in model.parameters()) == model.spec.parameters == 7
    h = model.layers[0].heads[0]
    x = torch.randn(5, 2, dtype=torch.float64)
    kappa = 2.0 * torch.cat([x, 2 * x, 3 * x], dim=1)
    W = h.w[0].view(2, 3).repeat_interleave(2, dim=1)
    expected = kappa @ W.T + h.remainder.impl.s * x
    torch.testing.assert_close(model(x), expected)
    model(x).sum().backward()
    assert h.w.grad is not None and torch.isfinite(h.w.grad).all()


def test_plugin_expansions_nest_inside_composite_expansions(test_plugin):
    torch = pytest.importorskip("torch")
    from rpnschema.compile import build

    expansion = {
        "name": "extended_expansion",
        "functions": [
            {"name": "nested_expansion", "functions": ["triple_expansion", "taylor_expansion"]},
            "triple_expansion",
        ],
    }
    model = build(_model({"expansion": expansion}, m=2, n=1), seed=0)
    # nested: triple 2 -> 6, taylor d=2 6 -> 42; extended with triple 2 -> 6: D = 48
    assert model.layers[0].heads[0].D == 48
    assert model(torch.randn(4, 2)).shape == (4, 1)


def test_a_module_that_disagrees_with_its_rule_fails_clearly():
    torch = pytest.importorskip("torch")
    from rpnschema.compile import build
    from rpnschema.compile.plugin import PluginShapeError

    wrong = plugins.ExpansionPlugin(TripleExpansion, _triple_module, D=lambda s, m: 2 * m)
    with plugins.registered(plugins.Plugin("wrong", [wrong])):
        model = build(_model({"expansion": "triple_expansion"}, m=2, n=1))
        with pytest.raises(PluginShapeError, match=r"returned shape \(4, 6\), but its D rule"):
            model(torch.randn(4, 2))


def test_plugin_modules_are_seeded_and_built_on_meta_without_allocating():
    torch = pytest.importorskip("torch")
    from torch import nn

    from rpnschema.compile import build

    def linear_expansion_module(spec, info):
        return nn.Linear(info.m, info.D)

    learned = plugins.ExpansionPlugin(
        TripleExpansion,
        linear_expansion_module,
        D=lambda s, m: 3 * m,
        parameters=lambda s, m, D: m * D + D,
    )
    with plugins.registered(plugins.Plugin("learned", [learned])):
        data = _model({"expansion": "triple_expansion"}, m=4, n=2)
        a, b = build(data, seed=7), build(data, seed=7)
        c = build(data, seed=8)
        impl = "layers.0.heads.0.expansion.impl.weight"
        assert torch.equal(a.state_dict()[impl], b.state_dict()[impl])
        assert not torch.equal(a.state_dict()[impl], c.state_dict()[impl])
        assert sum(p.numel() for p in a.parameters()) == a.spec.parameters == 12 * 2 + 4 * 12 + 12
        meta = build(data, device="meta")
        assert meta.state_dict()[impl].device.type == "meta"


def test_save_and_load_a_model_with_plugin_components(test_plugin, tmp_path):
    torch = pytest.importorskip("torch")
    from rpnschema.compile import build, load_model, save_model

    head = {"expansion": "triple_expansion", "remainder": "scaled_remainder"}
    model = build(_model(head), seed=1)
    save_model(model, tmp_path / "m.safetensors")
    again = load_model(tmp_path / "m.safetensors")
    x = torch.randn(3, 3)
    torch.testing.assert_close(again(x), model(x))


# --- check_plugin ---------------------------------------------------------------------------


def test_check_plugin_accepts_a_consistent_plugin():
    pytest.importorskip("torch")
    from rpnschema.testing import check_plugin

    cases = check_plugin(PLUGIN)
    # expansion: 3 sizes; paired: D even in 3 of 4; scaled: m == n in 2 of 3; first: 3
    assert len(cases) == 3 + 3 + 2 + 3
    assert "triple_expansion" not in registry.catalog()  # registered only for the check


def test_check_plugin_catches_a_width_and_a_parameter_mismatch():
    pytest.importorskip("torch")
    from rpnschema.testing import PluginCheckError, check_plugin

    wide = plugins.ExpansionPlugin(TripleExpansion, _triple_module, D=lambda s, m: 2 * m)
    greedy = plugins.RemainderPlugin(ScaledRemainder, _scaled_module, check=_same)
    with pytest.raises(PluginCheckError) as info:
        check_plugin(plugins.Plugin("bad", [wide, greedy]))
    text = str(info.value)
    assert "- triple_expansion() at expansion sizes 1: output shape (3, 3), but its D" in text
    assert "output shape (3, 3), but its D rule says (3, 2)" in text
    assert "the module has 1 parameters, its parameters rule says 0" in text
    assert "a one-head model using it has 10 parameters, 9 inferred" in text


def test_check_plugin_reports_a_rule_that_accepts_no_size():
    pytest.importorskip("torch")
    from rpnschema.testing import PluginCheckError, check_plugin

    with pytest.raises(PluginCheckError, match="accept none of the sizes tried; pass sizes="):
        check_plugin(PAIRED, sizes={"reconciliation": [(2, 3)]})


@pytest.fixture(scope="module")
def module_plugin():
    with plugins.registered(PLUGIN):
        yield PLUGIN


@settings(max_examples=40)
@given(
    parts=st.integers(1, 4), m=st.integers(1, 6), n=st.integers(1, 4), channels=st.integers(1, 3)
)
def test_inferred_figures_equal_the_built_model(module_plugin, parts, m, n, channels):
    torch = pytest.importorskip("torch")
    from rpnschema.compile import build

    assume(m * parts % 2 == 0)  # paired_reconciliation needs an even D = 3 m parts
    head = {
        "expansion": {"name": "extended_expansion", "functions": ["triple_expansion"] * parts},
        "reconciliation": "paired_reconciliation",
        "remainder": "scaled_remainder" if m == n else "zero_remainder",
        "channels": channels,
        "channel_fusion": "first_fusion",
    }
    result = validate_data(_model(head, m=m, n=n))
    assert result.ok, result.diagnostics
    model = build(result.spec)
    head_module = model.layers[0].heads[0]
    assert (head_module.D, head_module.m) == (3 * m * parts, m)
    assert sum(p.numel() for p in model.parameters()) == result.spec.parameters
    assert result.spec.parameters == channels * n * 3 * m * parts // 2 + (m == n)
    assert model(torch.randn(2, m)).shape == (2, n)


# --- discovery is opt-in --------------------------------------------------------------------


def test_load_entry_points_names_the_installed_plugins_when_one_is_missing():
    with pytest.raises(PluginError, match=r"plugin 'nope' is not installed \(installed"):
        plugins.load_entry_points(["nope"])


def test_a_spec_cannot_load_a_plugin(tmp_path):
    """Naming plugin components (or a plugin) in a spec imports nothing."""
    path = tmp_path / "s.yaml"
    path.write_text(
        "plugin: rpnschema_example_plugin\nlayers:\n  - m: 3\n    n: 3\n"
        "    heads: [{expansion: signed_power_expansion}]\n"
    )
    code = (
        "import sys\nfrom rpnschema.validate import validate_file\n"
        f"r = validate_file({str(path)!r})\n"
        "print(sorted(d.code.value for d in r.diagnostics))\n"
        "print(any(m.startswith('rpnschema_example_plugin') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["['RPN200', 'RPN201']", "False"]


def test_cli_plugin_errors_exit_2_without_a_traceback():
    out = subprocess.run(
        [sys.executable, "-m", "rpnschema", "--plugin", "nope", "list"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert out.stderr.startswith("error: plugin 'nope' is not installed")
    assert "Traceback" not in out.stderr


def test_list_shows_registered_components_with_their_plugin(test_plugin):
    from typer.testing import CliRunner

    from rpnschema.cli.app import _register, app

    _register()
    out = CliRunner().invoke(app, ["list", "--family", "expansion", "--format", "json", "triple"])
    assert out.exit_code == 0
    assert json.loads(out.stdout) == [
        {
            "family": "expansion",
            "name": "triple_expansion",
            "parameters": "k=1.0",
            "rule": "[x, 2x, 3x] scaled by k: D = 3 m.",
            "plugin": "test",
        }
    ]


@settings(max_examples=60)
@given(
    value=garbage(),
    field=st.sampled_from(["k", "name", "preprocess", "enable_bias", "dims", "activation"]),
    slot=st.sampled_from(["expansion", "reconciliation", "remainder", "channel_fusion"]),
    m=st.integers(1, 4),
    n=st.integers(1, 4),
)
def test_malformed_plugin_parameters_give_located_errors(module_plugin, value, field, slot, m, n):
    """Any value in any field of a plugin component: a result, never an exception."""
    names = {
        "expansion": "triple_expansion",
        "reconciliation": "paired_reconciliation",
        "remainder": "scaled_remainder",
        "channel_fusion": "first_fusion",
    }
    head = {"expansion": "identity_expansion", "channels": 2, slot: {"name": names[slot]}}
    head[slot][field] = value
    result = validate_data(_model(head, m=m, n=n))
    for d in result.diagnostics:
        assert d.code.value.startswith("RPN") and d.message
        if d.severity == "error":
            assert d.path[:4] == ("layers", 0, "heads", 0) or d.path == (), d


def test_build_reports_a_plugin_that_fails_without_a_traceback(tmp_path):
    pytest.importorskip("torch")
    from typer.testing import CliRunner

    from rpnschema.cli.app import _register, app

    class DoubledExpansion(plugins.Expansion):
        """[x, 2x, 3x] under a rule that says D = 2 m (wrong)."""

        name: Literal["doubled_expansion"]
        k: float = 1.0

    _register()
    spec = tmp_path / "t.yaml"
    spec.write_text("layers: [{m: 2, n: 1, heads: [{expansion: doubled_expansion}]}]\n")
    missing = plugins.ExpansionPlugin(DoubledExpansion, "no_such_pkg.mod:make", D=lambda s, m: m)
    with plugins.registered(plugins.Plugin("missing", [missing])):
        out = CliRunner().invoke(app, ["build", str(spec)])
    assert out.exit_code == 2 and not isinstance(out.exception, PluginError)
    assert out.stderr == (
        "error: doubled_expansion: cannot import its torch implementation "
        "'no_such_pkg.mod:make': No module named 'no_such_pkg'\n"
    )
    wrong = plugins.ExpansionPlugin(DoubledExpansion, _triple_module, D=lambda s, m: 2 * m)
    with plugins.registered(plugins.Plugin("wrong", [wrong])):
        out = CliRunner().invoke(app, ["build", str(spec)])
    assert out.exit_code == 1 and not isinstance(out.exception, PluginError)
    assert out.stderr == (
        "forward check failed: plugin component doubled_expansion returned shape (4, 6), "
        "but its D rule says (..., 4)\n"
    )
