"""Data expansion (transformation) functions kappa: R^m -> R^D.

Each class documents its D rule; ``rpnschema.dims`` implements them.
"""

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from rpnschema.spec.base import Component, Range, empty_list, name_shorthand
from rpnschema.spec.processing import ProcessingList
from rpnschema.spec.registry import FamilyUnion

Degree = Annotated[int, Field(ge=1, description="Degree / order of the expansion.")]
PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]


class Expansion(Component):
    family = "expansion"
    preprocess: ProcessingList = Field(
        default_factory=empty_list, description="Functions applied to the input x (size m) first."
    )
    postprocess: ProcessingList = Field(
        default_factory=empty_list, description="Functions applied to the expansion (size D)."
    )


# --- basic: D = m -------------------------------------------------------------------------


class IdentityExpansion(Expansion):
    """kappa(x) = x. D = m."""

    name: Literal["identity_expansion"]


class ReciprocalExpansion(Expansion):
    """kappa(x) = 1/x, with x clamped away from 0 by 1e-6. D = m."""

    name: Literal["reciprocal_expansion"]


class LinearExpansion(Expansion):
    """kappa(x) = c * x. D = m."""

    name: Literal["linear_expansion"]
    c: float | None = Field(default=None, description="Scale; tinybig's default (None) is 1.")


# --- polynomial -----------------------------------------------------------------------------


class TaylorExpansion(Expansion):
    """Products of degree 1..d: D = sum_{i=1..d} m^i."""

    name: Literal["taylor_expansion"]
    d: Degree = 2


class FourierExpansion(Expansion):
    """cos/sin of 2 pi k x / P for k = 1..N: D = 2 * N * m."""

    name: Literal["fourier_expansion"]
    P: Annotated[float, Field(gt=0, description="Period (spec_version 1: 1.0).")] = 10.0
    N: PositiveInt = 5


class _ThreeMExpansion(Expansion):
    """Three functions per feature: D = 3 m."""


class HyperbolicExpansion(_ThreeMExpansion):
    """[sinh, cosh, tanh](x). D = 3 m."""

    name: Literal["hyperbolic_expansion"]


class ArcHyperbolicExpansion(_ThreeMExpansion):
    """[asinh, acosh, atanh] of sigmoid(x), shifted into their domains. D = 3 m."""

    name: Literal["arc_hyperbolic_expansion"]


class TrigonometricExpansion(_ThreeMExpansion):
    """[sin, cos, tan](x). D = 3 m."""

    name: Literal["trigonometric_expansion"]


class ArcTrigonometricExpansion(_ThreeMExpansion):
    """[asin, acos, atan] of sigmoid(x), scaled into their domains. D = 3 m."""

    name: Literal["arc_trigonometric_expansion"]


# --- probabilistic --------------------------------------------------------------------------


class _ProbabilisticExpansion(Expansion):
    """Log-densities of 6 fixed distributions per feature: D = 6 m."""


class NormalExpansion(_ProbabilisticExpansion):
    """Normal log-densities. D = 6 m."""

    name: Literal["normal_expansion"]


class CauchyExpansion(_ProbabilisticExpansion):
    """Cauchy log-densities. D = 6 m."""

    name: Literal["cauchy_expansion"]


class Chi2Expansion(Expansion):
    """Chi-squared log-densities (2 degrees of freedom). D = 2 m."""

    name: Literal["chi2_expansion"]


class GammaExpansion(_ProbabilisticExpansion):
    """Gamma log-densities. D = 6 m."""

    name: Literal["gamma_expansion"]


class ExponentialExpansion(_ProbabilisticExpansion):
    """Exponential log-densities. D = 6 m."""

    name: Literal["exponential_expansion"]


class LaplaceExpansion(_ProbabilisticExpansion):
    """Laplace log-densities. D = 6 m."""

    name: Literal["laplace_expansion"]


class HybridProbabilisticExpansion(_ProbabilisticExpansion):
    """Normal, Cauchy, Chi2, Gamma, Laplace and Exponential log-densities. D = 6 m."""

    name: Literal["hybrid_probabilistic_expansion"]


class _NaiveProbabilisticExpansion(Expansion):
    """One log-density per feature: D = m."""


class NaiveNormalExpansion(_NaiveProbabilisticExpansion):
    """Normal log-density per feature. D = m."""

    name: Literal["naive_normal_expansion"]


class NaiveCauchyExpansion(_NaiveProbabilisticExpansion):
    """Cauchy log-density per feature. D = m."""

    name: Literal["naive_cauchy_expansion"]


