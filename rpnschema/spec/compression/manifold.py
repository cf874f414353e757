"""Manifold compressions: a scikit-learn embedding of the batch into D dimensions.

Each forward call embeds the rows of its batch (fit_transform): the output depends on the
whole batch, needs D < batch size (and n_neighbors < batch size), and is not differentiable.
"""

from typing import Annotated, Literal

from pydantic import Field

from rpnschema.spec.compression._fitted import _FittedCompression

Neighbors = Annotated[int, Field(ge=1, description="Neighbours of each sample in the graph.")]


class _ManifoldCompression(_FittedCompression):
    """An embedding of the batch's rows into D dimensions."""


class IsomapCompression(_ManifoldCompression):
    """sklearn.manifold.Isomap(n_neighbors, n_components=D)."""

    name: Literal["isomap_manifold_compression"]
    n_neighbors: Neighbors = 1


class LLECompression(_ManifoldCompression):
    """sklearn.manifold.LocallyLinearEmbedding(n_neighbors, n_components=D)."""

    name: Literal["lle_manifold_compression"]
    n_neighbors: Neighbors = 1


class MDSCompression(_ManifoldCompression):
    """sklearn.manifold.MDS(n_components=D) (random initialisation: seed numpy)."""

    name: Literal["mds_manifold_compression"]


class SpectralEmbeddingCompression(_ManifoldCompression):
    """sklearn.manifold.SpectralEmbedding(n_components=D)."""

    name: Literal["spectral_embedding_manifold_compression"]


class TSNECompression(_ManifoldCompression):
    """sklearn.manifold.TSNE(n_components=D, perplexity) (random: seed numpy)."""

    name: Literal["tsne_manifold_compression"]
    perplexity: Annotated[float, Field(gt=0, description="Must be below the batch size.")]


class ManifoldCompression(_ManifoldCompression):
    """A koala manifold function chosen by ``function`` (manifold_function_configs)."""

    name: Literal["manifold_compression"]
    function: Literal["isomap", "lle", "mds", "spectral_embedding", "tsne"] = Field(
        description="The koala manifold class (<function>_manifold)."
    )
    n_neighbors: Neighbors = Field(
        default=5, description="For isomap and lle (koala's default 5; tinybig's own is unused)."
    )
    perplexity: Annotated[float, Field(gt=0)] = Field(default=5.0, description="For tsne.")
