"""``check_plugin``: does a plugin's torch implementation agree with its declared rules?

Exposed as :func:`rpnschema.testing.check_plugin`. For each component, each example spec and
each applicable size it builds the component's module (float64, CPU), runs it forward and
backward, and compares the output shape and the module's parameter count with the rules; then
it validates, builds and runs a one-head model that uses the component (so the inferred
parameter count is compared with the built model's) and looks for the component in the JSON
Schema. Every disagreement is collected; :class:`PluginCheckError` lists them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rpnschema import dims
from rpnschema.errors import Code, plural
from rpnschema.plugins import (
    ComponentPlugin,
    ExpansionPlugin,
    FusionPlugin,
    Plugin,
    ReconciliationPlugin,
    RemainderPlugin,
    _unpack,
    registered,
)
from rpnschema.sequence import input_width

#: Sizes tried by default: expansion m, reconciliation (n, D), remainder (m, n), fusion dims.
DEFAULT_SIZES: dict[str, tuple[Any, ...]] = {
    "expansion": (1, 2, 5),
    "reconciliation": ((1, 1), (2, 4), (3, 6), (4, 8)),
    "remainder": ((1, 1), (3, 3), (4, 2)),
    "fusion": ((2, 2), (3, 3, 3), (2, 4)),
}
_BATCH = 3


class PluginCheckError(AssertionError):
    """The plugin's rules and its torch modules disagree; the message lists every case."""


def check_plugin(
    plugin: Plugin | ComponentPlugin | Iterable[ComponentPlugin],
    *,
    examples: dict[str, Sequence[Any]] | None = None,
    sizes: dict[str, Sequence[Any]] | None = None,
    semantics: str = "native",
) -> list[str]:
    """Check every component of ``plugin``; returns the cases checked.

    Args:
        plugin: a :class:`~rpnschema.plugins.Plugin` or its components (registered for the
            check if they are not already).
        examples: component name -> spec instances to check (default: the spec with its
            defaults, which then must have a default for every parameter).
        sizes: family -> sizes to try, as in :data:`DEFAULT_SIZES`; a size the component's
            rules reject with a :class:`~rpnschema.plugins.RuleError` is skipped, but at least
            one must be accepted.
        semantics: the numeric semantics to build with.

    Raises:
        PluginCheckError: listing each disagreement (shape, parameter count, gradients,
            inference, schema).
    """
    _, components = _unpack(plugin)
    with registered(plugin):
        checked: list[str] = []
        problems: list[str] = []
        for component in components:
            _check_component(component, examples, sizes, semantics, checked, problems)
    if problems:
        raise PluginCheckError(
            f"{plural(len(problems), 'problem')} in plugin components:\n"
            + "\n".join(f"- {p}" for p in problems)
        )
    return checked


def _check_component(
    component: ComponentPlugin,
    examples: dict[str, Sequence[Any]] | None,
    sizes: dict[str, Sequence[Any]] | None,
    semantics: str,
    checked: list[str],
    problems: list[str],
) -> None:
    from rpnschema.schema import family_title, model_schema

    name, family = component.name, component.family
    specs = list((examples or {}).get(name, ()))
    if not specs:
        try:
            specs = [component.spec(name=name)]
        except Exception as e:  # pydantic ValidationError: a parameter without a default
            problems.append(
                f"{name}: no example given and no default spec ({e.__class__.__name__})"
            )
            return
    family_def = model_schema()["$defs"][family_title(family)]
    if name not in family_def["anyOf"][0]["enum"]:
        problems.append(f"{name}: missing from the JSON Schema's {family.capitalize()} names")
    for spec in specs:
        accepted = 0
        for size in (sizes or {}).get(family, DEFAULT_SIZES[family]):
            label = f"{_describe(spec)} at {family} sizes {size}"
            try:
                figures = _figures(component, spec, size)
            except dims.DimProblem as p:
                if p.code is Code.PLUGIN:
                    problems.append(f"{label}: {p.message}")
                continue  # a RuleError: these sizes do not apply
            accepted += 1
            problems.extend(
                f"{label}: {p}" for p in _run_module(component, spec, figures, semantics)
            )
            problems.extend(f"{label}: {p}" for p in _run_model(component, spec, size, semantics))
            checked.append(label)
        if not accepted:
            problems.append(
                f"{_describe(spec)}: its rules accept none of the sizes tried; "
                "pass sizes= with some they accept"
            )


def _describe(spec: Any) -> str:
    """``name(param=value, ...)`` with the parameters that differ from their defaults."""
    given = spec.model_dump(mode="json", exclude_defaults=True, exclude={"name"})
    return f"{spec.name}({', '.join(f'{k}={v!r}' for k, v in given.items())})"


