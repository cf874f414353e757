"""Native spec -> a tinybig 0.2.1 config (``model_class: tinybig.model.rpn``).

The normalized spec is written out: every layer and head explicit, consecutive equal layers
(heads) folded into ``depth_alloc`` (``width_alloc``), every multi-head layer with an explicit
``head_fusion_configs`` (tinybig crashes without one), every function config with a
``function_parameters`` mapping (tinybig's composed expansions need the key) that gives every
parameter explicitly, so the config means the same whatever tinybig's defaults are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rpnschema.errors import Code, Diagnostic, Loc
from rpnschema.interop import _tinybig_table as T
from rpnschema.interop._tinybig_compression import METRIC_CLASSES, write_params
from rpnschema.interop._tinybig_semantics import changed_functions
from rpnschema.spec import expansion as ex
from rpnschema.spec import fusion as fu
from rpnschema.spec import remainder as rm
from rpnschema.spec.base import Component
from rpnschema.spec.head import HeadSpec
from rpnschema.spec.layer import LayerSpec
from rpnschema.spec.model import ModelSpec
from rpnschema.spec.processing import Processing
from rpnschema.validate import load_spec

_OWN = {"name", "preprocess", "postprocess", "functions", "activation"}


def _groups(items: list[Any]) -> list[tuple[Any, int]]:
    """Consecutive equal items folded into (item, count)."""
    out: list[tuple[Any, int]] = []
    for item in items:
        if out and out[-1][0] == item:
            out[-1] = (item, out[-1][1] + 1)
        else:
            out.append((item, 1))
    return out


def _processing(items: list[Processing]) -> list[dict[str, Any]]:
    return [
        {
            "function_class": T.PROCESSING_PATH[item.name],
            "function_parameters": item.model_dump(
                mode="json", exclude_none=True, exclude={"name"}
            ),
        }
        for item in items
    ]


def _function(spec: Component) -> dict[str, Any]:
    # every parameter explicit (None included), so tinybig builds the same function whatever
    # its defaults are
    params = spec.model_dump(mode="json", exclude=_OWN)
    if isinstance(spec, ex.Expansion):
        if spec.preprocess:
            params["preprocess_function_configs"] = _processing(spec.preprocess)
        if spec.postprocess:
            params["postprocess_function_configs"] = _processing(spec.postprocess)
        if isinstance(spec, (ex.NestedExpansion, ex.ExtendedExpansion)):
            params["composition_function_configs"] = [_function(f) for f in spec.functions]
        if spec.family == "compression":
            params = write_params(spec, params)
    if isinstance(spec, rm.Remainder):
        params = {"require_parameters": isinstance(spec, rm.LinearRemainder), **params}
        if spec.activation:
            params["activation_function_configs"] = _processing(spec.activation)
    return {"function_class": T.CLASS_PATH[spec.name], "function_parameters": params}


def _nested_configs(fn: Component, own: dict[str, Any]) -> dict[str, Any]:
    """tinybig's keys for the components inside composite interdependences."""
    out: dict[str, Any] = {}
    for key in ("data_transformation", "parameter_fabrication"):
        if hasattr(fn, key):
            out[key] = _function(getattr(fn, key))
    if hasattr(fn, "functions") and hasattr(fn, "fusion"):
        configs = []
        for sub in fn.functions:  # type: ignore[attr-defined]
            cfg = _function(sub)
            cfg["function_parameters"] = {
                **own,
                **cfg["function_parameters"],
                **_nested_configs(sub, own),
            }
            cfg["function_parameters"].pop("functions", None)
            cfg["function_parameters"].pop("fusion", None)
            configs.append(cfg)
        out["interdependence_function_configs"] = configs
        out["fusion_function_config"] = _function(fn.fusion)  # type: ignore[attr-defined]
    return out


def _names(spec: Component, path: Loc = ()) -> list[tuple[Loc, str]]:
    """(path, name) of ``spec`` and of the functions it composes."""
    found: list[tuple[Loc, str]] = [(path, spec.name)]
    if isinstance(spec, (ex.NestedExpansion, ex.ExtendedExpansion)):
        for i, f in enumerate(spec.functions):
            found += _names(f, (*path, "functions", i))
    return found


