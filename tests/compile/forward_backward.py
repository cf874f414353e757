"""One forward and backward pass, for comparing evaluation paths (test_fast_paths, test_fused)."""

from __future__ import annotations

import torch


def run(model, x: torch.Tensor):
    """(output, input gradient, parameter gradients) of a weighted squared-output loss."""
    x = x.clone().requires_grad_(True)
    model.zero_grad(set_to_none=True)
    y = model(x)
    if not y.requires_grad:  # e.g. parameterless and piecewise constant: nothing to differentiate
        return y.detach(), None, {}
    (y * torch.linspace(-1, 1, y.shape[1], dtype=y.dtype)).square().sum().backward()
    grads = {k: p.grad.clone() for k, p in model.named_parameters() if p.grad is not None}
    return y.detach(), x.grad, grads
