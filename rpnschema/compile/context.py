"""What every builder needs besides its spec: device, dtype, semantics, init method and a seed
for the component it builds, derived from the model seed and the component's path.

Paths are state-dict names (``layers.0.heads.1.w``), so a component's random draws depend only
on the model seed and where the component sits, not on what else the model contains.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import torch

from rpnschema.errors import DeviceError, plural

DTYPES: dict[str, torch.dtype] = {
    "float32": torch.float32,
    "float64": torch.float64,
    "bfloat16": torch.bfloat16,
}
DTYPE_NAMES: dict[torch.dtype, str] = {v: k for k, v in DTYPES.items()}


def derive_seed(seed: int, path: str) -> int:
    """A 63-bit seed for the component at ``path``, a pure function of (seed, path)."""
    digest = hashlib.sha256(f"{seed}/{path}".encode()).digest()
    return int.from_bytes(digest[:8], "little") & (2**63 - 1)


def fresh_seed() -> int:
    """A seed drawn from torch's global CPU generator (so ``torch.manual_seed`` governs it)."""
    return int(torch.randint(0, 2**62, (), dtype=torch.int64).item())


def _available() -> list[str]:
    names = ["cpu", "meta"]
    if torch.cuda.is_available():
        names += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if _mps_available():
        names.append("mps")
    return names


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def resolve_device(device: str | torch.device) -> torch.device:
    """``device`` as a torch.device; raises :class:`DeviceError` when it is not usable here."""
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as e:
        raise DeviceError(
            f"device {device!r} is not a device name; use one of cpu, meta, mps, cuda, cuda:N"
        ) from e
    if dev.type in ("cpu", "meta"):
        return dev
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError(
                f"device {str(device)!r} is not available: this torch ({torch.__version__}) "
                f"sees no CUDA GPU; available: {', '.join(_available())}"
            )
        count = torch.cuda.device_count()
        if dev.index is not None and dev.index >= count:
            raise DeviceError(
                f"device {str(device)!r} is not available: {plural(count, 'CUDA device')} visible; "
                f"available: {', '.join(_available())}"
            )
        return dev
    if dev.type == "mps":
        if not _mps_available():
            raise DeviceError(
                f"device 'mps' is not available on this machine; available: "
                f"{', '.join(_available())}"
            )
        return dev
    raise DeviceError(
        f"device {str(device)!r} is not supported; use one of cpu, meta, mps, cuda, cuda:N"
    )


def resolve_dtype(dtype: str | torch.dtype, device: torch.device) -> torch.dtype:
    """``dtype`` (a name or a torch dtype) as a torch dtype supported on ``device``."""
    if isinstance(dtype, torch.dtype):
        if dtype not in DTYPE_NAMES:
            raise DeviceError(f"dtype {dtype} is not supported; use one of {', '.join(DTYPES)}")
        resolved = dtype
    elif dtype in DTYPES:
        resolved = DTYPES[dtype]
    else:
        raise DeviceError(f"dtype {dtype!r} is not supported; use one of {', '.join(DTYPES)}")
    if device.type == "mps" and resolved == torch.float64:
        raise DeviceError("dtype float64 is not supported on mps; use float32 or bfloat16")
    return resolved


@dataclass(frozen=True)
class BuildContext:
    """Build settings plus the path of the component being built."""

    semantics: str
    device: torch.device
    dtype: torch.dtype
    seed: int
    init: str
    path: str = ""
    #: graphs supplied at build time, by the name a spec's ``structure:`` gives them
    structures: Mapping[str, Any] | None = None

    def at(self, *names: str | int) -> BuildContext:
        """The context of a child component (``ctx.at("heads", 0)``)."""
        parts = [self.path] if self.path else []
        parts += [str(n) for n in names]
        return replace(self, path=".".join(parts))

    @property
    def meta(self) -> bool:
        return self.device.type == "meta"

    def generator(self) -> torch.Generator:
        """A CPU generator seeded for this path (draws are moved to the device afterwards)."""
        return torch.Generator().manual_seed(derive_seed(self.seed, self.path))

    def empty(self, *shape: int, dtype: torch.dtype | None = None) -> torch.Tensor:
        return torch.empty(*shape, device=self.device, dtype=dtype or self.dtype)
