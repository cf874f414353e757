"""Plugins: custom expansion, reconciliation, remainder and fusion functions.

A plugin component is three things, mirroring a built-in one:

- its **parameters**: a pydantic model subclassing a family base (:class:`Expansion`,
  :class:`Reconciliation`, :class:`Remainder`, :class:`Fusion`) with ``name: Literal[...]``;
  it inherits the strict, frozen, extra-forbidding config of every spec node;
- its **dimension rules**: pure functions of the spec and integer sizes (an expansion's D, a
  reconciliation's l, a fusion's output size and l, parameter counts, remainder constraints);
- its **torch implementation**: a factory ``factory(spec, info) -> torch.nn.Module``, or the
  string ``"package.module:factory"``, imported only when a model is built.

Registered components validate, have their dimensions inferred, appear in the JSON Schema and
in ``rpnschema list``, and build. Rules are guarded: a rule that raises anything but
:class:`RuleError`, or returns something other than a non-negative integer, becomes a located
RPN410 diagnostic, never a traceback. :func:`rpnschema.testing.check_plugin` checks that the
rules agree with the torch modules.

Discovery is opt-in: installed plugins advertise a :class:`Plugin` in the ``rpnschema.plugins``
entry-point group, and only :func:`load_entry_points` (the CLI's ``--plugin NAME``) loads them.
A spec file can never cause a plugin to be imported.
"""

from __future__ import annotations

import importlib
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, ClassVar, Union

from rpnschema import dims
from rpnschema.errors import Code, RpnSchemaError
from rpnschema.spec import registry
from rpnschema.spec.base import Component
from rpnschema.spec.expansion import Expansion
from rpnschema.spec.fusion import Fusion
from rpnschema.spec.reconciliation import Reconciliation
from rpnschema.spec.remainder import Remainder

__all__ = [
    "COMPONENTS_GROUP",
    "ENTRY_POINT_GROUP",
    "Expansion",
    "ExpansionPlugin",
    "Fusion",
    "FusionPlugin",
    "Plugin",
    "PluginError",
    "Reconciliation",
    "ReconciliationPlugin",
    "Remainder",
    "RemainderPlugin",
    "RuleError",
    "component_plugin",
    "installed",
    "load_entry_points",
    "provider_of",
    "register",
    "registered",
    "registered_names",
    "unregister",
]

#: The entry-point group installed plugins advertise themselves in.
ENTRY_POINT_GROUP = "rpnschema.plugins"

#: A torch implementation: ``factory(spec, info) -> nn.Module``, or ``"package.module:attr"``.
Factory = Union[Callable[..., Any], str]  # noqa: UP007 - documented alias

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_FAMILY_CODE = {
    "expansion": Code.EXPANSION_DOMAIN,
    "reconciliation": Code.DIVISIBILITY,
    "remainder": Code.REMAINDER,
    "fusion": Code.FUSION_DIMS,
}


class PluginError(RpnSchemaError):
    """A plugin that cannot be registered or loaded; the message says why and what to do."""


