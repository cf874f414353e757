"""Checks of tinybig's bilinear attention presets (``preset: bilinear`` heads, ``preset:
transformer`` models) made while normalization expands them. No torch.

tinybig 0.2.1 constructs these classes but cannot run them: its bilinear_interdependence_head
gives the attention's postprocess ``functools.partial(operator_based_normalize_matrix,
mask_zero=True, ...)`` while the function's parameter is ``mask_zeros``, so every forward pass
raises TypeError. ``semantics: tinybig`` reproduces tinybig's outputs and there are none, so
it rejects them (RPN485); native semantics compute what the code intends.
"""

from __future__ import annotations

from typing import Any

from rpnschema.errors import Code, Diagnostic, Loc

#: Why tinybig 0.2.1 cannot run the bilinear attention classes.
TYPO = (
    "its bilinear_interdependence_head passes mask_zero=True to operator_based_normalize_matrix, "
    "whose parameter is mask_zeros, so every forward pass raises TypeError: "
    "operator_based_normalize_matrix() got an unexpected keyword argument 'mask_zero'"
)
#: The native computation, for suggestions.
NATIVE = (
    "native semantics compute the attention the code intends: A = softmax over the columns of "
    "sqrt(n) X W X^T, zeros masked"
)

#: tinybig's class paths of the bilinear attention architectures -> the native preset.
CLASSES = {
    "tinybig.head.bilinear_interdependence_head": "head",
    "tinybig.head.bilinear_heads.bilinear_interdependence_head": "head",
    "tinybig.layer.bilinear_interdependence_layer": "layer",
    "tinybig.layer.bilinear_layers.bilinear_interdependence_layer": "layer",
    "tinybig.model.transformer": "model",
    "tinybig.model.rpn_transformer.transformer": "model",
}


class PresetRejected(Exception):
    """A bilinear preset normalization cannot expand (already reported)."""


def tinybig_rejection(what: str, path: Loc) -> Diagnostic:
    """RPN485 at ``path``: ``what`` (a tinybig class) cannot run in tinybig 0.2.1."""
    return Diagnostic(
        Code.TINYBIG_BILINEAR,
        f"semantics: tinybig cannot build {what}: tinybig 0.2.1 cannot run it ({TYPO})",
        path=path,
        expected="semantics: native",
        found="semantics: tinybig",
        suggestion=f"set semantics: native ({NATIVE})",
    )


def tinybig_transformer(model: Any, out: list[Diagnostic]) -> None:
    """Reject ``preset: transformer`` under tinybig semantics."""
    if model.semantics == "tinybig":
        what = "tinybig.model.transformer (preset: transformer)"
        out.append(tinybig_rejection(what, ("preset",)))
        raise PresetRejected


def bilinear_preset(
    head: Any,
    src: Loc,
    layer: Any,
    semantics: str,
    out: list[Diagnostic],
    what: str = "tinybig.head.bilinear_interdependence_head (preset: bilinear)",
) -> Any:
    """``head`` (a bilinear head or layer preset) with the layer's m and n filled in; rejected
    (reported) under tinybig semantics or without the sizes it is built from."""
    if semantics == "tinybig":
        out.append(tinybig_rejection(what, (*src, "preset")))
        raise PresetRejected
    update = {
        k: getattr(layer, k)
        for k in ("m", "n")
        if getattr(head, k) is None and layer is not None and getattr(layer, k) is not None
    }
    head = head.model_copy(update=update)
    needed = ["n"] + (["m"] if head.with_dual_lphm_interdependence else [])
    missing = [k for k in needed if getattr(head, k) is None]
    if missing:
        why = {
            "n": "the attention is scaled by sqrt(n)",
            "m": "with_dual_lphm_interdependence factors m",
        }
        out.append(
            Diagnostic(
                Code.BILINEAR_DIMS,
                f"preset 'bilinear' needs {' and '.join(missing)} before it expands "
                f"({'; '.join(why[k] for k in missing)}), and "
                f"its layer (or dims) does not give {'them' if len(missing) > 1 else 'it'}",
                path=(*src, "preset"),
                expected=" and ".join(f"{k}: <size>" for k in missing),
                found="not given",
                suggestion=f"give the layer (or the head) {' and '.join(missing)}; as a dims "
                "template, every layer of dims needs the same n (or use preset: transformer)",
            )
        )
        raise PresetRejected
    return head