class NaiveChi2Expansion(_NaiveProbabilisticExpansion):
    """Chi-squared log-density per feature. D = m."""

    name: Literal["naive_chi2_expansion"]


class NaiveGammaExpansion(_NaiveProbabilisticExpansion):
    """Gamma log-density per feature. D = m."""

    name: Literal["naive_gamma_expansion"]


class NaiveExponentialExpansion(_NaiveProbabilisticExpansion):
    """Exponential log-density per feature. D = m."""

    name: Literal["naive_exponential_expansion"]


class NaiveLaplaceExpansion(_NaiveProbabilisticExpansion):
    """Laplace log-density per feature. D = m."""

    name: Literal["naive_laplace_expansion"]


# --- radial basis and splines ---------------------------------------------------------------


class _RBFExpansion(Expansion):
    """num_interval centres spread over base_range: D = m * num_interval."""

    base_range: Range = (-1.0, 1.0)
    num_interval: PositiveInt = 10
    epsilon: Annotated[float, Field(gt=0)] = 1.0

    @model_validator(mode="after")
    def _range_ordered(self):
        if not self.base_range[0] < self.base_range[1]:
            raise ValueError(
                f"base_range (={list(self.base_range)}) must be increasing: [low, high]"
            )
        return self


class GaussianRBFExpansion(_RBFExpansion):
    """exp(-(epsilon (x - c))^2) per centre. D = m * num_interval."""

    name: Literal["gaussian_rbf_expansion"]


class InverseQuadraticRBFExpansion(_RBFExpansion):
    """1 / (1 + (epsilon (x - c))^2) per centre. D = m * num_interval."""

    name: Literal["inverse_quadratic_rbf_expansion"]


class BSplineExpansion(Expansion):
    """B-spline basis of degree d on t intervals of grid_range: D = m * (t + d)."""

    name: Literal["bspline_expansion"]
    grid_range: Range = (-1.0, 1.0)
    t: PositiveInt = 5
    d: NonNegativeInt = 3

    @model_validator(mode="after")
    def _range_ordered(self):
        if not self.grid_range[0] < self.grid_range[1]:
            raise ValueError(
                f"grid_range (={list(self.grid_range)}) must be increasing: [low, high]"
            )
        return self


# --- orthogonal / recursive polynomials: D = m * d ------------------------------------------


class _DegreeExpansion(Expansion):
    """Polynomials P_1..P_d per feature: D = m * d."""

    d: Degree = 2


class ChebyshevExpansion(_DegreeExpansion):
    """Chebyshev polynomials of the first kind T_1..T_d. D = m d."""

    name: Literal["chebyshev_expansion"]
    d: Annotated[int, Field(ge=1, description="Degree (spec_version 1: 5).")] = 2


class JacobiExpansion(_DegreeExpansion):
    """Jacobi polynomials P_1..P_d with (alpha, beta). D = m d."""

    name: Literal["jacobi_expansion"]
    d: Annotated[int, Field(ge=1, description="Degree (spec_version 1: 5).")] = 2
    alpha: Annotated[float, Field(gt=-1)] = 1.0
    beta: Annotated[float, Field(gt=-1)] = 1.0


class HermiteExpansion(_DegreeExpansion):
    """Hermite polynomials H_1..H_d. D = m d."""

    name: Literal["hermite_expansion"]


class LaguerreExpansion(_DegreeExpansion):
    """Generalized Laguerre polynomials L_1..L_d with alpha. D = m d."""

    name: Literal["laguerre_expansion"]
    alpha: Annotated[float, Field(gt=-1)] = 1.0


class LegendreExpansion(_DegreeExpansion):
    """Legendre polynomials P_1..P_d. D = m d."""

    name: Literal["legendre_expansion"]


class GegenbauerExpansion(_DegreeExpansion):
    """Gegenbauer polynomials C_1..C_d with alpha. D = m d."""

    name: Literal["gegenbauer_expansion"]
    alpha: Annotated[float, Field(gt=-0.5)] = 1.0


class BesselExpansion(_DegreeExpansion):
    """Bessel polynomials y_1..y_d. D = m d."""

    name: Literal["bessel_expansion"]


class ReverseBesselExpansion(_DegreeExpansion):
    """Reverse Bessel polynomials theta_1..theta_d. D = m d."""

    name: Literal["reverse_bessel_expansion"]


