"""docs/error-codes.md: every diagnostic code with a real example and its actual output."""

from __future__ import annotations

import contextlib
from typing import Any, Literal

# --- error codes ------------------------------------------------------------------------------

_HEAD = "heads: [{expansion: taylor_expansion}]"
CODE_EXAMPLES: dict[str, str] = {
    "RPN100": "layers: [{m: 3, n: [2}]\n",
    "RPN101": "- m: 3\n- n: 2\n",
    "RPN102": f"layers:\n  - m: 3\n    m: 4\n    n: 2\n    {_HEAD}\n",
    # a "billion laughs" document: 300 bytes of aliases that stand for 10**6 values
    "RPN104": "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in ("ab", "bc", "cd", "de", "ef")
    )
    + "layers: *f\n",
    "RPN103": "",
    "RPN105": "spec_version: 0\nlayers:\n  - m: 3\n    n: 2\n"
    "    heads: [{expansion: taylor_expansion, channel_num: 2}]\n",
    "RPN106": f"seed: {'1' * 120}\nlayers:\n  - m: 3\n    n: 2\n    {_HEAD}\n",
    "RPN200": f"layers:\n  - m: 3\n    n: 2\n    widht: 2\n    {_HEAD}\n",
    "RPN201": "layers:\n  - m: 3\n    n: 2\n    heads: [{expansion: taylr_expansion}]\n",
    "RPN202": "layers:\n  - m: 3\n    n: 2\n    heads: [{channels: 2}]\n",
    "RPN203": "layers:\n  - m: '3'\n    n: 2\n    heads: [{expansion: taylor_expansion}]\n",
    "RPN204": "layers:\n  - m: 3\n    n: 2\n"
    "    heads: [{expansion: {name: taylor_expansion, d: 0}}]\n",
    "RPN205": f"semantics: fast\nlayers:\n  - m: 3\n    n: 2\n    {_HEAD}\n",
    "RPN206": f"dims: [3, 2]\nhead: {{expansion: taylor_expansion}}\nlayers:\n  - m: 3\n    n: 2\n"
    f"    {_HEAD}\n",
    "RPN300": "layers:\n  - m: 3\n    n: 2\n    width: 3\n    width_alloc: [1, 1]\n"
    "    heads: [{expansion: taylor_expansion}, {expansion: chebyshev_expansion}]\n",
    "RPN301": f"depth: 3\nlayers:\n  - m: 3\n    n: 3\n    {_HEAD}\n  - n: 1\n    {_HEAD}\n",
    "RPN302": "layers:\n  - m: 3\n    n: 2\n    heads: [{m: 4, expansion: taylor_expansion}]\n",
    "RPN303": f"layers:\n  - n: 2\n    {_HEAD}\n",
    "RPN310": f"layers:\n  - m: 3\n    n: 2\n    width: 2\n    {_HEAD}\n",
    "RPN311": f"layers:\n  - m: 3\n    n: 4\n    {_HEAD}\n  - n: 1\n    {_HEAD}\n",
    "RPN312": f"layers:\n  - m: 3\n    n: 2\n    width: 2\n    {_HEAD}\n",
    "RPN313": "dims: [3, 4, 1]\nhead: {preset: kan}\n",
    "RPN400": f"layers:\n  - m: 3\n    n: 4\n    {_HEAD}\n  - m: 5\n    n: 1\n    {_HEAD}\n",
    "RPN401": f"depth_alloc: [2]\nlayers:\n  - m: 3\n    n: 2\n    {_HEAD}\n",
    "RPN402": "layers:\n  - m: 3\n    n: 4\n    heads:\n      - expansion: taylor_expansion\n"
    "        reconciliation: {name: hm_reconciliation, p: 3}\n",
    "RPN403": "layers:\n  - m: 3\n    n: 2\n    heads:\n      - expansion: taylor_expansion\n"
    "        remainder: identity_remainder\n",
    "RPN404": "layers:\n  - m: 3\n    n: 2\n    heads:\n      - expansion:\n"
    "          name: taylor_expansion\n          postprocess: [{name: layer_norm, "
    "normalized_shape: 13}]\n",
    "RPN405": "layers:\n  - m: 3\n    n: 2\n    width: 2\n    head_fusion: {name: mean_fusion, "
    f"dims: [2, 3]}}\n    {_HEAD}\n",
    "RPN406": "layers:\n  - m: 3\n    n: 2\n    heads: [{expansion: taylor_expansion, l: 20}]\n",
    "RPN407": "layers:\n  - m: 10\n    n: 2\n    heads:\n      - expansion: {name: "
    "cuboid_patch_based_geometric_expansion, h: 3, w: 3, p_h: 1, p_w: 1}\n",
    "RPN408": "layers:\n  - m: 784\n    n: 2\n"
    "    heads: [{expansion: {name: taylor_expansion, d: 4}}]\n",
    "RPN409": "semantics: tinybig\nlayers:\n  - m: 3\n    n: 2\n    width: 2\n"
    f"    head_fusion: parameterized_weighted_summation_fusion\n    {_HEAD}\n",
    "RPN410": "layers:\n  - m: 3\n    n: 2\n    heads: [{expansion: buggy_expansion}]\n",
    "RPN420": "layers:\n  - m: 10\n    n: 2\n    heads:\n      - expansion: {name: "
    "cuboid_max_based_geometric_compression, h: 4, w: 4, p_h: 1, p_w: 1, p_d: 0}\n",
    "RPN421": "layers:\n  - m: 5\n    n: 2\n"
    "    heads: [{expansion: {name: lle_manifold_compression, D: 2, n_neighbors: 3}}]\n",
    "RPN422": "layers:\n  - m: 3\n    n: 2\n    heads: [{expansion: transformation}]\n",
    "RPN430": "layers:\n  - m: 3\n    n: 2\n    heads:\n      - expansion: identity_expansion\n"
    "        attribute_interdependence: {name: chain_interdependence, chain_length: 4}\n",
    "RPN431": "layers:\n  - m: 3\n    n: 2\n    heads:\n      - expansion: identity_expansion\n"
    "        instance_interdependence: parameterized_interdependence\n",
    "RPN432": "layers:\n  - m: 3\n    n: 2\n    heads:\n      - expansion: identity_expansion\n"
    "        attribute_interdependence: {name: identity_interdependence, b_prime: 2}\n",
    "RPN433": "layers:\n  - m: 3\n    n: 2\n    heads:\n      - expansion: identity_expansion\n"
    "        batch: 4\n        remainder: linear_remainder\n"
    "        instance_interdependence: {name: parameterized_interdependence, b_prime: 2}\n",
    "RPN460": "layers:\n  - m: 3\n    n: 2\n    share_heads: true\n"
    "    heads: [{expansion: identity_expansion}, {expansion: {name: taylor_expansion, d: 2}}]\n",
    "RPN475": "layers:\n  - m: 2\n    n: 5\n    heads: [{expansion: identity_expansion}]\n"
    "  - n: 3\n    heads: [{preset: chain, chain_length: 2}]\n",
    "RPN476": "layers:\n  - m: 2\n    n: 3\n    steps: 4\n    heads:\n"
    "      - expansion: identity_expansion\n        channels: 2\n"
    "        channel_fusion: concatenation_fusion\n",
    "RPN477": "layers:\n  - m: 2\n    n: 3\n    steps: 4\n    heads:\n"
    "      - expansion: identity_expansion\n"
    "        instance_interdependence: pearson_correlation_interdependence\n",
    "RPN478": "semantics: tinybig\nlayers:\n  - m: 2\n    n: 3\n"
    "    heads: [{preset: chain, chain_length: 4, channels: 2}]\n",
    "RPN479": "layers:\n  - m: 2\n    n: 3\n    pool_steps: true\n"
    "    heads: [{expansion: identity_expansion}]\n",
    "RPN470": "layers:\n  - heads: [{preset: grid_compression, h: 4, w: 4, channel_num: 3, p_h: 1,"
    " packing_strategy: complete_square}]\n"
    "  - heads: [{preset: grid_interdependence, h: 4, w: 3, in_channel: 1, out_channel: 2,"
    " p_h: 1}]\n",
    "RPN471": "layers:\n  - heads: [{preset: grid_compression, h: 4, w: 4, channel_num: 1,"
    " patch_shape: sphere}]\n",
    "RPN472": "semantics: tinybig\nlayers:\n  - heads: [{preset: grid_interdependence, h: 2,"
    " w: 2, in_channel: 1, out_channel: 2, p_h: 2}]\n",
    "RPN473": "semantics: tinybig\npreset: {name: cnn, h: 4, w: 4, channel_nums: [1, 2],"
    " fc_dims: [3], p_h: 1, pooling_metric: batch_mean}\n",
    "RPN474": "layers:\n  - m: 4\n    n: 4\n"
    "    heads: [{expansion: identity_expansion, patch_convolution: true}]\n",
    "RPN485": "semantics: tinybig\ndims: [4, 4]\npreset: {name: transformer, fc_dims: [2]}\n",
    "RPN486": "layers:\n  - {m: 4, n: 3, heads: [{expansion: identity_expansion}]}\n"
    "  - n: 2\n    heads: [{preset: bilinear, with_dual_lphm_interdependence: true}]\n",
}
#: Said before an example that needs more than the spec text.
CODE_EXAMPLE_SETUP = {
    "RPN410": "With a plugin `buggy` loaded (`rpnschema --plugin buggy`) whose "
    "`buggy_expansion` has the D rule `lambda spec, m: m // 0`:",
}


