"""Shared state and reporting of the tinybig config reader."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from rpnschema.errors import Code, Diagnostic, Loc
from rpnschema.interop._pathmap import PathMap


def close(word: str, choices: list[str]) -> str | None:
    """The nearest of ``choices`` ("did you mean"), if any is close."""
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return found[0] if found else None


@dataclass
class ReaderBase:
    """Diagnostics (at tinybig paths) and the native -> tinybig path map of one conversion."""

    diags: list[Diagnostic]
    paths: PathMap

    # -- reporting ---------------------------------------------------------------------------

    def report(
        self, code: Code, path: Loc, message: str, severity: str = "error", **kw: Any
    ) -> None:
        self.diags.append(Diagnostic(code, message, path=tuple(path), severity=severity, **kw))  # type: ignore[arg-type]

    def wrong_type(self, path: Loc, expected: str) -> None:
        self.report(
            Code.WRONG_TYPE,
            path,
            f"{path[-1] if path else 'the document'} must be {expected}",
            expected=expected,
        )

    def unknown_key(self, path: Loc, key: Any, allowed: list[str], owner: str) -> None:
        near = close(str(key), allowed)
        self.report(
            Code.UNKNOWN_KEY,
            path,
            f"unknown key {key!r} in {owner}: tinybig passes unknown keys on as **kwargs and "
            "ignores them, so it has no effect",
            severity="warning",
            found=str(key),
            suggestion=f"did you mean {near!r}?" if near else "remove it",
        )

    def python_object(self, path: Loc, key: str) -> None:
        self.report(
            Code.NOT_REPRESENTABLE,
            path,
            f"{key} takes Python objects, which a config cannot describe",
            suggestion=f"use {key.rstrip('s')}_configs" if not key.endswith("configs") else None,
        )

    def check_device(self, params: dict[str, Any], path: Loc) -> None:
        device = params.get("device")
        if device is not None and not isinstance(device, str):
            self.wrong_type((*path, "device"), "a device name")