class FibonacciExpansion(_DegreeExpansion):
    """Fibonacci polynomials F_1..F_d. D = m d."""

    name: Literal["fibonacci_expansion"]


class LucasExpansion(_DegreeExpansion):
    """Lucas polynomials L_1..L_d. D = m d."""

    name: Literal["lucas_expansion"]


# --- wavelets: D = sum_{k=1..d} (m s t)^k ---------------------------------------------------


class _WaveletExpansion(Expansion):
    """Wavelets psi((x / a^s') - t' b) for s' < s, t' < t: D = sum_{k=1..d} (m s t)^k."""

    a: Annotated[float, Field(ge=1, description="Scale base (tinybig requires a >= 1).")] = 1.0
    b: Annotated[float, Field(ge=0, description="Shift step (tinybig requires b >= 0).")] = 1.0
    s: PositiveInt = 1
    t: PositiveInt = 1
    d: Degree = 1


class MeyerWaveletExpansion(_WaveletExpansion):
    """Meyer wavelet. D = sum_k (m s t)^k."""

    name: Literal["meyer_wavelet_expansion"]


class RickerWaveletExpansion(_WaveletExpansion):
    """Ricker (Mexican hat) wavelet with width sigma. D = sum_k (m s t)^k."""

    name: Literal["ricker_wavelet_expansion"]
    sigma: Annotated[float, Field(gt=0)] = 1.0


class ShannonWaveletExpansion(_WaveletExpansion):
    """Shannon wavelet. D = sum_k (m s t)^k."""

    name: Literal["shannon_wavelet_expansion"]


class BetaWaveletExpansion(_WaveletExpansion):
    """Beta wavelet with shape (alpha, beta). D = sum_k (m s t)^k."""

    name: Literal["beta_wavelet_expansion"]
    alpha: Annotated[float, Field(ge=1)] = 1.0
    beta: Annotated[float, Field(ge=1)] = 1.0


class HarrWaveletExpansion(_WaveletExpansion):
    """Haar wavelet (tinybig spells it harr). D = sum_k (m s t)^k."""

    name: Literal["harr_wavelet_expansion"]


class DogWaveletExpansion(_WaveletExpansion):
    """Difference of Gaussians wavelet (sigma_1, sigma_2). D = sum_k (m s t)^k."""

    name: Literal["dog_wavelet_expansion"]
    sigma_1: Annotated[float, Field(gt=0)] = 1.0
    sigma_2: Annotated[float, Field(gt=0)] = 2.0


# --- combinatorial --------------------------------------------------------------------------


class CombinatorialExpansion(Expansion):
    """All r-subsets of the features, r = 1..d, each contributing r values:
    D = sum_r r * C(m, r) (C(m + r - 1, r) with replacement, native semantics only)."""

    name: Literal["combinatorial_expansion"]
    d: Degree = 2
    with_replacement: bool = False


class CombinatorialNormalExpansion(Expansion):
    """One multivariate normal log-density per r-subset of the features, r = 1..d:
    D = sum_r C(m, r) (C(m + r - 1, r) with replacement, native semantics only)."""

    name: Literal["combinatorial_normal_expansion"]
    d: Degree = 1
    with_replacement: bool = False


# --- geometric patches: the input is an h x w x d grid --------------------------------------


class _GeometricExpansion(Expansion):
    """Patches around centres of an h x w x d grid (m = h w d): D = centres * patch volume.

    Centres are spaced (cd_h, cd_w, cd_d) apart, from ``packing_strategy`` or given explicitly
    (all three together): centres = ceil(h/cd_h) ceil(w/cd_w) ceil(d/cd_d).
    """

    h: PositiveInt
    w: PositiveInt
    d: PositiveInt = 1
    cd_h: PositiveInt | None = Field(default=None, description="Centre distance along h.")
    cd_w: PositiveInt | None = Field(default=None, description="Centre distance along w.")
    cd_d: PositiveInt | None = Field(default=None, description="Centre distance along d.")

    @model_validator(mode="after")
    def _centre_distances_together(self):
        given = [self.cd_h is not None, self.cd_w is not None, self.cd_d is not None]
        if any(given) and not all(given):
            raise ValueError("cd_h, cd_w and cd_d override packing_strategy only all together")
        return self