def _figures(component: ComponentPlugin, spec: Any, size: Any) -> dict[str, Any]:
    """The sizes and parameter count the rules declare for ``size``."""
    if isinstance(component, ExpansionPlugin):
        m = size
        D = dims.expansion_D(spec, m)
        return {"m": m, "D": D, "out": (D,), "params": dims.expansion_parameters(spec, m, D)}
    if isinstance(component, ReconciliationPlugin):
        n, D = size
        l = dims.reconciliation_l(spec, n, D)
        extra = dims.reconciliation_extra_parameters(spec, n, D)
        return {"n": n, "D": D, "l": l, "out": (n, D), "params": extra}
    if isinstance(component, RemainderPlugin):
        m, n = size
        dims.check_remainder(spec, m, n)
        return {"m": m, "n": n, "out": (n,), "params": dims.remainder_parameters(spec, m, n)}
    assert isinstance(component, FusionPlugin)
    inputs = list(size)
    n, l = dims.fusion_n(spec, inputs), dims.fusion_l(spec, inputs)
    extra = dims.fusion_extra_parameters(spec, inputs)
    return {"dims": inputs, "n": n, "l": l, "out": (n,), "params": extra}


def _run_module(
    component: ComponentPlugin, spec: Any, f: dict[str, Any], semantics: str
) -> list[str]:
    import torch

    from rpnschema.compile.context import BuildContext
    from rpnschema.compile.plugin import _info, _make

    ctx = BuildContext(semantics, torch.device("cpu"), torch.float64, seed=0, init="xavier_normal")
    sizes = {k: f[k] for k in ("m", "n", "D", "l") if k in f}
    if "dims" in f:
        sizes["dims"] = tuple(f["dims"])
    try:
        module = _make(spec, ctx, _info(component.family, ctx, **sizes))
    except Exception as e:
        return [f"its factory failed: {type(e).__name__}: {e}"]
    problems = []
    own = sum(p.numel() for p in module.parameters())
    if own != f["params"]:
        problems.append(f"the module has {own} parameters, its parameters rule says {f['params']}")
    gen = torch.Generator().manual_seed(0)

    def rand(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=gen, dtype=torch.float64).requires_grad_()

    try:
        if isinstance(component, (ExpansionPlugin, RemainderPlugin)):
            inputs = [rand(_BATCH, f["m"])]
            y = module(inputs[0])
        elif isinstance(component, ReconciliationPlugin):
            inputs = [rand(f["l"])]
            y = module(inputs[0])
        else:
            inputs = [rand(_BATCH, d) for d in f["dims"]]
            w = rand(f["l"]) if f["l"] > 0 else None
            y = module(inputs, w)
            inputs += [w] if w is not None else []
    except Exception as e:
        return [*problems, f"forward failed: {type(e).__name__}: {e}"]
    lead = () if isinstance(component, ReconciliationPlugin) else (_BATCH,)
    want = (*lead, *f["out"])
    if tuple(y.shape) != want:
        rule = {"expansion": "D", "reconciliation": "l/(n, D)", "remainder": "(m, n)"}.get(
            component.family, "n"
        )
        problems.append(f"output shape {tuple(y.shape)}, but its {rule} rule says {want}")
        return problems
    if y.requires_grad:
        y.sum().backward()
        for t in inputs:
            if t.grad is not None and not torch.isfinite(t.grad).all():
                problems.append("non-finite gradient")
                break
    return problems


def _model_data(component: ComponentPlugin, spec: Any, size: Any) -> dict[str, Any]:
    data = spec.to_data()
    if isinstance(component, ExpansionPlugin):
        head = {"expansion": data}
        m, n = size, 2
    elif isinstance(component, ReconciliationPlugin):
        n, D = size
        head, m = {"expansion": "identity_expansion", "reconciliation": data}, D
    elif isinstance(component, RemainderPlugin):
        m, n = size
        head = {"expansion": "identity_expansion", "remainder": data}
    else:
        if len(set(size)) > 1:
            return {}  # a head's channels all have one size
        m, n = 2, size[0]
        head = {"expansion": "identity_expansion", "channels": len(size), "channel_fusion": data}
    return {"layers": [{"m": m, "n": n, "heads": [head]}]}


def _run_model(component: ComponentPlugin, spec: Any, size: Any, semantics: str) -> list[str]:
    import torch

    from rpnschema.compile import build
    from rpnschema.validate import validate_data

    data = _model_data(component, spec, size)
    if not data:
        return []
    result = validate_data({"semantics": semantics, **data})
    if not result.ok or result.spec is None:
        return [
            "a one-head model using it does not validate: "
            + "; ".join(
                f"{d.code.value} {d.message}" for d in result.diagnostics if d.severity == "error"
            )
        ]
    try:
        model = build(result.spec, dtype="float64", seed=0)
        y = model(torch.randn(_BATCH, input_width(result.spec.layers[0]), dtype=torch.float64))
    except Exception as e:
        return [f"a one-head model using it fails to build or run: {type(e).__name__}: {e}"]
    built = sum(p.numel() for p in model.parameters())
    problems = []
    if built != result.spec.parameters:
        problems.append(
            f"a one-head model using it has {built} parameters, {result.spec.parameters} inferred"
        )
    if tuple(y.shape) != (_BATCH, result.spec.layers[-1].n):
        problems.append(f"a one-head model using it outputs {tuple(y.shape)}")
    return problems
