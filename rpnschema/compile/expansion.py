"""Data expansion modules kappa: (b, m) -> (b, D): preprocess, kernel, postprocess."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import torch
from torch import Tensor, nn

from rpnschema import dims
from rpnschema.compile.context import BuildContext
from rpnschema.compile.kernels.expansion import EXPANSIONS
from rpnschema.compile.processing import build_processing
from rpnschema.spec import expansion as ex
from rpnschema.spec.base import Component

ExpansionBuilder = Callable[[ex.Expansion, BuildContext], nn.Module]

_NOT_KERNEL_PARAMS = frozenset({"name", "preprocess", "postprocess", "functions"})


def kernel_params(spec: Component, skip: frozenset[str] = _NOT_KERNEL_PARAMS) -> dict[str, Any]:
    """The spec's own parameters, under their (tinybig) kernel keyword names."""
    return {k: getattr(spec, k) for k in type(spec).model_fields if k not in skip}


class Expansion(nn.Module):
    """One catalog expansion: ``postprocess(kernel(preprocess(x)))``."""

    def __init__(self, spec: ex.Expansion, ctx: BuildContext):
        super().__init__()
        self.name = spec.name
        self.semantics = ctx.semantics
        self.kernel = EXPANSIONS.get(spec.name)  # None for the composite expansions
        self.params = kernel_params(spec)
        self.preprocess = build_processing(spec.preprocess, ctx.at("preprocess"))
        self.postprocess = build_processing(spec.postprocess, ctx.at("postprocess"))
        # decided once: an empty slot is not called at all (an empty Sequential is the identity)
        self._pre, self._post = len(self.preprocess) > 0, len(self.postprocess) > 0
        self._kwargs = {"semantics": self.semantics, **self.params}

    def expand(self, x: Tensor) -> Tensor:
        return self.kernel(x, **self._kwargs)

    def direct_kernel(self) -> Callable[[Tensor], Tensor] | None:
        """This expansion as one plain function of x, decided at build time: the catalog kernel
        with its parameters bound, or None when a processing slot is not empty (those stay
        modules). Composites compose their parts' functions (see their ``direct_kernel``)."""
        if self._pre or self._post or self.kernel is None:
            return None
        return partial(self.kernel, **self._kwargs)

    def forward(self, x: Tensor) -> Tensor:
        if self._pre:
            x = self.preprocess(x)
        x = self.expand(x)
        return self.postprocess(x) if self._post else x

    def extra_repr(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.params.items() if v is not None)
        return f"{self.name}({args})"


class NestedExpansion(Expansion):
    """kappa_k(... kappa_1(x)): each part with its own pre/post-processing."""

    def __init__(self, spec: ex.NestedExpansion, ctx: BuildContext, m: int | None = None):
        super().__init__(spec, ctx)
        functions = []
        for i, f in enumerate(spec.functions):
            functions.append(build_expansion(f, ctx.at("functions", i), m))
            if m is not None and isinstance(spec, ex.NestedExpansion):
                m = dims.expansion_D(f, m, ctx.semantics)  # the next function's input size
        self.functions = nn.ModuleList(functions)

    def expand(self, x: Tensor) -> Tensor:
        for f in self.functions:
            x = f(x)
        return x

    def _part_kernels(self) -> list[Callable[[Tensor], Tensor]] | None:
        if self._pre or self._post:
            return None
        parts = [getattr(f, "direct_kernel", lambda: None)() for f in self.functions]
        return None if any(p is None for p in parts) else parts

    def direct_kernel(self) -> Callable[[Tensor], Tensor] | None:
        parts = self._part_kernels()
        if parts is None:
            return None
        return parts[0] if len(parts) == 1 else partial(_nested, fns=tuple(parts))


class ExtendedExpansion(NestedExpansion):
    """[kappa_1(x), ..., kappa_k(x)] concatenated along the features."""

    def expand(self, x: Tensor) -> Tensor:
        return torch.cat([f(x) for f in self.functions], dim=1)

    def direct_kernel(self) -> Callable[[Tensor], Tensor] | None:
        parts = self._part_kernels()
        if parts is None:
            return None
        return parts[0] if len(parts) == 1 else partial(_extended, fns=tuple(parts))


# module-level (not lambdas), so built modules pickle
def _nested(x: Tensor, fns: tuple[Callable[[Tensor], Tensor], ...]) -> Tensor:
    for fn in fns:
        x = fn(x)
    return x


def _extended(x: Tensor, fns: tuple[Callable[[Tensor], Tensor], ...]) -> Tensor:
    return torch.cat([fn(x) for fn in fns], dim=1)


EXPANSION_BUILDERS: dict[type[ex.Expansion], ExpansionBuilder] = {
    cls: Expansion
    for cls in ex.EXPANSION_TYPES
    if cls not in (ex.NestedExpansion, ex.ExtendedExpansion)
}
EXPANSION_BUILDERS[ex.NestedExpansion] = NestedExpansion
EXPANSION_BUILDERS[ex.ExtendedExpansion] = ExtendedExpansion


def build_expansion(spec: ex.Expansion, ctx: BuildContext, m: int | None = None) -> nn.Module:
    """The module of one expansion spec on inputs of size ``m`` (needed by plugins only)."""
    builder = EXPANSION_BUILDERS.get(type(spec))
    if (
        builder is None
        and spec.family == "compression"
        and not isinstance(spec, (ex.NestedExpansion, ex.ExtendedExpansion))
    ):
        from rpnschema.compile.compression import build_compression

        return build_compression(spec, ctx, m)
    if builder is None and isinstance(spec, ex.NestedExpansion):
        builder = NestedExpansion
    if builder is None and isinstance(spec, ex.ExtendedExpansion):
        builder = ExtendedExpansion
    if builder is None:
        from rpnschema.compile.plugin import PluginExpansion

        return PluginExpansion(spec, ctx, m)
    if isinstance(spec, (ex.NestedExpansion, ex.ExtendedExpansion)):
        return builder(spec, ctx, m)  # type: ignore[call-arg]
    return builder(spec, ctx)