def _buggy_plugin() -> Any:
    """RPN410's example: a plugin whose D rule divides by zero."""

    from rpnschema import plugins

    class BuggyExpansion(plugins.Expansion):
        """An expansion whose D rule has a bug."""

        name: Literal["buggy_expansion"]

    rule = plugins.ExpansionPlugin(BuggyExpansion, "torch.nn:Identity", D=lambda spec, m: m // 0)
    return plugins.Plugin("buggy", [rule])


def _example_output(code: str, text: str) -> str:
    from rpnschema import plugins
    from rpnschema.errors import LoadError
    from rpnschema.io import read_text
    from rpnschema.report import FileReport, render_text
    from rpnschema.validate import validate_text

    setup = plugins.registered(_buggy_plugin()) if code == "RPN410" else contextlib.nullcontext()
    try:
        if not text:
            read_text("missing.yaml")
        with setup:
            result = validate_text(text, file="spec.yaml")
        shown = [d for d in result.diagnostics if d.code.value == code]
        spec = result.spec
        report = FileReport(
            "spec.yaml",
            shown,
            failed=result.failed,
            layers=len(spec.layers or []) if spec else None,
            parameters=spec.parameters if spec else None,
        )
    except LoadError as e:
        report = FileReport("spec.yaml", [e.diagnostic], failed=True, io_error=True)
    return render_text([report]).rstrip("\n")


def render_error_codes() -> str:
    """Markdown documenting every diagnostic code with a real example and its output."""
    from rpnschema.errors import CODE_DOCS

    lines = [
        "# Diagnostic codes",
        "",
        "Generated by `python -m rpnschema.reference --error-codes docs/error-codes.md`; a test "
        "fails when it is stale. Codes are stable: a code is never renumbered or reused.",
        "Notices (RPN31x) report what normalization did; they fail validation only with "
        "`--strict`.",
        "",
    ]
    for code, doc in CODE_DOCS.items():
        text = CODE_EXAMPLES.get(code.value)
        lines += [f"## {code.value} `{code.name.lower()}`", "", doc, ""]
        if text is None:
            continue  # interop codes: documented with the converter (docs/tinybig.md)
        if code.value in CODE_EXAMPLE_SETUP:
            lines += [CODE_EXAMPLE_SETUP[code.value], ""]
        if text:
            lines += ["```yaml", text.rstrip("\n"), "```", ""]
        else:
            lines += ["Example: `rpnschema validate missing.yaml`", ""]
        lines += ["```console", _example_output(code.value, text), "```", ""]
    return "\n".join(lines)
