"""One error hierarchy and the stable diagnostic codes of rpnschema.

Every problem found in a spec is a :class:`Diagnostic`: where (a path in the spec and, when the
spec came from a file, the line and column), what was expected, what was found, and a
suggestion where one exists. Validation collects them all and raises once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Literal

Severity = Literal["error", "warning", "notice"]
Loc = tuple[str | int, ...]


class Code(str, Enum):
    """Stable codes, one per kind of problem. Never renumber; only add."""

    # 1xx: the document itself
    SYNTAX = "RPN100"
    NOT_A_MAPPING = "RPN101"
    DUPLICATE_KEY = "RPN102"
    IO = "RPN103"
    RESOURCE = "RPN104"
    SPEC_VERSION = "RPN105"
    NUMBER_TOO_LONG = "RPN106"
    # 2xx: structure (types, keys, function names, bounds)
    UNKNOWN_KEY = "RPN200"
    UNKNOWN_FUNCTION = "RPN201"
    MISSING = "RPN202"
    WRONG_TYPE = "RPN203"
    OUT_OF_BOUNDS = "RPN204"
    BAD_VALUE = "RPN205"
    CONFLICT = "RPN206"
    # 3xx: normalization (allocations, inheritance, presets)
    WIDTH_ALLOC = "RPN300"
    DEPTH_ALLOC = "RPN301"
    INHERITED_MISMATCH = "RPN302"
    MISSING_DIM = "RPN303"
    DEFAULT_APPLIED = "RPN310"
    VALUE_INFERRED = "RPN311"
    REPEATED = "RPN312"
    PRESET_EXPANDED = "RPN313"
    # 4xx: dimensions and counts
    LAYER_CHAIN = "RPN400"
    REPEATED_LAYER = "RPN401"
    DIVISIBILITY = "RPN402"
    REMAINDER = "RPN403"
    PROCESSING_SIZE = "RPN404"
    FUSION_DIMS = "RPN405"
    PINNED_MISMATCH = "RPN406"
    EXPANSION_DOMAIN = "RPN407"
    BUDGET = "RPN408"
    SEMANTICS = "RPN409"
    PLUGIN = "RPN410"
    COMPRESSION_DOMAIN = "RPN420"
    FITTED_COMPRESSION = "RPN421"
    UNSUPPORTED_CLASS = "RPN422"
    INTERDEPENDENCE_DIMS = "RPN430"
    INTERDEPENDENCE_BATCH = "RPN431"
    INTERDEPENDENCE_SLOT = "RPN432"
    INTERDEPENDENCE_ROWS = "RPN433"
    SHARED_HEADS = "RPN460"
    GRID_INPUT = "RPN470"
    GRID_PATCH = "RPN471"
    GRID_PATCH_SIZE = "RPN472"
    GRID_POOLING = "RPN473"
    GRID_CONVOLUTION = "RPN474"
    SEQUENCE_WIDTH = "RPN475"
    SEQUENCE_FUSION = "RPN476"
    SEQUENCE_INTERDEPENDENCE = "RPN477"
    SEQUENCE_TINYBIG = "RPN478"
    SEQUENCE_STEPS = "RPN479"
    TINYBIG_BILINEAR = "RPN485"
    BILINEAR_DIMS = "RPN486"
    # 5xx: interoperability with other formats (tinybig configs)
    NOT_REPRESENTABLE = "RPN500"
    TINYBIG_BEHAVIOUR = "RPN501"
    CONVERTED = "RPN502"
    TINYBIG_UNSUPPORTED = "RPN503"
    # 6xx: deployment and distributed training
    NOT_EXPORTABLE = "RPN600"
    EXPORT_FAILED = "RPN601"
    EXPORT_MISMATCH = "RPN602"
    RANK_MISMATCH = "RPN603"
    # 7xx: search spaces (rpnschema space)
    SPACE_PATH = "RPN700"
    SPACE_CHOICE = "RPN701"
    SPACE_RANGE = "RPN702"
    SPACE_BASE = "RPN703"
    SPACE_EMPTY = "RPN704"


CODE_DOCS: dict[Code, str] = {
    Code.SYNTAX: "The file is not valid JSON or YAML.",
    Code.NOT_A_MAPPING: "The document is not a mapping (a spec is a JSON object / YAML mapping).",
    Code.DUPLICATE_KEY: "A YAML/JSON mapping repeats a key (the later value would silently win).",
    Code.IO: "The file cannot be read (missing, a directory, not UTF-8).",
    Code.RESOURCE: "The document exceeds a resource limit before it is even validated: file "
    "size, number of values (counting every YAML alias expansion) or nesting depth.",
    Code.SPEC_VERSION: "The spec's spec_version is not the one this rpnschema reads: an older "
    "one (migrate it with `rpnschema upgrade FILE`) or a newer one (upgrade rpnschema).",
    Code.NUMBER_TOO_LONG: "A number literal longer than 100 characters (no spec field takes "
    "one; converting it could take quadratic time or fail in Python).",
    Code.UNKNOWN_KEY: "A key that the object does not have; a close match is suggested.",
    Code.UNKNOWN_FUNCTION: "A component name not in the catalog; a close match is suggested.",
    Code.MISSING: "A required field is missing.",
    Code.WRONG_TYPE: "A value has the wrong type (a string where an integer is expected, ...).",
    Code.OUT_OF_BOUNDS: "A number outside its allowed range (d >= 1, 0 < p <= 1, ...).",
    Code.BAD_VALUE: "A value that is not one of the allowed choices or is otherwise malformed.",
    Code.CONFLICT: "Two fields that cannot be given together (layers and dims, ...).",
    Code.WIDTH_ALLOC: "width, width_alloc and heads are inconsistent or ambiguous.",
    Code.DEPTH_ALLOC: "depth, depth_alloc and layers are inconsistent or ambiguous.",
    Code.INHERITED_MISMATCH: "A head's explicit m or n differs from its layer's.",
    Code.MISSING_DIM: "The first layer has no input dimension m (or a layer has no n).",
    Code.DEFAULT_APPLIED: "Notice: normalization applied a default (e.g. a mean fusion).",
    Code.VALUE_INFERRED: "Notice: normalization inferred a value (e.g. m from the previous layer).",
    Code.REPEATED: "Notice: a head or layer was repeated by its allocation.",
    Code.PRESET_EXPANDED: "Notice: a preset was expanded into explicit components.",
    Code.LAYER_CHAIN: "A layer's m differs from the previous layer's output dimension.",
    Code.REPEATED_LAYER: "A layer repeated by depth_alloc must map its output dimension to itself.",
    Code.DIVISIBILITY: "A factor (p, q) does not divide the dimension it splits (n, D).",
    Code.REMAINDER: "The remainder cannot map m to the head's output (m != n needs parameters).",
    Code.PROCESSING_SIZE: "A processing function (layer_norm, batch_norm) is sized for another "
    "dimension than the one it acts on.",
    Code.FUSION_DIMS: "A fusion's inputs do not have the dimensions the fusion needs.",
    Code.PINNED_MISMATCH: "A pinned figure (D, l, output_dim, parameters) differs from the "
    "inferred one.",
    Code.EXPANSION_DOMAIN: "An expansion's parameters do not fit its input (e.g. m != h*w*d).",
    Code.BUDGET: "The spec exceeds a resource budget (parameters, expansion dimension).",
    Code.SEMANTICS: "A construct that the chosen numeric semantics cannot express.",
    Code.PLUGIN: "A plugin's dimension rule failed: it raised an unexpected exception or "
    "returned something other than a non-negative integer (a bug in the plugin).",
    Code.COMPRESSION_DOMAIN: "A compression's parameters do not fit its input (D > m, k > m, "
    "m != channel_num*h*w*d, a patch with more cells than the grid, a zero patch distance).",
    Code.FITTED_COMPRESSION: "Notice: a fitted compression (PCA, feature selection, manifold "
    "learning) refits on every batch: its output depends on the whole batch, it is not "
    "differentiable, and building it may need scikit-learn (`pip install rpnschema[sklearn]`).",
    Code.UNSUPPORTED_CLASS: "A tinybig class or argument that rpnschema does not support "
    "(e.g. the abstract `transformation` or `interdependence` base class, a callable outside the "
    "closed list); the message says why, and the docs list every such class.",
    Code.INTERDEPENDENCE_DIMS: "An interdependence function does not fit the side it acts on "
    "(a graph with another node count than m or b, a constant A with the wrong rows).",
    Code.INTERDEPENDENCE_BATCH: "An instance interdependence (or a bilinear attribute one) "
    "needs the batch size b, and the head gives no batch.",
    Code.INTERDEPENDENCE_SLOT: "An interdependence parameter that only acts in the other slot "
    "(m_prime in the instance slot, b_prime in the attribute slot).",
    Code.INTERDEPENDENCE_ROWS: "Row counts disagree: an instance interdependence gives b' != b "
    "rows, which a remainder, the other heads of the layer or the next layer's batch cannot "
    "follow.",
    Code.SHARED_HEADS: "share_heads needs one head config for the layer's width copies to share "
    "(tinybig's specialised layers repeat one head object).",
    Code.GRID_INPUT: "A grid head's input grid (channels x h x w x d, read channel-major) does not "
    "match what it receives: the layer's m, or the grid and channels the previous grid layer "
    "outputs.",
    Code.GRID_PATCH: "A grid head's patch cannot be built: a size its patch_shape needs is missing "
    "(cuboid: p_h; cylinder and sphere: p_r), the packing strategy is not one of that shape, or "
    "the packing gives a centre distance of 0.",
    Code.GRID_PATCH_SIZE: "A grid head's patch reaches past the whole grid from every centre along "
    "an axis, so most of each patch reads zero padding: an error under native semantics, a "
    "warning under tinybig's (tinybig zero-pads it and runs).",
    Code.GRID_POOLING: "A grid pooling metric tinybig 0.2.1 cannot run (its metric table has no "
    "batch_mean, for example): rejected under tinybig semantics.",
    Code.GRID_CONVOLUTION: "patch_convolution needs a geometric attribute interdependence in "
    "padding mode, and output and expansion sizes that split into one block per patch.",
    Code.SEQUENCE_WIDTH: "A sequence layer's input row is not steps positions of m features: "
    "the previous layer's output size is not steps * m.",
    Code.SEQUENCE_FUSION: "A fusion inside a sequence head or layer changes the per-position "
    "size n, so the output row would no longer be steps positions of n values.",
    Code.SEQUENCE_INTERDEPENDENCE: "A sequence head's instance interdependence must be one "
    "fixed steps x steps matrix (chain, graph, basic or parameterized; not data kernels) "
    "that keeps the steps positions (b' = b = steps).",
    Code.SEQUENCE_TINYBIG: "tinybig 0.2.1 cannot run this chain head (several channels, or a "
    "batch norm over the steps * n output): native semantics compute it, tinybig semantics "
    "reject it.",
    Code.SEQUENCE_STEPS: "steps / pool_steps are inconsistent: heads with different steps, a "
    "head's steps differing from its layer's, or pool_steps without steps.",
    Code.TINYBIG_BILINEAR: "tinybig 0.2.1 cannot run its bilinear attention classes "
    "(bilinear_interdependence_head / _layer, model.transformer: a keyword typo, mask_zero for "
    "mask_zeros, fails every forward pass), so tinybig semantics reject them; native semantics "
    "compute the attention their code intends.",
    Code.BILINEAR_DIMS: "A bilinear attention preset lacks a size it is built from: n (the "
    "attention is scaled by sqrt(n)) or, with with_dual_lphm_interdependence, m (W's factor).",
    Code.NOT_REPRESENTABLE: "A construct of one format (tinybig config, rpnschema spec) that the "
    "other cannot represent; it is dropped, or the conversion fails.",
    Code.TINYBIG_BEHAVIOUR: "tinybig 0.2.1 would reject, crash on, or silently ignore this part "
    "of a tinybig config.",
    Code.CONVERTED: "Notice: a conversion made something explicit or changed its form (a fusion "
    "added, a preset expanded, a function renamed).",
    Code.TINYBIG_UNSUPPORTED: "A class that tinybig 0.2.1 exports but rpnschema does not read (a "
    "family or model it has no counterpart for, or an abstract base class); "
    "docs/reference/tinybig-defaults.md lists them.",
    Code.NOT_EXPORTABLE: "A component that `rpnschema export` cannot trace into a deployment "
    "artefact (torch.export / ONNX); reported before anything is built (docs/deploy.md).",
    Code.EXPORT_FAILED: "torch.export or the ONNX exporter failed on a model; the message names "
    "the first head (and component) that fails on its own.",
    Code.EXPORT_MISMATCH: "An exported artefact's outputs differ from the eager model's by more "
    "than the tolerance on the check sample.",
    Code.RANK_MISMATCH: "The processes of a distributed job built different specs (their spec "
    "hashes differ); the message names the ranks of each hash.",
    Code.SPACE_PATH: "A search-space dimension's path does not lead into the base spec, lies "
    "inside another dimension, or ties to something that is not a dimension.",
    Code.SPACE_CHOICE: "A search-space choice names an unknown component, one of another "
    "family than its slot takes, or a choice sits at a path that is not a component slot.",
    Code.SPACE_RANGE: "A value or range end of a search-space dimension is rejected by the spec "
    "itself (a type or a bound), tried alone in the base spec.",
    Code.SPACE_BASE: "A search space's base spec cannot be read, lies outside the space file's "
    "directory, or is invalid.",
    Code.SPACE_EMPTY: "No candidate of a search space is valid and within its budgets (or too "
    "few to draw the samples asked for).",
}


@dataclass(frozen=True)
class Diagnostic:
    """One located problem (or notice) in a spec."""

    code: Code
    message: str
    path: Loc = ()
    severity: Severity = "error"
    expected: str | None = None
    found: str | None = None
    suggestion: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def pointer(self) -> str:
        """The path as ``layers/1/heads/0/reconciliation/p`` (``<root>`` for the document)."""
        return format_path(self.path)

    def located(self, file: str | None, line: int | None, column: int | None) -> Diagnostic:
        return replace(self, file=file, line=line, column=column)

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code.value,
            "severity": self.severity,
            "path": self.pointer,
            "message": self.message,
            "expected": self.expected,
            "found": self.found,
            "suggestion": self.suggestion,
            "file": self.file,
            "line": self.line,
            "column": self.column,
        }

    def __str__(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where += f":{self.line}:{self.column}"
        head = f"{where}: " if where else ""
        text = f"{head}{self.severity} {self.code.value} at {self.pointer}: {self.message}"
        if self.suggestion:
            text += f" ({self.suggestion})"
        return text


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 layer``, ``2 layers``; ``words`` for an irregular plural (``entry``/``entries``)."""
    return f"{count} {word if count == 1 else words or word + 's'}"


