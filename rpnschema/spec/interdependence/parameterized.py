"""Parameterized interdependence functions: A is fabricated from learnable parameters w
(one row per channel of the head, tinybig's ``w_attribute_interdependence`` /
``w_instance_interdependence``) by a reconciliation function.

- ``*_parameterized_interdependence``: A = psi(w), a d x d' matrix (d = m, d' = m' in the
  attribute slot; d = b, d' = b' in the instance slot). l is psi's l for (n, D) = (d, d').
- ``*_parameterized_bilinear_interdependence``: A = X^T W X with W = psi(w) square: W is
  b x b in the attribute slot (A is m x m) and m x m in the instance slot (A is b x b).
  d' = d. ``softmax`` normalizes A afterwards (:mod:`.softmax`; the attention of
  ``preset: bilinear`` heads).

The fabrication of each class: plain = identity, lowrank = lorr (r), hm (p, q), lphm
(r, p, q), dual_lphm (r, p, q), random_matrix_adaption (r). q defaults to p (tinybig).
"""

from typing import Literal

from pydantic import Field

from rpnschema.spec.interdependence.base import Factor, Interdependence, Rank, _Resized
from rpnschema.spec.interdependence.softmax import MatrixSoftmax


class _Parameterized(_Resized):
    """A = psi(w) reshaped to d x d'."""


class _Bilinear(Interdependence):
    """A = X^T psi(w) X, then optionally a softmax normalization of A (attention)."""

    softmax: MatrixSoftmax | None = Field(
        default=None,
        description="Normalize A with a softmax (attention weights): tinybig's "
        "operator_based_normalize_matrix postprocess of its bilinear heads.",
    )


class ParameterizedInterdependence(_Parameterized):
    """A = reshape(w, (d, d')). l = d d'."""

    name: Literal["parameterized_interdependence"]


class LowrankParameterizedInterdependence(_Parameterized):
    """A = lorr(w): rank r. l = r (d + d')."""

    name: Literal["lowrank_parameterized_interdependence"]
    r: Rank = 2


class HMParameterizedInterdependence(_Parameterized):
    """A = hm(w). l = p q + (d/p)(d'/q)."""

    name: Literal["hm_parameterized_interdependence"]
    p: Factor
    q: Factor | None = Field(default=None, description="Defaults to p.")


class LPHMParameterizedInterdependence(_Parameterized):
    """A = lphm(w). l = p q + r (d/p + d'/q)."""

    name: Literal["lphm_parameterized_interdependence"]
    r: Rank
    p: Factor
    q: Factor | None = Field(default=None, description="Defaults to p.")


class DualLPHMParameterizedInterdependence(_Parameterized):
    """A = dual_lphm(w). l = r (p + q + d/p + d'/q)."""

    name: Literal["dual_lphm_parameterized_interdependence"]
    r: Rank
    p: Factor
    q: Factor | None = Field(default=None, description="Defaults to p.")


class RandomMatrixAdaptionParameterizedInterdependence(_Parameterized):
    """A = random_matrix_adaption(w) with fixed random matrices. l = d + r."""

    name: Literal["random_matrix_adaption_parameterized_interdependence"]
    r: Rank = 2


class ParameterizedBilinearInterdependence(_Bilinear):
    """A = X^T reshape(w, (e, e)) X (e = b attribute slot, m instance slot). l = e^2."""

    name: Literal["parameterized_bilinear_interdependence"]


class LowrankParameterizedBilinearInterdependence(_Bilinear):
    """W = lorr(w). l = 2 r e."""

    name: Literal["lowrank_parameterized_bilinear_interdependence"]
    r: Rank = 2


class HMParameterizedBilinearInterdependence(_Bilinear):
    """W = hm(w). l = p q + (e/p)(e/q)."""

    name: Literal["hm_parameterized_bilinear_interdependence"]
    p: Factor
    q: Factor | None = Field(default=None, description="Defaults to p.")


class LPHMParameterizedBilinearInterdependence(_Bilinear):
    """W = lphm(w). l = p q + r (e/p + e/q)."""

    name: Literal["lphm_parameterized_bilinear_interdependence"]
    r: Rank
    p: Factor
    q: Factor | None = Field(default=None, description="Defaults to p.")


class DualLPHMParameterizedBilinearInterdependence(_Bilinear):
    """W = dual_lphm(w). l = r (p + q + e/p + e/q)."""

    name: Literal["dual_lphm_parameterized_bilinear_interdependence"]
    r: Rank
    p: Factor
    q: Factor | None = Field(default=None, description="Defaults to p.")


class RandomMatrixAdaptionParameterizedBilinearInterdependence(_Bilinear):
    """W = random_matrix_adaption(w) with fixed random matrices. l = e + r."""

    name: Literal["random_matrix_adaption_parameterized_bilinear_interdependence"]
    r: Rank = 2


PARAMETERIZED_TYPES = (
    ParameterizedInterdependence,
    LowrankParameterizedInterdependence,
    HMParameterizedInterdependence,
    LPHMParameterizedInterdependence,
    DualLPHMParameterizedInterdependence,
    RandomMatrixAdaptionParameterizedInterdependence,
    ParameterizedBilinearInterdependence,
    LowrankParameterizedBilinearInterdependence,
    HMParameterizedBilinearInterdependence,
    LPHMParameterizedBilinearInterdependence,
    DualLPHMParameterizedBilinearInterdependence,
    RandomMatrixAdaptionParameterizedBilinearInterdependence,
)