class RuleError(dims.DimProblem):
    """Raised by a plugin's rule when the sizes or parameters do not fit (a spec error).

    ``field`` names the offending parameter of the component (the diagnostic points at it);
    the code defaults to the family's (RPN407 expansion, RPN402 reconciliation, RPN403
    remainder, RPN405 fusion).
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        expected: str | None = None,
        found: str | None = None,
        suggestion: str | None = None,
        code: Code | None = None,
    ):
        super().__init__(
            code or Code.EXPANSION_DOMAIN,
            message,
            (field,) if field else (),
            expected,
            found,
            suggestion,
        )
        self.explicit_code = code is not None


@dataclass(frozen=True)
class _ComponentPlugin(ABC):
    """Fields shared by the four kinds; see the subclasses."""

    family: ClassVar[str] = ""
    base: ClassVar[type[Component]] = Component

    spec: type[Component]
    module: Factory

    @property
    def name(self) -> str:
        return registry.component_name(self.spec)

    @abstractmethod
    def rules(self) -> dict[str, Callable[..., Any] | None]:
        """The rule functions by name (None: not given)."""

    @abstractmethod
    def install(self, owner: str) -> None:
        """Put the (guarded) rules into the tables of :mod:`rpnschema.dims`."""


def _guard(
    owner: str, component: str, rule: str, fn: Callable[..., Any], family: str, check: bool = False
) -> Callable[..., Any]:
    """``fn`` with its failures turned into located diagnostics."""

    def guarded(spec: Any, *sizes: Any) -> Any:
        try:
            value = fn(spec, *sizes)
        except RuleError as p:
            if not p.explicit_code:
                p.code = _FAMILY_CODE[family]
            raise
        except dims.DimProblem:
            raise
        except Exception as e:  # a bug in the plugin: report it where the component is
            raise dims.DimProblem(
                Code.PLUGIN,
                f"the {rule} rule of {component} (plugin {owner!r}) raised {type(e).__name__}: {e}",
                expected="an integer, or a RuleError naming what does not fit",
                found=f"{type(e).__name__}",
                suggestion=f"fix plugin {owner!r}, or report the spec to its authors",
            ) from e
        if check:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise dims.DimProblem(
                Code.PLUGIN,
                f"the {rule} rule of {component} (plugin {owner!r}) returned {value!r}",
                expected="a non-negative integer",
                found=repr(value),
                suggestion=f"fix plugin {owner!r}",
            )
        return value

    guarded.__name__ = f"{component}.{rule}"
    return guarded


@dataclass(frozen=True)
class ExpansionPlugin(_ComponentPlugin):
    """An expansion kappa: R^m -> R^D.

    ``D(spec, m)`` gives its output size; ``parameters(spec, m, D)`` the learnable parameters
    its module owns (default 0). The module maps a (batch, m) tensor to (batch, D); the
    component's ``preprocess``/``postprocess`` lists are applied around it.
    """

    family: ClassVar[str] = "expansion"
    base: ClassVar[type[Component]] = Expansion

    D: Callable[[Any, int], int] = field(kw_only=True)
    parameters: Callable[[Any, int, int], int] | None = field(default=None, kw_only=True)

    def rules(self) -> dict[str, Callable[..., Any] | None]:
        return {"D": self.D, "parameters": self.parameters}

    def install(self, owner: str) -> None:
        D = _guard(owner, self.name, "D", self.D, self.family)
        dims.D_RULES[self.spec] = lambda s, m, semantics: D(s, m)
        if self.parameters is not None:
            dims.EXPANSION_PARAMETERS[self.spec] = _guard(
                owner, self.name, "parameters", self.parameters, self.family
            )


@dataclass(frozen=True)
class ReconciliationPlugin(_ComponentPlugin):
    """A reconciliation psi: R^l -> R^(n x D).

    ``l(spec, n, D)`` gives the learnable values per channel (the head owns them as ``w``);
    ``parameters(spec, n, D)`` any parameters the module owns besides (default 0). The module
    maps a 1-D tensor of l values (empty when l = 0) to an (n, D) matrix.
    """

    family: ClassVar[str] = "reconciliation"
    base: ClassVar[type[Component]] = Reconciliation

    l: Callable[[Any, int, int], int] = field(kw_only=True)
    parameters: Callable[[Any, int, int], int] | None = field(default=None, kw_only=True)

    def rules(self) -> dict[str, Callable[..., Any] | None]:
        return {"l": self.l, "parameters": self.parameters}

    def install(self, owner: str) -> None:
        dims.L_RULES[self.spec] = _guard(owner, self.name, "l", self.l, self.family)
        if self.parameters is not None:
            dims.RECONCILIATION_EXTRA_PARAMETERS[self.spec] = _guard(
                owner, self.name, "parameters", self.parameters, self.family
            )


@dataclass(frozen=True)
class RemainderPlugin(_ComponentPlugin):
    """A remainder pi: R^m -> R^n, added to the head's output.

    ``check(spec, m, n)`` raises :class:`RuleError` when the sizes do not fit (default: any);
    ``parameters(spec, m, n)`` the learnable parameters its module owns (default 0). The
    module maps (batch, m) to (batch, n); the component's ``activation`` list follows it.
    """

    family: ClassVar[str] = "remainder"
    base: ClassVar[type[Component]] = Remainder

    check: Callable[[Any, int, int], None] | None = field(default=None, kw_only=True)
    parameters: Callable[[Any, int, int], int] | None = field(default=None, kw_only=True)

    def rules(self) -> dict[str, Callable[..., Any] | None]:
        return {"check": self.check, "parameters": self.parameters}

    def install(self, owner: str) -> None:
        if self.check is not None:
            dims.REMAINDER_CHECKS[self.spec] = _guard(
                owner, self.name, "check", self.check, self.family, check=True
            )
        if self.parameters is not None:
            dims.REMAINDER_PARAMETERS[self.spec] = _guard(
                owner, self.name, "parameters", self.parameters, self.family
            )


@dataclass(frozen=True)
class FusionPlugin(_ComponentPlugin):
    """A fusion of k inputs of sizes ``dims`` into one of size n.

    ``n(spec, dims)`` gives the output size; ``l(spec, dims)`` the learnable values the owner
    (head or layer) holds as its fusion weight (default 0); ``parameters(spec, dims)`` any
    the module owns besides (default 0). The module takes the list of (batch, d_i) tensors and
    the weight (a 1-D tensor of l values, or None when l = 0) and returns (batch, n).
    """

    family: ClassVar[str] = "fusion"
    base: ClassVar[type[Component]] = Fusion

    n: Callable[[Any, list[int]], int] = field(kw_only=True)
    l: Callable[[Any, list[int]], int] | None = field(default=None, kw_only=True)
    parameters: Callable[[Any, list[int]], int] | None = field(default=None, kw_only=True)

    def rules(self) -> dict[str, Callable[..., Any] | None]:
        return {"n": self.n, "l": self.l, "parameters": self.parameters}

    def install(self, owner: str) -> None:
        dims.N_RULES[self.spec] = _guard(owner, self.name, "n", self.n, self.family)
        l_rule = self.l if self.l is not None else (lambda s, d: 0)
        dims.FUSION_L_RULES[self.spec] = _guard(owner, self.name, "l", l_rule, self.family)
        if self.parameters is not None:
            dims.FUSION_EXTRA_PARAMETERS[self.spec] = _guard(
                owner, self.name, "parameters", self.parameters, self.family
            )


ComponentPlugin = Union[ExpansionPlugin, ReconciliationPlugin, RemainderPlugin, FusionPlugin]  # noqa: UP007
_RULE_TABLES = (
    dims.D_RULES,
    dims.L_RULES,
    dims.N_RULES,
    dims.FUSION_L_RULES,
    dims.EXPANSION_PARAMETERS,
    dims.RECONCILIATION_EXTRA_PARAMETERS,
    dims.REMAINDER_PARAMETERS,
    dims.REMAINDER_CHECKS,
    dims.FUSION_EXTRA_PARAMETERS,
)


@dataclass(frozen=True)
class Plugin:
    """A named bundle of components, as an entry point advertises it."""

    name: str
    components: Sequence[ComponentPlugin]
    version: str = ""
    description: str = ""


# name -> (owning plugin, component)
_REGISTERED: dict[str, tuple[str, ComponentPlugin]] = {}


def component_plugin(spec_type: type) -> ComponentPlugin | None:
    """The registered component whose spec class is ``spec_type``, if any."""
    for _, component in _REGISTERED.values():
        if component.spec is spec_type:
            return component
    return None


def registered_names() -> list[str]:
    """The names of the registered plugin components, in registration order."""
    return list(_REGISTERED)


def owner_of(name: str) -> str | None:
    """The plugin that registered the component called ``name``."""
    entry = _REGISTERED.get(name)
    return entry[0] if entry else None


def _problems(component: Any, owner: str) -> list[str]:
    kinds = (ExpansionPlugin, ReconciliationPlugin, RemainderPlugin, FusionPlugin)
    if not isinstance(component, kinds):
        return [
            f"{component!r} is not a component: use ExpansionPlugin, ReconciliationPlugin, "
            "RemainderPlugin or FusionPlugin"
        ]
    spec, family = component.spec, component.family
    if not (isinstance(spec, type) and issubclass(spec, component.base)):
        return [
            f"{getattr(spec, '__name__', spec)!r} must subclass "
            f"rpnschema.plugins.{component.base.__name__}"
        ]
    annotation = spec.model_fields["name"].annotation
    args = getattr(annotation, "__args__", ())
    if len(args) != 1 or not isinstance(args[0], str):
        return [f"{spec.__name__} must declare its name as name: Literal['..._{family}']"]
    name = args[0]
    problems = []
    if not _NAME.match(name) or not name.endswith(f"_{family}"):
        problems.append(
            f"{spec.__name__}: name {name!r} must be lower_snake_case ending in '_{family}' "
            f"(like the built-in {family} functions)"
        )
    if name in registry.catalog() and not registry.is_plugin(spec):
        other = owner_of(name)
        where = f"plugin {other!r}" if other else "the built-in catalog"
        problems.append(f"{spec.__name__}: name {name!r} is already taken by {where}")
    elif name in _REGISTERED and _REGISTERED[name][1] != component:
        problems.append(
            f"{name} is already registered (by plugin {_REGISTERED[name][0]!r}) with other "
            "rules or another module; unregister it first"
        )
    config = spec.model_config
    if config.get("extra") != "forbid" or not config.get("frozen") or not config.get("strict"):
        problems.append(
            f"{spec.__name__} must keep the spec config (strict, frozen, extra='forbid'); "
            "do not override model_config"
        )
    try:
        spec.model_json_schema()
    except Exception as e:
        problems.append(f"{spec.__name__} has no JSON Schema ({type(e).__name__}: {e})")
    for rule, fn in component.rules().items():
        if fn is not None and not callable(fn):
            problems.append(f"{name}: rule {rule} is {fn!r}, not a function")
    module = component.module
    if not (callable(module) or (isinstance(module, str) and ":" in module)):
        problems.append(
            f"{name}: module must be a factory or 'package.module:attr', not {module!r}"
        )
    return problems


def register(plugin: Plugin | ComponentPlugin | Iterable[ComponentPlugin]) -> list[str]:
    """Register a plugin's components (all or none); returns their names.

    Registering the same component class again is a no-op. Raises :class:`PluginError` with
    every problem found when any component is malformed or its name is taken.
    """
    owner, components = _unpack(plugin)
    checked = [(c, _problems(c, owner)) for c in components]  # each builds a JSON Schema
    problems = [p for _, found in checked for p in found]
    names = [c.name for c, found in checked if not found]
    if len(set(names)) != len(names):
        problems.append(f"plugin {owner!r} defines a name twice: {sorted(names)}")
    if problems:
        raise PluginError(
            f"plugin {owner!r} cannot be registered:\n" + "\n".join(f"- {p}" for p in problems)
        )
    new = [c for c in components if c.name not in _REGISTERED]
    for component in new:
        component.install(owner)
        registry.add(component.family, component.spec)
        _REGISTERED[component.name] = (owner, component)
    if new:
        registry.rebuild()
    return [c.name for c in components]


def unregister(plugin: Plugin | ComponentPlugin | Iterable[ComponentPlugin] | str) -> None:
    """Remove a plugin's components (or one component, by name) from the catalog."""
    if isinstance(plugin, str):
        names = [plugin] if plugin in _REGISTERED else []
        names += [n for n, (owner, _) in _REGISTERED.items() if owner == plugin]
    else:
        names = [c.name for c in _unpack(plugin)[1]]
    removed = False
    for name in dict.fromkeys(names):
        entry = _REGISTERED.pop(name, None)
        if entry is None:
            continue
        spec = entry[1].spec
        registry.remove(name)
        for table in _RULE_TABLES:
            table.pop(spec, None)
        removed = True
    if removed:
        registry.rebuild()


