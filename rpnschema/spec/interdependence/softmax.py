"""The softmax normalization of an interdependence matrix (tinybig's
``operator_based_normalize_matrix`` with the softmax operator, as its attention heads use it).

``A <- softmax(rescale_factor * A)`` along ``mode`` (column: every column sums to 1; row: every
row; row_column: rows, then columns). With ``mask_zeros`` the entries that are exactly 0 after
rescaling take no part (they are set to -1e9 before the softmax and to 0 after it), as tinybig's
function does.
"""

from typing import Annotated, Literal

from pydantic import Field

from rpnschema.spec.base import Spec


class MatrixSoftmax(Spec):
    """softmax(rescale_factor * A) along rows, columns or both; zeros masked on request."""

    mode: Literal["row", "column", "row_column"] = Field(
        default="column", description="column: each column sums to 1; row: each row."
    )
    rescale_factor: Annotated[float, Field(gt=0, strict=False)] = Field(
        default=1.0, description="A is multiplied by it before the softmax."
    )
    mask_zeros: bool = Field(
        default=False, description="Entries equal to 0 stay 0 (excluded from the softmax)."
    )
