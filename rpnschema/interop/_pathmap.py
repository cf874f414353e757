"""Where each part of a converted spec came from: native spec path -> source document path."""

from __future__ import annotations

from dataclasses import dataclass, field

from rpnschema.errors import Diagnostic, Loc


@dataclass
class PathMap:
    """native path -> foreign path; a lookup uses the longest recorded prefix."""

    entries: dict[Loc, Loc] = field(default_factory=dict)

    def add(self, native: Loc, foreign: Loc) -> None:
        self.entries[tuple(native)] = tuple(foreign)

    def setdefault(self, native: Loc, foreign: Loc) -> None:
        self.entries.setdefault(tuple(native), tuple(foreign))

    def lookup(self, native: Loc) -> Loc:
        """The foreign path of ``native``: its longest mapped prefix, then the rest unchanged."""
        path = tuple(native)
        for cut in range(len(path), -1, -1):
            base = self.entries.get(path[:cut])
            if base is not None:
                return base + path[cut:]
        return path

    def translate(self, diagnostic: Diagnostic) -> Diagnostic:
        from dataclasses import replace

        return replace(diagnostic, path=self.lookup(diagnostic.path))
