"""Descriptions of spec fields that their model does not describe itself.

A field's own ``Field(description=...)`` always wins. The tables below fill in the rest, so that
every field has a description in the JSON Schema (an editor's hover and completion) and in the
generated reference: :data:`BY_CLASS` for the meaning a parameter has in one class (looked up
along the class's bases, so a group base such as ``_RBFExpansion`` covers its members), then
:data:`SHARED` for parameter names that mean the same thing wherever they appear.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic.fields import FieldInfo

from rpnschema.spec.base import Component, Spec

SHARED: dict[str, str] = {
    "m": "Input size (inherited from the layer).",
    "n": "Output size (inherited from the layer).",
    "channels": "Channel count (tinybig channel_num).",
    "enable_bias": "Add a learnable bias.",
    "r": "Rank r of the low-rank factors.",
    "alpha": "Shape parameter alpha.",
    "beta": "Shape parameter beta.",
    "eps": "Added to the variance for numerical stability.",
    "grid_range": "The interval [low, high] the grid spans.",
    "base_range": "The interval [low, high] the centres span.",
    "num_interval": "Number of centres per feature.",
    "epsilon": "Kernel width epsilon.",
    "with_replacement": "Subsets drawn with replacement (repeated features allowed).",
    "with_batch_norm": "Append batch_norm to the head's output_process.",
    "with_softmax": "Append softmax to the head's output_process.",
    "hidden_dim": "Hidden width of the fixed random network.",
    "functions": "The expansions it combines, in order.",
    "c": "The constant value c.",
    "packing_strategy": "How the patch centres are packed on the grid (sets cd_h, cd_w, cd_d).",
    "h": "Grid height (m = h w d).",
    "w": "Grid width (m = h w d).",
    "p_r": "Patch radius.",
    "p_d": "Patch depth on each side along d.",
    "p_h": "Patch height on each side along h.",
    "p_w": "Patch width on each side along w.",
    "device": "Torch device of the built model: cpu, meta, mps, cuda or cuda:N.",
    "dtype": "Torch dtype of the parameters.",
    "layers": "The layers, input to output (or use the dims + head shorthand).",
    "heads": "The head configs of the layer: one, or a list (see width / width_alloc).",
    "d": "Grid depth (m = h w d).",
    "shape": "The patch shape: cuboid, cylinder or sphere.",
    "patch": "The patch shape and its sizes.",
    "normalization": "Normalize the interdependence matrix (see normalization_mode).",
    "interdependence_matrix_mode": "How patches become the matrix A: padding (one column per "
    "patch cell) or aggregation (cells of a patch summed).",
    "accumulative": "Sum the matrix powers 1..h instead of the h-th power alone.",
    "self_scaling": "Scale the identity added to the chain's adjacency (self-dependence).",
    "sigma": "Kernel width sigma.",
    "gamma": "Kernel scale gamma.",
    "a_scalar": "Scalar a of the anisotropic kernel (used when a_vector is not given).",
    "kernels": "The kernel functions it mixes, by name.",
    "weights": "The weight of each part, in order.",
    "loc": "Location parameter of the distribution.",
    "scale": "Scale parameter of the distribution.",
    "mean": "Mean of the normal distribution.",
    "std": "Standard deviation of the normal distribution.",
    "low": "Lower bound of the uniform distribution.",
    "high": "Upper bound of the uniform distribution.",
    "df": "Degrees of freedom of the chi-squared distribution.",
    "rate": "Rate parameter of the distribution.",
    "concentration": "Concentration (shape) parameter of the gamma distribution.",
    "normalization_mode": "How the matrix is normalized: by row, by column or both.",
    "distribution": "The probability distribution of the expansion (e.g. normal).",
    "kernel": "The kernel of the expansion (linear, gaussian_rbf, inverse_quadratic_rbf).",
}

_HYPERCOMPLEX = {
    "p": "Rows p of the Kronecker factor A (divides n); when omitted, the divisor of n closest "
    "to sqrt(n).",
    "q": "Columns q of the Kronecker factor A (divides D); when omitted, the divisor of D "
    "closest to sqrt(D).",
}

BY_CLASS: dict[str, dict[str, str]] = {
    "ModelPreset": {
        "name": "The tinybig model class the preset expands like (one layer per pair of dims)."
    },
    **{
        f"{kind}Parameterized{bilinear}Interdependence": {
            "p": "Rows p of the Kronecker factor A of the fabricated matrix (divides its rows).",
            "q": "Columns q of the Kronecker factor A of the fabricated matrix (divides its "
            "columns).",
        }
        for kind in ("HM", "LPHM", "DualLPHM")
        for bilinear in ("", "Bilinear")
    },
    "ModelSpec": {"name": "Name of the model (used in reports and exports)."},
    "Preset": {"r": "Rank r of the low-rank reconciliation (with_lorr)."},
    "PerceptronPreset": {
        "with_taylor": "A taylor_expansion of degree d instead of identity_expansion.",
        "d": "Degree of the Taylor expansion (with_taylor).",
        "with_dual_lphm": "dual_lphm_reconciliation of rank r instead of identity.",
        "with_relu": "Append relu to the head's output_process.",
        "with_dropout": "Append dropout with probability p to the head's output_process.",
        "p": "Dropout probability (with_dropout).",
    },
    "KanPreset": {
        "t": "Number of B-spline grid intervals.",
        "d": "B-spline degree.",
    },
    "SvmPreset": {"kernel": "The kernel expansion: identity (linear) or a radial basis."},
    "NaiveBayesPreset": {"distribution": "The per-feature distribution (naive_<it>_expansion)."},
    "PgmPreset": {
        "distribution": "The joint distribution of each feature subset.",
        "d": "Largest subset size.",
    },
    "LeakyReLU": {"negative_slope": "Slope for x < 0."},
    "GELU": {"approximate": "none: the exact erf form; tanh: the tanh approximation."},
    "Softplus": {
        "beta": "Sharpness beta.",
        "threshold": "Above beta x > threshold the function is linear.",
    },
    "ELU": {"alpha": "Value approached for x -> -infinity is -alpha."},
    "LayerNorm": {
        "elementwise_affine": "Learn a per-element scale (and bias).",
        "bias": "Learn a per-element bias (with elementwise_affine).",
    },
    "BatchNorm": {
        "momentum": "Running statistics update factor.",
        "affine": "Learn a per-feature scale and bias.",
        "track_running_stats": "Keep running mean and variance for evaluation.",
    },
    "Dropout": {"p": "Probability of zeroing an element during training."},
    "FourierExpansion": {"N": "Number of harmonics."},
    "BSplineExpansion": {
        "t": "Number of grid intervals.",
        "d": "B-spline degree.",
    },
    "_WaveletExpansion": {"s": "Number of scales s'.", "t": "Number of shifts t'."},
    "RickerWaveletExpansion": {"sigma": "Width sigma of the wavelet."},
    "DogWaveletExpansion": {
        "sigma_1": "Width of the first Gaussian.",
        "sigma_2": "Width of the second Gaussian.",
    },
    "_GeometricExpansion": {"d": "Grid depth (m = h w d)."},
    "WeightedSummationFusion": {"weights": "One fixed weight per input."},
    "_ParameterizedConcatenation": {"p": "Rows p of the Kronecker factor A (divides n)."},
    "Reconciliation": {
        "p": "Rows p of the Kronecker block (divides n).",
        "q": "Columns q of the Kronecker block (divides D); p when omitted.",
    },
    "HMReconciliation": _HYPERCOMPLEX,
    "LPHMReconciliation": _HYPERCOMPLEX,
    "DualLPHMReconciliation": _HYPERCOMPLEX,
}


def annotated_infos(tp: Any) -> list[FieldInfo]:
    """The ``Field(...)`` objects inside the ``Annotated`` parts of an annotation."""
    if get_origin(tp) is Annotated:
        own = [a for a in get_args(tp)[1:] if isinstance(a, FieldInfo)]
        return own + annotated_infos(get_args(tp)[0])
    if get_origin(tp) is Union or type(tp).__name__ == "UnionType":
        return [info for arg in get_args(tp) for info in annotated_infos(arg)]
    return []


def own_description(info: FieldInfo) -> str:
    """The description the model gives a field (on the field or inside its annotation)."""
    if info.description:
        return info.description
    return next((i.description for i in annotated_infos(info.annotation) if i.description), "")


def _summary(cls: type) -> str:
    return " ".join((inspect.getdoc(cls) or "").split("\n\n")[0].split())


def field_description(cls: type[Spec], field: str) -> str:
    """The description of ``cls.field``: its own, else from the tables, else ''."""
    info = cls.model_fields.get(field)
    if info is not None and (text := own_description(info)):
        return text
    for base in cls.__mro__:
        if text := BY_CLASS.get(base.__name__, {}).get(field, ""):
            return text
    if field in ("name", "preset") and info is not None:
        # The tag of a catalog function or preset: what the chosen one does.
        tag = get_args(info.annotation)
        if issubclass(cls, Component) or field == "preset":
            return f"`{tag[0]}`: {_summary(cls)}" if tag else ""
    return SHARED.get(field, "")


def spec_classes() -> dict[str, type[Spec]]:
    """Every spec model class by class name (the JSON Schema's definition names)."""
    found: dict[str, type[Spec]] = {}
    todo: list[type[Spec]] = [Spec]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found.setdefault(sub.__name__, sub)
            # pydantic's definition name when two models share a class name
            found.setdefault(f"{sub.__module__}.{sub.__qualname__}".replace(".", "__"), sub)
            todo.append(sub)
    return found
