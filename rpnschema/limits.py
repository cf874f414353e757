"""Resource limits: every budget a spec is checked against before anything is allocated.

One place for the defaults; the API takes a :class:`Limits` (``validate_file(path, limits=...)``)
and the CLI overrides each field with an option (``--max-dim``, ``--max-nodes``, ...). See
SECURITY.md for what each limit protects against.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Largest spec file read (bytes).
MAX_FILE_BYTES = 16 * 1024 * 1024
#: Most values in a document, counting every expansion of a YAML alias (a "billion laughs"
#: document is a few hundred bytes that expands to 10**9 values).
MAX_NODES = 100_000
#: Deepest nesting of mappings and lists (a spec is at most ~10 levels deep).
MAX_DEPTH = 64
#: Most heads in a layer (after width_alloc), layers in a model (after depth_alloc or dims),
#: heads in a model and channels of a head: far beyond real models, low enough that a typo such
#: as width: 1000000000 is reported at once instead of materializing a billion heads.
MAX_COUNT = 10_000

#: Bytes a build and its forward check may allocate (:mod:`rpnschema.memory`): 16 GiB.
MAX_MEMORY = 16 * 2**30


@dataclass(frozen=True)
class Limits:
    """Resource budgets checked before anything is allocated.

    Document limits (``max_file_bytes``, ``max_nodes``, ``max_depth``) are checked while loading:
    a violation is an RPN104 load error (exit code 2). Model limits (``max_count``, ``max_dim``,
    ``max_parameters``, ``max_memory`` in bytes) are checked during validation: a violation is an
    RPN408 error (exit 1); ``rpnschema build`` and ``load`` check ``max_memory`` again for their
    own batch and dtype before allocating.
    """

    max_parameters: int = 1_000_000_000
    max_dim: int = 100_000_000
    max_count: int = MAX_COUNT
    max_nodes: int = MAX_NODES
    max_depth: int = MAX_DEPTH
    max_file_bytes: int = MAX_FILE_BYTES
    max_memory: int = MAX_MEMORY