class CuboidPatchExpansion(_GeometricExpansion):
    """Cuboid patches: (p_h + p_h' + 1) x (p_w + p_w' + 1) x (p_d + p_d' + 1) cells."""

    name: Literal["cuboid_patch_based_geometric_expansion"]
    p_h: NonNegativeInt
    p_w: NonNegativeInt
    p_d: NonNegativeInt = 0
    p_h_prime: NonNegativeInt | None = Field(default=None, description="Defaults to p_h.")
    p_w_prime: NonNegativeInt | None = Field(default=None, description="Defaults to p_w.")
    p_d_prime: NonNegativeInt | None = Field(default=None, description="Defaults to p_d.")
    packing_strategy: Literal[
        "densest_packing", "dense_square", "complete_square", "sparse_square"
    ] = "densest_packing"


class CylinderPatchExpansion(_GeometricExpansion):
    """Cylinder patches: a disc of radius p_r, (p_d + p_d' + 1) cells deep."""

    name: Literal["cylinder_patch_based_geometric_expansion"]
    p_r: NonNegativeInt
    p_d: NonNegativeInt = 0
    p_d_prime: NonNegativeInt | None = Field(default=None, description="Defaults to p_d.")
    packing_strategy: Literal[
        "densest_packing",
        "denser_hexagonal",
        "dense_hexagonal",
        "complete_hexagonal",
        "sparse_hexagonal",
        "complete_square",
        "sparse_square",
    ] = "densest_packing"


class SpherePatchExpansion(_GeometricExpansion):
    """Sphere patches: the cells within radius p_r."""

    name: Literal["sphere_patch_based_geometric_expansion"]
    p_r: NonNegativeInt
    packing_strategy: Literal[
        "densest_packing",
        "dense_hexagonal",
        "complete_hexagonal",
        "sparse_hexagonal",
        "dense_face_centered_cubic",
        "complete_face_centered_cubic",
        "sparse_face_centered_cubic",
        "dense_simple_cubic",
        "complete_simple_cubic",
        "sparse_simple_cubic",
    ] = "densest_packing"


# --- compositions ---------------------------------------------------------------------------


class NestedExpansion(Expansion):
    """kappa_k(...kappa_1(x)): D composes left to right; no functions: the identity, D = m."""

    name: Literal["nested_expansion"]
    functions: list["AnyExpansion"] = Field(
        default_factory=empty_list, description="Applied in order (none: x itself, as in tinybig)."
    )


class ExtendedExpansion(Expansion):
    """[kappa_1(x), ..., kappa_k(x)]: D = sum of the parts' D."""

    name: Literal["extended_expansion"]
    functions: Annotated[list["AnyExpansion"], Field(min_length=1)]


EXPANSION_TYPES: tuple[type[Expansion], ...] = (
    IdentityExpansion,
    ReciprocalExpansion,
    LinearExpansion,
    TaylorExpansion,
    FourierExpansion,
    HyperbolicExpansion,
    ArcHyperbolicExpansion,
    TrigonometricExpansion,
    ArcTrigonometricExpansion,
    NormalExpansion,
    CauchyExpansion,
    Chi2Expansion,
    GammaExpansion,
    ExponentialExpansion,
    LaplaceExpansion,
    HybridProbabilisticExpansion,
    NaiveNormalExpansion,
    NaiveCauchyExpansion,
    NaiveChi2Expansion,
    NaiveGammaExpansion,
    NaiveExponentialExpansion,
    NaiveLaplaceExpansion,
    GaussianRBFExpansion,
    InverseQuadraticRBFExpansion,
    BSplineExpansion,
    ChebyshevExpansion,
    JacobiExpansion,
    HermiteExpansion,
    LaguerreExpansion,
    LegendreExpansion,
    GegenbauerExpansion,
    BesselExpansion,
    ReverseBesselExpansion,
    FibonacciExpansion,
    LucasExpansion,
    MeyerWaveletExpansion,
    RickerWaveletExpansion,
    ShannonWaveletExpansion,
    BetaWaveletExpansion,
    HarrWaveletExpansion,
    DogWaveletExpansion,
    CombinatorialExpansion,
    CombinatorialNormalExpansion,
    CuboidPatchExpansion,
    CylinderPatchExpansion,
    SpherePatchExpansion,
    NestedExpansion,
    ExtendedExpansion,
)

#: The family's field type: a bare name or a mapping, discriminated by ``name``, over the
#: built-in members and any registered plugins (see :mod:`rpnschema.spec.registry`).
AnyExpansion = Annotated[
    Expansion,
    FamilyUnion("expansion", EXPANSION_TYPES),
    BeforeValidator(name_shorthand),
]

NestedExpansion.model_rebuild()
ExtendedExpansion.model_rebuild()