def format_path(path: Sequence[str | int]) -> str:
    """``layers/0/m``; ``<root>`` for the document; an empty key shows as ``""``."""
    return "/".join(str(p) if p != "" else '""' for p in path) if path else "<root>"


@dataclass
class Diagnostics:
    """An ordered collection of diagnostics for one document."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.items)


class RpnSchemaError(Exception):
    """Base class of every exception rpnschema raises on purpose."""


class SpecError(RpnSchemaError):
    """A spec is invalid; ``diagnostics`` lists every problem found."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"] or self.diagnostics
        lines = "\n".join(f"  {d}" for d in errors)
        n = len(errors)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in spec:\n{lines}")


class InteropError(SpecError):
    """A spec cannot be written in a foreign format (tinybig); ``diagnostics`` says why."""


class LoadError(RpnSchemaError):
    """A file cannot be read or parsed (exit code 2 in the CLI)."""

    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic
        super().__init__(str(diagnostic))


class VersionError(LoadError):
    """A spec's ``spec_version`` (or a requested target version) is one that rpnschema cannot
    migrate: unknown, newer than it reads, or a downgrade (exit code 2 in the CLI)."""


class MigrationError(SpecError):
    """A migration cannot be applied to a spec (e.g. it would write a key the spec already
    has); ``diagnostics`` says where."""


class MissingDependencyError(RpnSchemaError):
    """An optional dependency (torch) is needed for this operation."""


class DeviceError(RpnSchemaError):
    """The requested device or dtype is not available here (e.g. cuda without a GPU)."""


class StructureError(RpnSchemaError):
    """A graph named by a spec (``structure:``) was not supplied to ``build``, or does not fit
    the node count the spec declares."""


class StateDictError(RpnSchemaError):
    """A state dict does not fit the compiled module (unknown or missing keys, wrong shapes)."""


class DeployError(SpecError):
    """A model cannot be exported (RPN600, RPN601), its artefact disagrees with the eager
    model (RPN602), or the ranks of a distributed job built different specs (RPN603)."""