@contextmanager
def registered(plugin: Plugin | ComponentPlugin | Iterable[ComponentPlugin]) -> Iterator[None]:
    """Register ``plugin`` for the duration of a ``with`` block (tests, scripts)."""
    before = set(_REGISTERED)
    register(plugin)
    try:
        yield
    finally:
        unregister([c for n, (_, c) in list(_REGISTERED.items()) if n not in before])


def _unpack(plugin: Any) -> tuple[str, list[Any]]:
    if isinstance(plugin, Plugin):
        return plugin.name, list(plugin.components)
    if isinstance(plugin, _ComponentPlugin):
        return plugin.spec.__module__, [plugin]
    if isinstance(plugin, Iterable) and not isinstance(plugin, (str, bytes)):
        items = list(plugin)
        owner = items[0].spec.__module__ if items and hasattr(items[0], "spec") else "plugin"
        return owner, items
    raise PluginError(f"{plugin!r} is not a Plugin or a component")


# --- discovery (opt-in) ---------------------------------------------------------------------


def installed() -> dict[str, str]:
    """Installed plugins: entry-point name -> the ``module:attr`` it points at. Loads nothing."""
    return {ep.name: ep.value for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


#: Entry-point group where a plugin package names the components it provides, without code:
#: ``component_name = "plugin_entry_point_name"``. Read only to word an unknown-function error.
COMPONENTS_GROUP = "rpnschema.components"


def provider_of(component: str) -> str | None:
    """The installed (not necessarily loaded) plugin that declares ``component`` in its
    ``rpnschema.components`` entry points, if any. Reads package metadata; imports nothing."""
    for ep in metadata.entry_points(group=COMPONENTS_GROUP):
        if ep.name == component:
            return ep.value.strip()
    return None


def load_entry_points(names: Iterable[str]) -> list[Plugin]:
    """Import and register the installed plugins called ``names`` (``all``: every one).

    This is the only place rpnschema imports third-party code, and only for names its caller
    chose (the ``--plugin`` option); spec files cannot name plugins.
    """
    wanted = list(dict.fromkeys(names))
    points = {ep.name: ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}
    if "all" in wanted:
        wanted = [w for w in wanted if w != "all"] + sorted(set(points) - set(wanted))
    loaded = []
    for name in wanted:
        if name not in points:
            have = ", ".join(sorted(points)) or "none"
            raise PluginError(
                f"plugin {name!r} is not installed (installed rpnschema plugins: {have}); "
                f"install the package that provides it, e.g. pip install <package>"
            )
        try:
            obj = points[name].load()
            plugin = obj() if callable(obj) and not isinstance(obj, Plugin) else obj
        except Exception as e:
            raise PluginError(
                f"plugin {name!r} ({points[name].value}) failed to load: {type(e).__name__}: {e}"
            ) from e
        if not isinstance(plugin, Plugin):
            raise PluginError(
                f"plugin {name!r} ({points[name].value}) is {type(plugin).__name__}, "
                "not an rpnschema.plugins.Plugin"
            )
        register(plugin)
        loaded.append(plugin)
    return loaded


def resolve_factory(component: ComponentPlugin) -> Callable[..., Any]:
    """The component's torch factory, importing ``"package.module:attr"`` now (build time)."""
    module = component.module
    if callable(module):
        return module
    path, _, attr = module.partition(":")
    try:
        target: Any = importlib.import_module(path)
        for part in attr.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as e:
        raise PluginError(
            f"{component.name}: cannot import its torch implementation {module!r}: {e}"
        ) from e
    return target
