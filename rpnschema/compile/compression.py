"""Data compression modules kappa: (b, m) -> (b, D): preprocess, kernel, postprocess.

Stateless compressions call a kernel of ``kernels.compression.COMPRESSIONS``; fitted ones own a
fitter (``FITTED``) that keeps its state between calls, refitting on every batch as tinybig
does. Fitted kernels may return float64 (scikit-learn); the module returns the input's dtype,
so that a float32 head can use it (tinybig itself fails there with a dtype mismatch).
"""

from __future__ import annotations

from typing import Any

from torch import Tensor

from rpnschema.compile.components import BUILDERS
from rpnschema.compile.context import BuildContext
from rpnschema.compile.expansion import Expansion, kernel_params
from rpnschema.compile.kernels.compression import COMPRESSIONS, FITTED, FUNCTIONS
from rpnschema.spec.compression import geometric as cg
from rpnschema.spec.compression import probabilistic as cp
from rpnschema.spec.compression.base import Compression as CompressionSpec


def compression_params(spec: CompressionSpec, semantics: str) -> dict[str, Any]:
    """The kernel keyword arguments of a stateless compression spec."""
    if isinstance(spec, cg.GeometricCompression):
        patch = cg.as_patch_based(spec)
        return {"shape": spec.patch.shape, **kernel_params(patch)}
    if isinstance(spec, cp._ProbabilisticCompression):
        name, params = spec.distribution_spec()
        normalize = spec.require_normalization or (
            semantics == "tinybig" and spec.name in cp.ALWAYS_NORMALIZED
        )
        return {
            "k": spec.k,
            "distribution_name": name,
            "distribution_params": params,
            "simply_sampling": spec.simply_sampling,
            "with_replacement": spec.with_replacement,
            "require_normalization": normalize,
            "log_prob": spec.log_prob and not spec.simply_sampling,
        }
    return kernel_params(spec)


class Compression(Expansion):
    """One stateless catalog compression."""

    def __init__(self, spec: CompressionSpec, ctx: BuildContext):
        super().__init__(spec, ctx)
        self.kernel = COMPRESSIONS[spec.name]
        self.params = compression_params(spec, ctx.semantics)
        self._kwargs = {"semantics": self.semantics, **self.params}


class FittedCompression(Expansion):
    """A compression fitted to every batch it sees (its state lives in ``self.fitter``)."""

    def __init__(self, spec: CompressionSpec, ctx: BuildContext, m: int | None = None):
        super().__init__(spec, ctx)
        function = getattr(spec, "function", None)
        table = FUNCTIONS.get(function, FITTED[spec.name]) if function else FITTED[spec.name]
        cls = table[ctx.semantics]
        kwargs: dict[str, Any] = {"semantics": ctx.semantics, "D": spec.D}  # type: ignore[attr-defined]
        if cls.__name__ == "Embedding":
            kwargs["function"] = function or spec.name.removesuffix("_manifold_compression")
            for key in ("n_neighbors", "perplexity"):
                if hasattr(spec, key):
                    kwargs[key] = getattr(spec, key)
        if cls.__name__ == "TorchRandomProjection":
            if m is None:
                raise ValueError(f"{spec.name} needs its input size m to be built")
            kwargs.update(m=m, generator=ctx.generator())
        self.fitter = cls(**kwargs)
        self.kernel = None

    def expand(self, x: Tensor) -> Tensor:
        y = self.fitter(x)
        return y if y.dtype == x.dtype else y.to(x.dtype)

    def extra_repr(self) -> str:
        return f"{self.name}({type(self.fitter).__name__}, D={self.params.get('D')})"


def build_compression(spec: CompressionSpec, ctx: BuildContext, m: int | None = None) -> Expansion:
    """The module of a non-composite compression spec on inputs of size ``m``."""
    if spec.fitted:
        return FittedCompression(spec, ctx, m)
    return Compression(spec, ctx)


def _builders() -> dict[type, Any]:
    from rpnschema.compile import expansion as cexp
    from rpnschema.spec.compression import COMPRESSION_TYPES
    from rpnschema.spec.compression import basic as cb

    table: dict[type, Any] = {cls: build_compression for cls in COMPRESSION_TYPES}
    table[cb.NestedCompression] = cexp.NestedExpansion
    table[cb.ExtendedCompression] = cexp.ExtendedExpansion
    return table


#: Every compression class -> its builder; added to ``rpnschema.compile.BUILDERS`` when this
#: module is first imported (the first time a compression is built).
COMPRESSION_BUILDERS = _builders()
BUILDERS.update(COMPRESSION_BUILDERS)

__all__ = [
    "COMPRESSION_BUILDERS",
    "Compression",
    "FittedCompression",
    "build_compression",
    "compression_params",
]
