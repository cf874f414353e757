"""Parameter reconciliation (fabrication) functions psi: R^l -> R^(n x D).

Each class documents its l rule; ``rpnschema.dims`` implements them with their divisibility
checks.
"""

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from rpnschema.spec.base import Component, name_shorthand
from rpnschema.spec.registry import FamilyUnion

Factor = Annotated[int, Field(ge=1)]
Rank = Annotated[int, Field(ge=1, description="Rank r.")]


class Reconciliation(Component):
    family = "reconciliation"
    enable_bias: bool = Field(
        default=False, description="Add a learnable bias b (n values, shared by the channels)."
    )


class ConstantReconciliation(Reconciliation):
    """W = c everywhere. l = 0."""

    name: Literal["constant_reconciliation"]
    c: float = 1.0


class ZeroReconciliation(Reconciliation):
    """W = 0. l = 0."""

    name: Literal["zero_reconciliation"]


class OneReconciliation(Reconciliation):
    """W = 1. l = 0."""

    name: Literal["one_reconciliation"]


class ConstantEyeReconciliation(Reconciliation):
    """W = I (n x D, ones on the diagonal). l = 0."""

    name: Literal["constant_eye_reconciliation"]


class IdentityReconciliation(Reconciliation):
    """W = reshape(w, (n, D)). l = n D."""

    name: Literal["identity_reconciliation"]


class MaskingReconciliation(Reconciliation):
    """W = reshape(w, (n, D)) * M with a fixed random mask keeping a fraction p. l = n D."""

    name: Literal["masking_reconciliation"]
    p: Annotated[float, Field(gt=0, le=1, description="Fraction of entries kept.")] = 0.5
    fixed_mask: bool = Field(default=True, description="False redraws the mask every call.")


class DuplicatedPaddingReconciliation(Reconciliation):
    """W = ones(p, q) (x) reshape(w, (n/p, D/q)). l = (n/p)(D/q); q defaults to p."""

    name: Literal["duplicated_padding_reconciliation"]
    p: Factor = 2
    q: Factor | None = None


class DuplicatedDiagonalPaddingReconciliation(Reconciliation):
    """Block-diagonal copies of w: W = I_n (x) w (1 x D/n). Needs p = q = n. l = D / n."""

    name: Literal["duplicated_diagonal_padding_reconciliation"]
    p: Factor = 2
    q: Factor | None = None


class LorrReconciliation(Reconciliation):
    """Low-rank W = A B with A n x r, B r x D. l = r (n + D)."""

    name: Literal["lorr_reconciliation"]
    r: Rank = 2


class HMReconciliation(Reconciliation):
    """Hypercomplex W = A (x) B with A p x q, B (n/p) x (D/q). l = p q + (n/p)(D/q).
    p and q default to the divisor of n (and D) closest to its square root."""

    name: Literal["hm_reconciliation"]
    p: Factor | None = None
    q: Factor | None = None


class LPHMReconciliation(Reconciliation):
    """Low-rank hypercomplex: B itself of rank r. l = p q + r (n/p + D/q)."""

    name: Literal["lphm_reconciliation"]
    p: Factor | None = None
    q: Factor | None = None
    r: Rank = 2


class DualLPHMReconciliation(Reconciliation):
    """Both Kronecker factors of rank r. l = r (p + q + n/p + D/q)."""

    name: Literal["dual_lphm_reconciliation"]
    p: Factor | None = None
    q: Factor | None = None
    r: Rank = 2


class HypernetReconciliation(Reconciliation):
    """W produced from w (l values) by a fixed random two-layer network. l as given."""

    name: Literal["hypernet_reconciliation"]
    l: Annotated[int, Field(ge=1, description="Number of learnable parameters.")] = 64
    hidden_dim: Annotated[int, Field(ge=1)] = 128
    static: bool = Field(
        default=True,
        description="True: the random network is fixed; False: it is trained (and counted).",
    )


class RandomMatrixAdaptionReconciliation(Reconciliation):
    """W = diag(lambda_n) A diag(lambda_r) B with fixed random A, B. l = n + r."""

    name: Literal["random_matrix_adaption_reconciliation"]
    r: Rank = 2


class RandomMatrixHypernetReconciliation(Reconciliation):
    """Hypernet with fixed low-rank random matrices. l as given."""

    name: Literal["random_matrix_hypernet_reconciliation"]
    r: Rank = 2
    l: Annotated[int, Field(ge=1, description="Number of learnable parameters.")] = 64
    hidden_dim: Annotated[int, Field(ge=1)] = 128


RECONCILIATION_TYPES: tuple[type[Reconciliation], ...] = (
    ConstantReconciliation,
    ZeroReconciliation,
    OneReconciliation,
    ConstantEyeReconciliation,
    IdentityReconciliation,
    MaskingReconciliation,
    DuplicatedPaddingReconciliation,
    DuplicatedDiagonalPaddingReconciliation,
    LorrReconciliation,
    HMReconciliation,
    LPHMReconciliation,
    DualLPHMReconciliation,
    HypernetReconciliation,
    RandomMatrixAdaptionReconciliation,
    RandomMatrixHypernetReconciliation,
)

#: The family's field type: a bare name or a mapping, discriminated by ``name``, over the
#: built-in members and any registered plugins (see :mod:`rpnschema.spec.registry`).
AnyReconciliation = Annotated[
    Reconciliation,
    FamilyUnion("reconciliation", RECONCILIATION_TYPES),
    BeforeValidator(name_shorthand),
]
