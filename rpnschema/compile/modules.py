"""The compiled modules: :class:`RPNModel` -> :class:`RPNLayer` -> :class:`RPNHead`.

Learnable parameters carry tinybig's names so tinybig state dicts load unchanged (see
:func:`rpnschema.compile.load_tinybig_state_dict`): a head owns ``w`` (channels x l), ``b`` (n),
``w_remainder`` (n x m), ``b_remainder`` (n) and ``w_channel_fusion`` (1 x l); a layer owns
``w_head_fusion`` (1 x l). A parameter whose size would be 0 is not created (as in tinybig).
Each module keeps its normalized spec in ``.spec``.

A head evaluates <kappa(x), psi(w)> along ``evaluation_path`` (see :mod:`rpnschema.compile.fast`),
chosen at build time from the head's structure; setting it to ``"materialized"`` forces the
reference computation (materialized expansion and W, every component called as a module).

Per-call overhead: on every path but ``materialized`` a head calls its components' ``forward``
directly (not through ``nn.Module.__call__``) and skips its empty processing slots (the ``fused``
path of :mod:`rpnschema.compile.fast` inlines more), and a layer skips its empty processing
slots, returns its only head's output directly when it has no head fusion, and applies a
same-shaped head fusion without the fusion kernel's input checks. So forward hooks and
pre-hooks registered on a head's or layer's *components* (expansion, reconciliation, remainder,
fusions) do not fire on those paths; hooks on heads, layers, the model and on non-empty
processing modules do. What the forward skips is decided at build time from the spec (the
module tree is not meant to be edited after the build).
"""

from __future__ import annotations

from dataclasses import replace

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rpnschema import dims
from rpnschema.compile.components import (
    build_expansion,
    build_fusion,
    build_processing,
    build_reconciliation,
    build_remainder,
)
from rpnschema.compile.context import BuildContext
from rpnschema.compile.fast import FUSED, MATERIALIZED, choose_path, evaluate
from rpnschema.compile.fusion import Fusion
from rpnschema.compile.init import new_bias, new_weight
from rpnschema.compile.interdependence import Interdependence
from rpnschema.compile.reconciliation import Reconciliation
from rpnschema.compile.remainder import Remainder
from rpnschema.spec import remainder as rm
from rpnschema.spec.head import HeadSpec
from rpnschema.spec.layer import LayerSpec
from rpnschema.spec.model import ModelSpec

_MATERIALIZING = (FUSED, MATERIALIZED)


# how the fast forward adds a head's remainder: not at all, kernel only, forward, __call__
# (a linear remainder without activation: F.linear inline)
_REM_SKIP, _REM_LINEAR, _REM_IDENTITY, _REM_COMPUTE, _REM_FORWARD = range(5)


def _remainder_mode(remainder: nn.Module) -> int:
    if getattr(remainder, "skipped", False):
        return _REM_SKIP
    if not isinstance(remainder, Remainder) or remainder.activated:
        return _REM_FORWARD
    inline = {"linear_remainder": _REM_LINEAR, "identity_remainder": _REM_IDENTITY}
    return inline.get(remainder.name, _REM_COMPUTE)


def _filled(value: int | None, what: str) -> int:
    if value is None:
        raise ValueError(f"{what} is not set; build from a normalized spec (rpnschema.load_spec)")
    return value


