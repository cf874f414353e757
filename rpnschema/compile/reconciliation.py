"""Parameter reconciliation modules psi: w (channels, l) -> W (channels, n, D).

The learnable ``w`` and the reconciliation bias ``b`` belong to the head (tinybig's names);
this module holds only what the function itself owns: the random draws of the random
reconciliations and, for ``hypernet_reconciliation(static=False)``, its trained network.

``masking_reconciliation(fixed_mask=False)`` draws a new mask (from torch's global generator)
at every forward pass in training mode, as tinybig does; in eval mode it uses its stored mask.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from rpnschema.compile.context import BuildContext
from rpnschema.compile.draws import Shape, random_tensors, register
from rpnschema.compile.expansion import kernel_params
from rpnschema.compile.kernels.reconciliation import RANDOM_BUFFERS, RECONCILIATIONS, resolve_pq
from rpnschema.spec import reconciliation as rc

ReconciliationBuilder = Callable[[rc.Reconciliation, BuildContext, int, int, int], nn.Module]

_SKIP = frozenset({"name", "enable_bias"})
_PARAMETERLESS = (
    rc.ConstantReconciliation,
    rc.ZeroReconciliation,
    rc.OneReconciliation,
    rc.ConstantEyeReconciliation,
)

RandomShapes = dict[str, tuple[Shape, torch.dtype | None]]


def random_shapes(spec: rc.Reconciliation, n: int, D: int) -> RandomShapes:
    """Shapes (and dtypes; None = the model's) of a random reconciliation's draws."""
    if isinstance(spec, rc.MaskingReconciliation):
        return {"mask": ((n, D), torch.bool)}
    if isinstance(spec, rc.RandomMatrixAdaptionReconciliation):
        return {"A": ((n, spec.r), None), "B": ((D, spec.r), None)}
    if isinstance(spec, rc.RandomMatrixHypernetReconciliation):
        r, h = spec.r, spec.hidden_dim
        return {
            "P": ((spec.l, r), None),
            "Q": ((h, r), None),
            "S": ((h, r), None),
            "T": ((n * D, r), None),
        }
    if isinstance(spec, rc.HypernetReconciliation):
        h = spec.hidden_dim
        return {
            "weight1": ((h, spec.l), None),
            "bias1": ((h,), None),
            "weight2": ((n * D, h), None),
            "bias2": ((n * D,), None),
        }
    return {}


class Reconciliation(nn.Module):
    """psi applied to each channel's row of w; l = 0 functions ignore w."""

    def __init__(self, spec: rc.Reconciliation, ctx: BuildContext, n: int, D: int, l: int):
        super().__init__()
        self.name = spec.name
        self.semantics = ctx.semantics
        self.kernel = RECONCILIATIONS[spec.name]
        self.params = kernel_params(spec, _SKIP)
        self.n, self.D, self.l = n, D, l
        self.parameterless = isinstance(spec, _PARAMETERLESS)
        self.random_names: tuple[str, ...] = ()
        self.redraw_mask = isinstance(spec, rc.MaskingReconciliation) and not spec.fixed_mask
        if spec.name in RANDOM_BUFFERS:
            drawn = random_tensors(
                RANDOM_BUFFERS[spec.name], random_shapes(spec, n, D), ctx, n=n, D=D, **self.params
            )
            hypernet = isinstance(spec, rc.HypernetReconciliation)
            trainable = hypernet and not spec.static
            # tinybig registers a static hypernet's network as frozen parameters
            frozen = hypernet and self.semantics == "tinybig"
            register(self, drawn, trainable=trainable, frozen=frozen)
            self.random_names = tuple(drawn)
        self._kwargs = {"n": n, "D": D, "semantics": self.semantics, **self.params}
        self._identity = spec.name == "identity_reconciliation"
        self._lorr_r = spec.r if isinstance(spec, rc.LorrReconciliation) else 0
        self._kron_pq: tuple[int, int] | None = None  # native hm: the factor shapes, resolved once
        if isinstance(spec, rc.HMReconciliation) and self.semantics == "native":
            self._kron_pq = resolve_pq("hm", n, D, spec.p, spec.q)

    def _random_inputs(self, like: Tensor) -> dict[str, Tensor]:
        tensors = {k: getattr(self, k) for k in self.random_names}
        if self.redraw_mask and self.training:
            u = torch.rand(self.n, self.D, device=like.device)
            tensors["mask"] = u < self.params["p"]
        return tensors

    def forward(self, w: Tensor | None, channels: int, like: Tensor) -> Tensor:
        """W for every channel, (channels, n, D); ``like`` gives dtype and device."""
        if self.parameterless:
            W = self.kernel(
                None,
                n=self.n,
                D=self.D,
                semantics=self.semantics,
                dtype=like.dtype,
                device=like.device,
                **self.params,
            )
            return W.unsqueeze(0).expand(channels, -1, -1)
        if w is None:  # pragma: no cover - the head always registers w when l > 0
            raise RuntimeError(f"{self.name} needs its parameters w")
        extra = {"buffers": self._random_inputs(like)} if self.random_names else {}
        Ws = [
            self.kernel(w[c], n=self.n, D=self.D, semantics=self.semantics, **self.params, **extra)
            for c in range(channels)
        ]
        return torch.stack(Ws, dim=0)

    def matrix(self, w: Tensor | None, like: Tensor) -> Tensor:
        """W (n, D) of a one-channel head from its (1, l) ``w``: ``forward(w, 1, like)[0]``
        without the channel list and stack (the ``fused`` path's per-call saving)."""
        if w is not None and self._identity:
            return w.view(self.n, self.D)
        if w is not None and self._lorr_r:  # the kernel's A @ B, without its shape checks
            k = self.n * self._lorr_r
            v = w.view(-1)
            return v[:k].view(self.n, self._lorr_r) @ v[k:].view(self._lorr_r, self.D)
        if w is not None and self._kron_pq is not None:  # native hm: kron(A, B), unchecked
            p, q = self._kron_pq
            v = w.view(-1)
            A, B = v[: p * q].view(p, q), v[p * q :].view(self.n // p, self.D // q)
            return torch.kron(A, B)
        if self.parameterless:
            return self.kernel(None, dtype=like.dtype, device=like.device, **self._kwargs)
        if self.random_names:
            return self.kernel(w, buffers=self._random_inputs(like), **self._kwargs)
        return self.kernel(w, **self._kwargs)

    def matrices(self, w: Tensor | None, channels: int, like: Tensor) -> Tensor:
        """``forward`` for the ``fused`` path: identity's W is a view of w (no per-channel
        kernel calls and stack)."""
        if self._identity and w is not None:
            return w.view(channels, self.n, self.D)
        return self.forward(w, channels, like)

    def extra_repr(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.params.items() if v is not None)
        return f"{self.name}({args}), n={self.n}, D={self.D}, l={self.l}"


RECONCILIATION_BUILDERS: dict[type[rc.Reconciliation], ReconciliationBuilder] = {
    cls: Reconciliation for cls in rc.RECONCILIATION_TYPES
}


def build_reconciliation(
    spec: rc.Reconciliation, ctx: BuildContext, n: int, D: int, l: int
) -> nn.Module:
    """The module of one reconciliation spec fabricating n x D matrices from l values."""
    builder = RECONCILIATION_BUILDERS.get(type(spec))
    if builder is None:
        from rpnschema.compile.plugin import PluginReconciliation

        return PluginReconciliation(spec, ctx, n, D, l)
    return builder(spec, ctx, n, D, l)
