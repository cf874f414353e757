"""Modules of plugin components: the plugin's own module, wrapped in the interface the head and
layer use for built-in components, with its output shape checked against its declared rule.

A plugin factory is called as ``factory(spec, info)`` with a :class:`BuildInfo`. It runs with
torch's global generator seeded from the model seed and the component's path (so default
``nn.Linear`` initialisation is reproducible) and, on the meta device, under
``torch.device("meta")`` (so nothing is allocated); the module is then moved to the build's
device and dtype.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from rpnschema import dims
from rpnschema.compile.context import BuildContext, derive_seed
from rpnschema.compile.processing import build_processing
from rpnschema.plugins import ComponentPlugin, PluginError, component_plugin, resolve_factory
from rpnschema.spec.base import Component


@dataclass(frozen=True)
class BuildInfo:
    """What a plugin factory gets besides its spec. Sizes a family does not use are None."""

    family: str
    path: str
    semantics: str
    device: torch.device
    dtype: torch.dtype
    m: int | None = None
    n: int | None = None
    D: int | None = None
    l: int | None = None
    dims: tuple[int, ...] | None = None


class PluginShapeError(PluginError, RuntimeError):
    """A plugin module returned a tensor of another shape than its rule declares."""


def _component(spec: Component) -> ComponentPlugin:
    component = component_plugin(type(spec))
    if component is None:
        raise PluginError(
            f"{spec.name} is neither built in nor a registered plugin component; register its "
            "plugin (rpnschema.plugins.register) before building"
        )
    return component


def _make(spec: Component, ctx: BuildContext, info: BuildInfo) -> nn.Module:
    factory = resolve_factory(_component(spec))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(derive_seed(ctx.seed, ctx.path))
        if ctx.meta:
            with torch.device("meta"):
                module = factory(spec, info)
        else:
            module = factory(spec, info)
    if not isinstance(module, nn.Module):
        raise PluginError(
            f"{spec.name}: its factory returned {type(module).__name__}, not a torch.nn.Module"
        )
    return module.to(device=ctx.device, dtype=ctx.dtype)


def _info(family: str, ctx: BuildContext, **sizes: object) -> BuildInfo:
    return BuildInfo(family, ctx.path, ctx.semantics, ctx.device, ctx.dtype, **sizes)  # type: ignore[arg-type]


def _check(name: str, got: torch.Size, want: tuple[int, ...], rule: str) -> None:
    if tuple(got[-len(want) :]) != want or len(got) < len(want):
        raise PluginShapeError(
            f"plugin component {name} returned shape {tuple(got)}, but its {rule} rule says "
            f"(..., {', '.join(map(str, want))})"
        )


class PluginExpansion(nn.Module):
    """``postprocess(impl(preprocess(x)))``: (b, m) -> (b, D)."""

    def __init__(self, spec: Component, ctx: BuildContext, m: int | None):
        super().__init__()
        if m is None:
            raise ValueError(f"{spec.name} needs its input size; build from a normalized spec")
        self.name, self.m = spec.name, m
        self.D = dims.expansion_D(spec, m, ctx.semantics)  # type: ignore[arg-type]
        self.preprocess = build_processing(spec.preprocess, ctx.at("preprocess"))  # type: ignore[attr-defined]
        info = _info("expansion", ctx.at("impl"), m=m, D=self.D)
        self.impl = _make(spec, ctx.at("impl"), info)
        self.postprocess = build_processing(spec.postprocess, ctx.at("postprocess"))  # type: ignore[attr-defined]

    def expand(self, x: Tensor) -> Tensor:
        y = self.impl(x)
        _check(self.name, y.shape, (self.D,), "D")
        return y

    def forward(self, x: Tensor) -> Tensor:
        return self.postprocess(self.expand(self.preprocess(x)))

    def extra_repr(self) -> str:
        return f"{self.name} (plugin), m={self.m}, D={self.D}"


class PluginReconciliation(nn.Module):
    """W for every channel, (channels, n, D), from the plugin's (l,) -> (n, D) module."""

    def __init__(self, spec: Component, ctx: BuildContext, n: int, D: int, l: int):
        super().__init__()
        self.name, self.n, self.D, self.l = spec.name, n, D, l
        self.impl = _make(
            spec, ctx.at("impl"), _info("reconciliation", ctx.at("impl"), n=n, D=D, l=l)
        )

    def forward(self, w: Tensor | None, channels: int, like: Tensor) -> Tensor:
        rows = [w[c] for c in range(channels)] if w is not None else [like.new_zeros(0)] * channels
        Ws = [self.impl(row) for row in rows]
        for W in Ws:
            _check(self.name, W.shape, (self.n, self.D), "l / (n, D)")
        return torch.stack(Ws, dim=0)

    def extra_repr(self) -> str:
        return f"{self.name} (plugin), n={self.n}, D={self.D}, l={self.l}"


class PluginRemainder(nn.Module):
    """``activation(impl(x))``: (b, m) -> (b, n)."""

    skipped = False

    def __init__(self, spec: Component, ctx: BuildContext, m: int, n: int):
        super().__init__()
        self.name, self.m, self.n = spec.name, m, n
        self.impl = _make(spec, ctx.at("impl"), _info("remainder", ctx.at("impl"), m=m, n=n))
        self.activation = build_processing(spec.activation, ctx.at("activation"))  # type: ignore[attr-defined]

    def forward(self, x: Tensor, w: Tensor | None = None, b: Tensor | None = None) -> Tensor:
        y = self.impl(x)
        _check(self.name, y.shape, (self.n,), "remainder (m -> n)")
        return self.activation(y)

    def extra_repr(self) -> str:
        return f"{self.name} (plugin), m={self.m}, n={self.n}"


class PluginFusion(nn.Module):
    """The plugin's fusion of (b, d_i) inputs into (b, n); the owner holds its (1, l) weight."""

    def __init__(self, spec: Component, ctx: BuildContext):
        super().__init__()
        if spec.dims is None:  # type: ignore[attr-defined]
            raise ValueError(f"{spec.name} has no dims; build from a normalized spec")
        self.name = spec.name
        self.dims = list(spec.dims)  # type: ignore[attr-defined]
        self.n = dims.fusion_n(spec, self.dims)  # type: ignore[arg-type]
        self.l = dims.fusion_l(spec, self.dims)  # type: ignore[arg-type]
        info = _info("fusion", ctx.at("impl"), n=self.n, l=self.l, dims=tuple(self.dims))
        self.impl = _make(spec, ctx.at("impl"), info)

    def forward(self, xs: Sequence[Tensor], w: Tensor | None = None) -> Tensor:
        y = self.impl(list(xs), w.reshape(-1) if w is not None else None)
        _check(self.name, y.shape, (self.n,), "n")
        return y

    def extra_repr(self) -> str:
        return f"{self.name} (plugin), dims={self.dims}, n={self.n}, l={self.l}"