class RPNHead(nn.Module):
    """g(x) = out(fuse_c(<kappa(in(x)), psi(w_c)> + b) + pi(in(x)))."""

    def __init__(self, spec: HeadSpec, ctx: BuildContext):
        super().__init__()
        self.spec = spec
        m, n = _filled(spec.m, "head m"), _filled(spec.n, "head n")
        D, l = _filled(spec.D, "head D"), _filled(spec.l, "head l")
        reconciliation, remainder = spec.reconciliation, spec.remainder
        if reconciliation is None or remainder is None:
            raise ValueError("head components are not filled; build from a normalized spec")
        self.m, self.n, self.D, self.l, self.channels = m, n, D, l, spec.channels

        self.input_process = build_processing(spec.input_process, ctx.at("input_process"))
        self._xi = _interdependences(self, spec, ctx)
        m_in = spec.m_prime if spec.attribute_interdependence is not None else m
        self.expansion = build_expansion(spec.expansion, ctx.at("expansion"), m_in)
        # a patch convolution reconciles one (n/P) x (D/P) matrix shared by the P patches
        self.patches = _patches(spec, ctx.semantics) if spec.patch_convolution else 0
        P = self.patches or 1
        self.reconciliation = build_reconciliation(
            reconciliation, ctx.at("reconciliation"), n // P, D // P, l
        )
        self.channel_fusion = (
            build_fusion(spec.channel_fusion, ctx.at("channel_fusion"))
            if spec.channel_fusion is not None
            else None
        )
        self.remainder = build_remainder(remainder, ctx.at("remainder"), m, n)
        self.output_process = build_processing(spec.output_process, ctx.at("output_process"))

        self.w = new_weight(ctx.at("w"), spec.channels, l) if l > 0 else None
        with_b = dims.has_bias(reconciliation, l, ctx.semantics)
        self.b = new_bias(ctx.at("b"), n, l) if with_b else None
        linear = isinstance(remainder, rm.LinearRemainder)
        self.w_remainder = new_weight(ctx.at("w_remainder"), n, m) if linear else None
        with_bias = linear and remainder.enable_bias  # type: ignore[union-attr]
        self.b_remainder = new_bias(ctx.at("b_remainder"), n, m) if with_bias else None
        fusion_l = self.channel_fusion.l if self.channel_fusion is not None else 0
        self.w_channel_fusion = (
            new_weight(ctx.at("w_channel_fusion"), 1, fusion_l) if fusion_l > 0 else None
        )
        path = choose_path(self.expansion, self.reconciliation, ctx.semantics)
        self.evaluation_path = path if self.w is not None else FUSED
        # decided once from the spec, for the per-call fast forward
        self._in, self._out = len(self.input_process) > 0, len(self.output_process) > 0
        self._single = spec.channels == 1 and self.channel_fusion is None
        self._own_reconciliation = isinstance(self.reconciliation, Reconciliation)
        self._own_fusion = isinstance(self.channel_fusion, Fusion)
        self._rem = _remainder_mode(self.remainder)
        # a catalog expansion (or a composition of them) without pre/post-processing: one plain
        # function of x, called inline
        direct = getattr(self.expansion, "direct_kernel", None)
        self._kernel = direct() if direct is not None else None

    def kappa_xi(self, x: Tensor, channel: int = 0) -> Tensor:
        """A_inst^T kappa(x A_attr) for one channel's interdependence weights (x processed)."""
        attr, inst = self.attribute_interdependence, self.instance_interdependence
        if attr is not None:
            w = self.w_attribute_interdependence
            x_attr = attr.apply(x, w[channel : channel + 1] if w is not None else None)
        else:
            x_attr = x
        kappa = self.expansion(x_attr)
        if inst is not None:
            w = self.w_instance_interdependence
            kappa = inst.apply(x, w[channel : channel + 1] if w is not None else None, kappa)
        return kappa

    def _xi_forward(self, x: Tensor) -> Tensor:
        """The forward of a head with interdependences (every channel recomputes kappa_xi when
        an interdependence has parameters, as in tinybig; otherwise it is computed once)."""
        x = self.input_process(x)
        C = self.channels
        shared = (
            self.w_attribute_interdependence is None and self.w_instance_interdependence is None
        )
        outs: list[Tensor] = []
        kappa = self.kappa_xi(x, 0)
        Ws = self.reconciliation(self.w, C, kappa)  # (C, n, D)
        for c in range(C):
            if c > 0 and not shared:
                kappa = self.kappa_xi(x, c)
            if self.patches:
                outs.append(self._convolve(kappa, Ws[c]))
            else:
                outs.append(F.linear(kappa, Ws[c], self.b))
        if self.channel_fusion is not None:
            out = self.channel_fusion(outs, self.w_channel_fusion)
        else:
            out = outs[0]
        if not self.remainder.skipped:
            out = out + self.remainder(x, self.w_remainder, self.b_remainder)
        return self.output_process(out)

    def _convolve(self, kappa: Tensor, W: Tensor) -> Tensor:
        """The patch convolution: kappa (b, P * D/P) times W (n/P, D/P) at every patch, out
        channel-major (b, n/P * P), plus the bias."""
        b = kappa.shape[0]
        y = torch.matmul(kappa.reshape(b, self.patches, -1), W.t())  # (b, P, n/P)
        y = y.transpose(1, 2).reshape(b, -1)
        return y + self.b if self.b is not None else y

    def channel_outputs(self, x: Tensor) -> list[Tensor]:
        """<kappa(x), psi(w_c)> + b for each channel c, (b, n) each; x is the processed input."""
        C, n = self.channels, self.n
        if self.evaluation_path not in _MATERIALIZING and self.w is not None:
            y = evaluate(self.evaluation_path, x, self.expansion, self.reconciliation, self.w)
            if self.b is not None:
                y = y + self.b
            return list(y.unbind(1))
        kappa = self.expansion(x)
        W = self.reconciliation(self.w, C, kappa)  # (C, n, D)
        if C == 1:
            return [F.linear(kappa, W[0], self.b)]
        y = F.linear(kappa, W.reshape(C * n, -1)).unflatten(-1, (C, n))
        if self.b is not None:
            y = y + self.b  # one bias shared by the channels (tinybig)
        return list(y.unbind(1))

    def forward(self, x: Tensor) -> Tensor:
        if self._xi:
            return self._xi_forward(x)
        path = self.evaluation_path
        if path == MATERIALIZED:
            return self.reference_forward(x)
        if self._in:
            x = self.input_process(x)
        if self._single and path == FUSED:
            kappa = self._kernel(x) if self._kernel is not None else self.expansion.forward(x)
            if self._own_reconciliation:
                W = self.reconciliation.matrix(self.w, kappa)
            else:
                W = self.reconciliation.forward(self.w, 1, kappa)[0]
            out = F.linear(kappa, W, self.b)
        else:
            y, dim = self._channel_tensor(x, path)
            fusion = self.channel_fusion
            if fusion is None:
                out = y.select(dim, 0)
            elif self._own_fusion:
                out = fusion.fuse_stacked(y, self.w_channel_fusion, dim)
            else:
                out = fusion.forward(list(y.unbind(dim)), self.w_channel_fusion)
        mode = self._rem
        if mode == _REM_LINEAR:
            w = self.w_remainder
            out = out + (F.linear(x, w, self.b_remainder) if w is not None else x)
        elif mode == _REM_IDENTITY:
            out = out + x
        elif mode == _REM_COMPUTE:
            out = out + self.remainder.compute(x, self.w_remainder, self.b_remainder)
        elif mode == _REM_FORWARD:
            out = out + self.remainder.forward(x, self.w_remainder, self.b_remainder)
        return self.output_process(out) if self._out else out

    def _channel_tensor(self, x: Tensor, path: str) -> tuple[Tensor, int]:
        """<kappa(x), psi(w_c)> + b of every channel, for ``forward``: (b, C, n) with dim 1 on
        the structured paths, (C, b, n) with dim 0 on ``fused`` (the layout of the channels
        stacked, which the fusions reduce fastest)."""
        if path != FUSED and self.w is not None:
            y = evaluate(path, x, self.expansion, self.reconciliation, self.w)
            dim = 1
        else:
            kappa = self._kernel(x) if self._kernel is not None else self.expansion.forward(x)
            if self._own_reconciliation:
                W = self.reconciliation.matrices(self.w, self.channels, kappa)  # (C, n, D)
            else:
                W = self.reconciliation.forward(self.w, self.channels, kappa)
            k, Wt = kappa.expand(self.channels, -1, -1), W.transpose(1, 2)
            if self.b is None:
                return torch.bmm(k, Wt), 0  # (C, b, n)
            return torch.baddbmm(self.b, k, Wt), 0  # one bias shared by the channels
        return (y + self.b if self.b is not None else y), dim

    def reference_forward(self, x: Tensor) -> Tensor:
        """The ``materialized`` evaluation: every component called as a module."""
        if self._xi:
            return self._xi_forward(x)
        x = self.input_process(x)
        outs = self.channel_outputs(x)
        if self.channel_fusion is not None:
            out = self.channel_fusion(outs, self.w_channel_fusion)
        else:
            out = outs[0]
        if not self.remainder.skipped:
            out = out + self.remainder(x, self.w_remainder, self.b_remainder)
        return self.output_process(out)

    def extra_repr(self) -> str:
        return (
            f"m={self.m}, n={self.n}, D={self.D}, l={self.l}, channels={self.channels}, "
            f"path={self.evaluation_path}"
        )


