"""Kernel interdependence functions: A is a kernel matrix between the columns of the data
(attributes in the attribute slot, instances in the instance slot). l = 0 and d' = d.

With ``require_data: false`` the matrix of the first batch is kept and reused for every later
batch (tinybig's cached A), in both semantics.
"""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from rpnschema.spec.interdependence.base import Interdependence

#: Kernels a ``kernel`` field may name (tinybig's koala kernel functions, default parameters).
KernelName = Literal[
    "kl_divergence_kernel",
    "pearson_correlation_kernel",
    "rv_coefficient_kernel",
    "mutual_information_kernel",
    "linear_kernel",
    "polynomial_kernel",
    "hyperbolic_tangent_kernel",
    "exponential_kernel",
    "cosine_similarity_kernel",
    "manhattan_distance_kernel",
    "euclidean_distance_kernel",
    "chebyshev_distance_kernel",
    "canberra_distance_kernel",
    "gaussian_rbf_kernel",
    "laplacian_kernel",
    "anisotropic_rbf_kernel",
]
Positive = Annotated[float, Field(gt=0)]


class _Kernel(Interdependence):
    require_data: bool = Field(
        default=True,
        description="false: compute A on the first batch and keep it (tinybig's cached A).",
    )


# --- statistical kernels ---------------------------------------------------------------------


class KLDivergenceInterdependence(_Kernel):
    """A_ij = KL(softmax(x_i) || softmax(x_j)) over the batch axis. d' = d."""

    name: Literal["kl_divergence_interdependence"]


class PearsonCorrelationInterdependence(_Kernel):
    """A = Pearson correlation matrix of the columns. d' = d."""

    name: Literal["pearson_correlation_interdependence"]


class RVCoefficientInterdependence(_Kernel):
    """A_ij = clamp(corr(x_i, x_j), 0, 1) for i != j, zero diagonal (tinybig). d' = d."""

    name: Literal["rv_coefficient_interdependence"]


class MutualInformationInterdependence(_Kernel):
    """A_ij = Gaussian mutual information of columns i != j, zero diagonal (tinybig). d' = d."""

    name: Literal["mutual_information_interdependence"]


class StatisticalKernelBasedInterdependence(_Kernel):
    """A = kernel(X) for a named kernel. d' = d."""

    name: Literal["statistical_kernel_based_interdependence"]
    kernel: KernelName = Field(description="The kernel function, by name.")


# --- numerical kernels -----------------------------------------------------------------------


class LinearKernelInterdependence(_Kernel):
    """A = X^T X. d' = d."""

    name: Literal["linear_kernel_interdependence"]


class PolynomialKernelInterdependence(_Kernel):
    """A = (X^T X + c)^d. d' = d."""

    name: Literal["polynomial_kernel_interdependence"]
    c: float = 0.0
    d: Annotated[int, Field(ge=1, description="Degree.")] = 1


class HyperbolicTangentKernelInterdependence(_Kernel):
    """A = tanh(alpha X^T X + c). d' = d."""

    name: Literal["hyperbolic_tangent_kernel_interdependence"]
    c: float = 0.0
    alpha: float = 1.0


class ExponentialKernelInterdependence(_Kernel):
    """A_ij = exp(-gamma ||x_i - x_j||^2). d' = d."""

    name: Literal["exponential_kernel_interdependence"]
    gamma: float = 1.0


class CosineSimilarityInterdependence(_Kernel):
    """A_ij = cos(x_i, x_j) (a zero column counts as norm 1). d' = d."""

    name: Literal["cosine_similarity_interdependence"]


class MinkowskiDistanceInterdependence(_Kernel):
    """A_ij = exp(-||x_i - x_j||_p). d' = d."""

    name: Literal["minkowski_distance_interdependence"]
    p: Positive = Field(description="Order of the norm (required).")


class ManhattanDistanceInterdependence(_Kernel):
    """A_ij = exp(-||x_i - x_j||_1). d' = d."""

    name: Literal["manhattan_distance_interdependence"]


class EuclideanDistanceInterdependence(_Kernel):
    """A_ij = exp(-||x_i - x_j||_2). d' = d."""

    name: Literal["euclidean_distance_interdependence"]


class ChebyshevDistanceInterdependence(_Kernel):
    """A_ij = exp(-||x_i - x_j||_inf). d' = d."""

    name: Literal["chebyshev_distance_interdependence"]


class CanberraDistanceInterdependence(_Kernel):
    """A_ij = exp(-sum_k |x_ki - x_kj| / (|x_ki| + |x_kj| + 1e-10)). d' = d."""

    name: Literal["canberra_distance_interdependence"]


class GaussianRBFKernelInterdependence(_Kernel):
    """A_ij = exp(-||x_i - x_j||^2 / (2 sigma^2)). d' = d."""

    name: Literal["gaussian_rbf_kernel_interdependence"]
    sigma: Positive = 1.0


class LaplacianKernelInterdependence(_Kernel):
    """A_ij = exp(-||x_i - x_j||_1 / sigma). d' = d."""

    name: Literal["laplacian_kernel_interdependence"]
    sigma: Positive = 1.0


class AnisotropicRBFKernelInterdependence(_Kernel):
    """A_ij = exp(-(x_i - x_j)^T diag(a) (x_i - x_j)), a = a_vector or a_scalar * ones. d' = d.

    ``a_vector`` has one weight per row of the data the kernel sees: b in the attribute slot,
    m in the instance slot.
    """

    name: Literal["anisotropic_rbf_kernel_interdependence"]
    a_vector: list[float] | None = Field(default=None, description="Per-row weights.")
    a_scalar: float = 1.0


class CustomHybridKernelInterdependence(_Kernel):
    """A = sum_k weights_k kernel_k(X) (equal weights by default). d' = d."""

    name: Literal["custom_hybrid_kernel_interdependence"]
    kernels: Annotated[list[KernelName], Field(min_length=1)]
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _weights_match(self):
        if self.weights is not None and len(self.weights) != len(self.kernels):
            raise ValueError(
                f"weights has {len(self.weights)} entries for {len(self.kernels)} kernels"
            )
        return self


class NumericalKernelBasedInterdependence(_Kernel):
    """A = kernel(X) for a named kernel. d' = d."""

    name: Literal["numerical_kernel_based_interdependence"]
    kernel: KernelName = Field(description="The kernel function, by name.")


KERNEL_TYPES = (
    KLDivergenceInterdependence,
    PearsonCorrelationInterdependence,
    RVCoefficientInterdependence,
    MutualInformationInterdependence,
    StatisticalKernelBasedInterdependence,
    LinearKernelInterdependence,
    PolynomialKernelInterdependence,
    HyperbolicTangentKernelInterdependence,
    ExponentialKernelInterdependence,
    CosineSimilarityInterdependence,
    MinkowskiDistanceInterdependence,
    ManhattanDistanceInterdependence,
    EuclideanDistanceInterdependence,
    ChebyshevDistanceInterdependence,
    CanberraDistanceInterdependence,
    GaussianRBFKernelInterdependence,
    LaplacianKernelInterdependence,
    AnisotropicRBFKernelInterdependence,
    CustomHybridKernelInterdependence,
    NumericalKernelBasedInterdependence,
)
