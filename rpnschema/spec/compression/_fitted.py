"""Shared pieces of the fitted compressions (feature selection, dimension reduction, manifold)."""

from typing import Annotated, ClassVar

from pydantic import Field

from rpnschema.spec.compression.base import Compression

D = Annotated[int, Field(ge=1, description="Output size (tinybig's n_feature / n_components).")]


class _FittedCompression(Compression):
    """Fits to the batch it is given, on every forward call. D is given."""

    fitted: ClassVar[bool] = True
    D: D  # type: ignore[valid-type]
