"""``build``: a spec (file, data or ModelSpec) -> a normalized spec -> an :class:`RPNModel`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from rpnschema.compile.context import DTYPE_NAMES, BuildContext, fresh_seed, resolve_device
from rpnschema.compile.context import resolve_dtype as _resolve_dtype
from rpnschema.compile.modules import RPNModel
from rpnschema.spec.model import ModelSpec
from rpnschema.validate import load_spec


def build(
    spec: ModelSpec | dict[str, Any] | str | Path,
    device: str | torch.device | None = None,
    dtype: str | torch.dtype | None = None,
    seed: int | None = None,
    structures: Mapping[str, Any] | None = None,
) -> RPNModel:
    """Compile a spec into a torch module.

    Args:
        spec: a spec file path, plain spec data, or a :class:`ModelSpec`; it is validated and
            normalized first (:class:`~rpnschema.errors.SpecError` lists every problem).
        device: ``cpu``, ``cuda``, ``cuda:N``, ``mps`` or ``meta`` (shapes only, nothing
            allocated or initialized); overrides ``spec.device``.
        dtype: ``float32``, ``float64`` or ``bfloat16`` (or the torch dtype); overrides
            ``spec.dtype``.
        seed: seeds the weights and random buffers; overrides ``spec.seed``. Without any
            seed one is drawn from torch's global generator and recorded in ``module.spec``.
        structures: the graphs a spec names with ``structure: <name>`` (interdependences
            whose structure comes from data): ``{name: {"nodes": [ids], "links": [[a, b],
            ...]}}``; each must have the node count the spec declares.

    Returns:
        An :class:`RPNModel` whose ``spec`` is the normalized spec with the device, dtype and
        seed used; its parameter count equals ``spec.parameters``.

    Raises:
        DeviceError: the device (or the dtype on it) is not available here.
        ValueError: ``seed`` is outside 0..2**63-1 (a file saved with it could not be loaded).
        StructureError: a named structure is missing or does not fit.
    """
    normalized = load_spec(spec)
    dev = resolve_device(device if device is not None else normalized.device)
    dt = _resolve_dtype(dtype if dtype is not None else normalized.dtype, dev)
    if seed is None:
        seed = normalized.seed if normalized.seed is not None else fresh_seed()
    if isinstance(seed, bool) or not 0 <= int(seed) <= 2**63 - 1:  # what a spec's seed may be
        raise ValueError(f"seed must be in 0..2**63-1 (a spec's seed), got {seed!r}")
    used = normalized.model_copy(
        update={"device": str(dev), "dtype": DTYPE_NAMES[dt], "seed": int(seed)}
    )
    ctx = BuildContext(
        semantics=used.semantics,
        device=dev,
        dtype=dt,
        seed=int(seed),
        init=used.init,
        structures=structures,
    )
    return RPNModel(used, ctx)