def _patches(spec: HeadSpec, semantics: str) -> int:
    from rpnschema import dims_grid

    return dims_grid.conv_blocks(spec, semantics)


def _interdependences(head: RPNHead, spec: HeadSpec, ctx: BuildContext) -> bool:
    """Build the head's interdependence slots and their weights; True when it has any."""
    m = _filled(spec.m, "head m")
    for kind in ("attribute", "instance"):
        slot = f"{kind}_interdependence"
        fn = getattr(spec, slot)
        module = Interdependence(fn, ctx.at(slot), kind, spec.batch, m) if fn is not None else None
        setattr(head, slot, module)
        l = module.l if module is not None else 0
        weight = new_weight(ctx.at(f"w_{slot}"), spec.channels, l) if l > 0 else None
        setattr(head, f"w_{slot}", weight)
    return spec.attribute_interdependence is not None or spec.instance_interdependence is not None


def head_module(spec: HeadSpec, ctx: BuildContext) -> RPNHead:
    """The module of a normalized head: a sequence head when it has steps."""
    if spec.steps is not None:
        from rpnschema.compile.sequence import SequenceHead

        return SequenceHead(spec, ctx)
    return RPNHead(spec, ctx)


class RPNLayer(nn.Module):
    """``width`` heads on the same (processed) input, combined by the head fusion."""

    def __init__(self, spec: LayerSpec, ctx: BuildContext, heads_on: torch.device | None = None):
        """``heads_on``: build the heads on this device instead (``meta``: the layer's own
        tensors alone get values, see :mod:`rpnschema.compile.distributed`)."""
        super().__init__()
        self.spec = spec
        self.m, self.n = _filled(spec.m, "layer m"), _filled(spec.n, "layer n")
        self.input_process = build_processing(spec.input_process, ctx.at("input_process"))
        head_ctx = ctx if heads_on is None else replace(ctx, device=heads_on)
        heads = []
        for i, head in enumerate(spec.heads):
            if not isinstance(head, HeadSpec):
                raise ValueError("presets are not expanded; build from a normalized spec")
            if spec.share_heads and heads:  # one head object under every index (tinybig)
                heads.append(heads[0])
                continue
            heads.append(head_module(head, head_ctx.at("heads", i)))
        self.heads = nn.ModuleList(heads)
        self.head_fusion = (
            build_fusion(spec.head_fusion, ctx.at("head_fusion"))
            if spec.head_fusion is not None
            else None
        )
        fusion_l = self.head_fusion.l if self.head_fusion is not None else 0
        self.w_head_fusion = (
            new_weight(ctx.at("w_head_fusion"), 1, fusion_l) if fusion_l > 0 else None
        )
        self.output_process = build_processing(spec.output_process, ctx.at("output_process"))
        self._in, self._out = len(self.input_process) > 0, len(self.output_process) > 0
        self._own_fusion = isinstance(self.head_fusion, Fusion)
        self._pool = spec.steps if spec.pool_steps else None

    def forward(self, x: Tensor) -> Tensor:
        if self._in:
            x = self.input_process(x)
        if self._pool is not None:
            from rpnschema.compile.sequence import pool_positions

            x = pool_positions(x, self._pool)
        if self.head_fusion is None:  # one head (normalization adds a fusion to wider layers)
            out = next(iter(self.heads))(x)
        else:
            outs = [head(x) for head in self.heads]
            if self._own_fusion:
                out = self.head_fusion.fuse(outs, self.w_head_fusion)
            else:
                out = self.head_fusion.forward(outs, self.w_head_fusion)
        return self.output_process(out) if self._out else out

    def extra_repr(self) -> str:
        return f"m={self.m}, n={self.n}, width={len(self.heads)}"


class RPNModel(nn.Module):
    """The layers of a normalized :class:`~rpnschema.spec.ModelSpec`, applied in sequence.

    ``spec`` is the normalized spec with the device, dtype and seed actually used, so
    ``rpnschema.build(model.spec)`` rebuilds the same architecture with the same weights.
    """

    def __init__(self, spec: ModelSpec, ctx: BuildContext):
        super().__init__()
        self.spec = spec
        if not spec.layers:
            raise ValueError("the spec has no layers; build from a normalized spec")
        self.layers = nn.ModuleList(
            RPNLayer(layer, ctx.at("layers", j)) for j, layer in enumerate(spec.layers)
        )

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.layers:
            x = layer(x)
        return x