class _Writer:
    def __init__(self, native: bool) -> None:
        self.diags: list[Diagnostic] = []
        self.native = native

    def semantics(self, node: Component | HeadSpec, path: Loc) -> None:
        """Warn about the functions tinybig computes differently from native semantics."""
        if not self.native:
            return
        data = node.to_data()
        found = changed_functions({"head_fusion": data} if isinstance(node, fu.Fusion) else data)
        for sub, name, why in found:
            where = (*path, *sub[1:]) if isinstance(node, fu.Fusion) else (*path, *sub)
            self.report(
                Code.SEMANTICS,
                where,
                f"{name}: this spec uses native semantics ({why}); tinybig computes it its own way",
                severity="warning",
                suggestion="set semantics: tinybig to check the spec as tinybig runs it",
            )

    def report(
        self, code: Code, path: Loc, message: str, severity: str = "error", **kw: Any
    ) -> None:
        self.diags.append(Diagnostic(code, message, path=path, severity=severity, **kw))  # type: ignore[arg-type]

    def function(self, spec: Component, path: Loc) -> dict[str, Any] | None:
        """The tinybig config of ``spec``; None (reported) when a part of it is a plugin's."""
        missing = [(sub, name) for sub, name in _names(spec) if name not in T.CLASS_PATH]
        for sub, name in missing:
            self.report(
                Code.NOT_REPRESENTABLE,
                (*path, *sub),
                f"{name} is a plugin component; tinybig has no class for it",
                expected="a built-in function",
                found=name,
                suggestion="replace it with a built-in function to convert to tinybig",
            )
        if missing:
            return None
        for sub, name in _names(spec):
            if name in METRIC_CLASSES:
                self.report(
                    Code.TINYBIG_BEHAVIOUR,
                    (*path, *sub, "metric"),
                    f"{name}'s metric is written as its koala path; tinybig calls the value, so "
                    "replace it by the function (config.get_obj_from_str) before building",
                    severity="warning",
                )
        return _function(spec)

    def _softmax(self, fn: Any, cfg: dict[str, Any], path: Loc) -> None:
        """A softmax over an interdependence's A (graph attention, bilinear attention): tinybig
        builds it only inside its own heads (a functools.partial of
        operator_based_normalize_matrix), so a config cannot name it."""
        cfg["function_parameters"].pop("softmax", None)
        graph = fn.name == "hybrid_interdependence"
        head = "graph_bilinear_interdependence" if graph else "bilinear_interdependence"
        self.report(
            Code.NOT_REPRESENTABLE,
            path,
            f"{fn.name}'s masked softmax ({'graph' if graph else 'bilinear'} attention) cannot be "
            f"written in a tinybig config: tinybig applies it only inside {head}_head, through "
            "a Python postprocess function (functools.partial of operator_based_normalize_matrix)",
            expected=f"a {fn.name} without softmax",
            found=f"softmax: {fn.softmax.model_dump(mode='json')}",
            suggestion=f"build tinybig.layer.{head}_layer in Python for this layer"
            if graph
            else "remove softmax to convert to tinybig (tinybig 0.2.1 cannot run its bilinear "
            "attention classes: RPN485)",
        )

    def head(self, head: HeadSpec, path: Loc) -> dict[str, Any]:
        assert head.reconciliation is not None and head.remainder is not None
        if head.patch_convolution:
            self.report(
                Code.NOT_REPRESENTABLE,
                (*path, "patch_convolution"),
                "a patch convolution has no tinybig rpn_head config (tinybig builds it only as "
                "tinybig.head.grid_interdependence_head, from its own arguments)",
                expected="a head without patch_convolution",
                suggestion="write the tinybig config with grid_interdependence_head / "
                "tinybig.model.cnn and the preset's arguments",
            )
        parts = {
            "data_transformation_configs": self.function(head.expansion, (*path, "expansion")),
            "parameter_fabrication_configs": self.function(
                head.reconciliation, (*path, "reconciliation")
            ),
            "remainder_configs": self.function(head.remainder, (*path, "remainder")),
        }
        params: dict[str, Any] = {"channel_num": head.channels}
        params.update({k: v for k, v in parts.items() if v is not None})
        if head.channel_fusion is not None:
            self.fusion(head.channel_fusion, (*path, "channel_fusion"), "channel")
            fusion = self.function(head.channel_fusion, (*path, "channel_fusion"))
            if fusion is not None:
                params["channel_fusion_configs"] = fusion
        if head.batch is not None:
            params["batch_num"] = head.batch
        for kind in ("attribute", "instance"):
            fn = getattr(head, f"{kind}_interdependence")
            if fn is None:
                continue
            cfg = self.function(fn, (*path, f"{kind}_interdependence"))
            if getattr(fn, "structure", None) is not None:
                self.report(
                    Code.NOT_REPRESENTABLE,
                    (*path, f"{kind}_interdependence", "structure"),
                    f"structure: {fn.structure} names a graph supplied at build time; a tinybig "  # type: ignore[attr-defined]
                    "config needs its nodes and links inline",
                    expected="nodes: [ids] and links: [[a, b], ...]",
                    found=f"structure: {fn.structure}",  # type: ignore[attr-defined]
                )
                cfg = None
            if cfg is not None:
                # tinybig's interdependences carry their own b, m and side
                own = {"b": head.batch or 0, "m": head.m, "interdependence_type": kind}
                cfg["function_parameters"] = {**own, **cfg["function_parameters"]}
                cfg["function_parameters"].update(_nested_configs(fn, own))
                cfg["function_parameters"].pop("fusion", None)
                if fn.name == "parameterized_rpn_interdependence":
                    self.report(
                        Code.NOT_REPRESENTABLE,
                        (*path, f"{kind}_interdependence"),
                        "tinybig's parameterized_rpn_interdependence takes data_transformation "
                        "and parameter_fabrication as objects: build them from the configs "
                        "written here and pass them to its constructor",
                        severity="warning",
                    )
                patch = cfg["function_parameters"].pop("patch", None)
                if patch is not None:
                    shape = patch.pop("shape")
                    cfg["function_parameters"]["patch_configs"] = {
                        "patch_class": f"tinybig.koala.geometry.{shape}",
                        "patch_parameters": patch,
                    }
                if fn.name == "constant_interdependence":
                    cfg["function_parameters"].pop("A")
                    self.report(
                        Code.NOT_REPRESENTABLE,
                        (*path, f"{kind}_interdependence", "A"),
                        "constant_interdependence takes A as a torch tensor, which a JSON/YAML "
                        "config cannot hold: pass A to tinybig's constructor yourself",
                        severity="warning",
                    )
                if getattr(fn, "softmax", None) is not None:
                    self._softmax(fn, cfg, (*path, f"{kind}_interdependence", "softmax"))
                params[f"{kind}_interdependence_configs"] = cfg
            l = getattr(head, f"l_{kind}_interdependence")
            if l:
                params[f"l_{kind}_interdependence"] = l
        if head.input_process:
            params["input_process_function_configs"] = _processing(head.input_process)
        if head.output_process:
            params["output_process_function_configs"] = _processing(head.output_process)
        self.semantics(head, path)
        if isinstance(head.expansion, ex.CombinatorialExpansion):
            self.report(
                Code.TINYBIG_BEHAVIOUR,
                (*path, "expansion"),
                "tinybig's combinatorial_expansion returns a list, so tinybig's rpn_head fails "
                "on it at the first forward pass",
                severity="warning",
            )
        return {"head_class": T.HEAD_CLASS, "head_parameters": params}

    def fusion(self, fusion: fu.Fusion, path: Loc, role: str) -> None:
        if isinstance(fusion, fu.ParameterizedWeightedSummationFusion):
            self.report(
                Code.NOT_REPRESENTABLE,
                (*path, "name"),
                f"tinybig cannot use parameterized_weighted_summation_fusion as a {role} fusion "
                "(its (1, l) weight fails tinybig's shape assertion)",
                suggestion="use weighted_summation_fusion, mean_fusion or a parameterized "
                "concatenation",
            )

    def layer(self, layer: LayerSpec, path: Loc, init: str) -> dict[str, Any]:
        if layer.steps is not None:
            self.report(
                Code.NOT_REPRESENTABLE,
                (*path, "steps"),
                "a sequence layer (steps) has no tinybig rpn_layer config: tinybig's chain "
                "heads are classes (chain_interdependence_head), and its rnn models apply "
                "perceptron layers per position in their own forward",
                expected="no steps",
                found=f"steps: {layer.steps}",
                suggestion="keep the spec (or the tinybig.model.rnn config it came from)",
            )
        for key in ("input_process", "output_process"):
            if getattr(layer, key):
                self.report(
                    Code.NOT_REPRESENTABLE,
                    (*path, key),
                    f"tinybig 0.2.1's rpn_layer has no {key}",
                    suggestion=f"move it into the heads' {key} (for a single head), or drop it",
                )
        if layer.share_heads and len(layer.heads) > 1:
            self.report(
                Code.NOT_REPRESENTABLE,
                (*path, "share_heads"),
                f"a tinybig config cannot share one head object: tinybig's rpn_layer builds "
                f"{len(layer.heads)} heads with their own parameters",
                severity="warning",
                suggestion="write the layer with width 1 (the mean of identical heads is that "
                "head), or convert the model class (tinybig.model.mlp, ...) by hand",
            )
        groups = _groups(list(layer.heads))
        heads = []
        for i, (head, _) in enumerate(groups):
            index = sum(c for _, c in groups[:i])
            heads.append(self.head(head, (*path, "heads", index)))  # type: ignore[arg-type]
        params: dict[str, Any] = {
            "m": layer.m,
            "n": layer.n,
            "width": len(layer.heads),
            "width_alloc": [c for _, c in groups],
            "head_configs": heads,
        }
        if layer.head_fusion is not None:
            self.fusion(layer.head_fusion, (*path, "head_fusion"), "head")
            self.semantics(layer.head_fusion, (*path, "head_fusion"))
            fusion = self.function(layer.head_fusion, (*path, "head_fusion"))
            if fusion is not None:
                params["head_fusion_configs"] = fusion
        params["parameters_init_method"] = init
        return {"layer_class": T.LAYER_CLASS, "layer_parameters": params}

    def model(self, spec: ModelSpec, document: bool) -> dict[str, Any]:
        layers = list(spec.layers or [])
        groups = _groups(layers)
        configs = []
        for i, (layer, _) in enumerate(groups):
            index = sum(c for _, c in groups[:i])
            configs.append(self.layer(layer, ("layers", index), spec.init))
        model = {
            "model_class": T.MODEL_CLASS,
            "model_parameters": {
                "name": spec.name,
                "device": spec.device,
                "depth": len(layers),
                "depth_alloc": [c for _, c in groups],
                "layer_configs": configs,
            },
        }
        if spec.dtype != "float32":
            self.report(
                Code.NOT_REPRESENTABLE,
                ("dtype",),
                f"tinybig configs have no dtype: tinybig builds float32, not {spec.dtype}",
                severity="warning",
            )
        if not document:
            if spec.seed is not None:
                self.report(
                    Code.NOT_REPRESENTABLE,
                    ("seed",),
                    "a bare tinybig model config has no seed (the configurations document keeps "
                    "it as random_seed)",
                    severity="notice",
                )
            return model
        conf: dict[str, Any] = {}
        if spec.seed is not None:
            conf["random_seed"] = spec.seed
        conf["model_configs"] = model
        return {"configurations": conf}


def export_tinybig(
    spec: ModelSpec | dict[str, Any] | str | Path, *, document: bool = False
) -> tuple[dict[str, Any], list[Diagnostic]]:
    """A tinybig 0.2.1 config of ``spec``, and what it could not express (at spec paths).

    Args:
        spec: a :class:`ModelSpec`, spec data or a spec file; it is normalized first
            (:class:`~rpnschema.errors.SpecError` when invalid).
        document: return a whole ``configurations:`` document (with ``random_seed``) instead of
            a bare ``{model_class, model_parameters}`` config.

    Error diagnostics mark constructs that tinybig cannot express; the config then omits them.
    Diagnostic paths are paths in the normalized spec (as ``rpnschema resolve`` prints it); a
    repeated head or layer is reported once, at its first copy.
    """
    normalized = load_spec(spec)
    writer = _Writer(native=normalized.semantics == "native")
    return writer.model(normalized, document), writer.diags
