"""tinybig config -> native spec data, with a path map back into the tinybig document.

Reads a whole ``configurations:`` document, a bare model config (``model_class`` /
``model_parameters``), a layer config or a head config. Class paths are looked up in
:mod:`rpnschema.interop._tinybig_table`, never imported. Every finding is a
:class:`~rpnschema.errors.Diagnostic` at its path in the tinybig document.
"""

from __future__ import annotations

import copy
import difflib
import itertools
from typing import Any

from rpnschema.errors import Code, Loc
from rpnschema.interop import _tinybig_bilinear as bilinear
from rpnschema.interop import _tinybig_presets as presets
from rpnschema.interop import _tinybig_table as T
from rpnschema.interop._pathmap import PathMap
from rpnschema.interop._tinybig_grid import GridReader
from rpnschema.interop._tinybig_semantics import native_changes
from rpnschema.migrate import LATEST


def _alloc_total(total: Any, alloc: Any, count: int) -> int | None:
    """The number of items tinybig builds (its process_num_alloc_configs), if well-typed."""
    if isinstance(alloc, int) and not isinstance(alloc, bool):
        alloc = [alloc]
    if isinstance(alloc, list) and all(isinstance(a, int) for a in alloc):
        return sum(alloc)
    if isinstance(total, int) and not isinstance(total, bool):
        return total
    return count


class Reader(GridReader):
    """One conversion: diagnostics and the path map accumulate on the instance."""

    def __init__(self, semantics: str = "tinybig"):
        super().__init__(diags=[], paths=PathMap())
        self.semantics = semantics
        self.root: Loc = ()

    # -- entry -------------------------------------------------------------------------------

    def document(self, data: Any) -> dict[str, Any] | None:
        if not isinstance(data, dict):
            self.report(
                Code.NOT_A_MAPPING,
                (),
                "a tinybig config must be a mapping",
                expected="configurations:, model_class:, layer_class: or head_class:",
            )
            return None
        if "configurations" in data:
            for key in data:
                if key != "configurations":
                    self.unknown_key((key,), key, ["configurations"], "the document")
            conf = data["configurations"]
            if not isinstance(conf, dict):
                self.wrong_type(("configurations",), "a mapping")
                return None
            return self.configurations(conf, ("configurations",))
        if "model_configs" in data:
            return self.configurations(data, ())
        if "model_class" in data or "model_parameters" in data:
            return self.model(data, ())
        if "layer_class" in data or "layer_parameters" in data:
            return self.single_layer(data, ())
        if "head_class" in data or "head_parameters" in data:
            return self.single_head(data, ())
        if "layer_configs" in data:
            return self.model(data, (), bare=True)
        if "head_configs" in data:
            return self.single_layer(data, (), bare=True)
        if "data_transformation_configs" in data:
            return self.single_head(data, (), bare=True)
        self.report(
            Code.BAD_VALUE,
            (),
            "not a tinybig config: no configurations, model_class, layer_class or head_class",
            expected="configurations: {model_configs: {model_class: tinybig.model.rpn, ...}}",
            suggestion="validate it as an rpnschema spec (--from native)",
        )
        return None

    def configurations(self, conf: dict[str, Any], path: Loc) -> dict[str, Any] | None:
        seed: Any = None
        device: Any = None
        for key, value in conf.items():
            if key == "model_configs":
                continue
            if key == "random_seed":
                seed = value
            elif key == "device":
                device = value
            elif isinstance(key, str) and key.endswith("_configs"):
                self.report(
                    Code.NOT_REPRESENTABLE,
                    (*path, key),
                    f"{key} describes training, not the model: rpnschema specs hold only the "
                    "architecture, so it is dropped",
                    severity="warning",
                    suggestion="keep it in your training setup",
                )
            else:
                self.report(
                    Code.NOT_REPRESENTABLE,
                    (*path, key),
                    f"{key!r} is not part of the model; dropped",
                    severity="warning",
                )
        if "model_configs" not in conf:
            self.report(
                Code.MISSING,
                path,
                "missing model_configs: there is no model to convert",
                expected="model_configs: {model_class: tinybig.model.rpn, model_parameters: ...}",
            )
            return None
        spec = self.model(conf["model_configs"], (*path, "model_configs"))
        if spec is not None:
            if seed is not None:
                spec["seed"] = seed
                self.paths.add(("seed",), (*path, "random_seed"))
            if device is not None and "device" not in spec:
                spec["device"] = device
                self.paths.add(("device",), (*path, "device"))
        return spec

    # -- model, layer, head ------------------------------------------------------------------

    def _class(self, cfg: dict[str, Any], path: Loc, key: str, accepted: set[str]) -> str | None:
        cls = cfg.get(key)
        if cls is None:
            self.report(
                Code.MISSING, path, f"missing {key}", expected=f"{key}: {sorted(accepted)[0]}"
            )
            return None
        if not isinstance(cls, str):
            self.wrong_type((*path, key), "a class path string")
            return None
        if cls in bilinear.CLASSES:
            self.report(
                Code.TINYBIG_BILINEAR,
                (*path, key),
                bilinear.rejection_message(cls),
                expected="a class tinybig 0.2.1 can run",
                found=cls,
                suggestion=bilinear.rejection_suggestion(cls, cfg),
            )
            return None
        if cls not in accepted:
            if self.unsupported_class(cls, (*path, key)):
                return None
            near = difflib.get_close_matches(cls, sorted(accepted), n=1, cutoff=0.5)
            self.report(
                Code.UNKNOWN_FUNCTION,
                (*path, key),
                f"unknown or unsupported {key} {cls!r}",
                expected="one of " + ", ".join(sorted(accepted)[:6]),
                found=cls,
                suggestion=f"did you mean {near[0]!r}?"
                if near
                else "rpnschema converts rpn "
                "models, rpn_layer and rpn_head (and the basic tinybig.head/layer/model presets)",
            )
            return None
        return cls

    def _params(
        self, cfg: dict[str, Any], path: Loc, key: str, allowed: tuple[str, ...]
    ) -> dict[str, Any] | None:
        for k in cfg:
            if k not in allowed:
                self.unknown_key((*path, k), k, list(allowed), "this config")
        params = cfg.get(key)
        if params is None:
            return {}
        if not isinstance(params, dict):
            self.wrong_type((*path, key), "a mapping")
            return None
        return params

    def model(self, cfg: Any, path: Loc, bare: bool = False) -> dict[str, Any] | None:
        if not isinstance(cfg, dict):
            self.wrong_type(path, "a mapping with model_class and model_parameters")
            return None
        self.root = path
        mp = path if bare else (*path, "model_parameters")
        cls = None
        if not bare:
            cls = self._class(
                cfg,
                path,
                "model_class",
                set(T.MODEL_CLASSES) | set(T.MODEL_PRESET_CLASSES) | set(T.GRID_MODEL_CLASSES),
            )
            if cls is None:
                return None
        params = (
            cfg
            if bare
            else self._params(cfg, path, "model_parameters", ("model_class", "model_parameters"))
        )
        if params is None:
            return None
        if cls in T.MODEL_PRESET_CLASSES:
            return self.model_preset(T.MODEL_PRESET_CLASSES[cls], params, path, mp)
        if cls in T.GRID_MODEL_CLASSES:
            return self.grid_model(params, path, mp)
        spec: dict[str, Any] = {"spec_version": LATEST, "semantics": self.semantics}
        self.paths.add((), path)
        for key, value in params.items():
            if key in ("name", "device", "depth"):
                spec[key] = value
                self.paths.add((key,), (*mp, key))
            elif key == "depth_alloc":
                spec[key] = (
                    [value] if isinstance(value, int) and not isinstance(value, bool) else value
                )
                self.paths.add((key,), (*mp, key))
                self.paths.add((key, 0), (*mp, key))
            elif key == "layers" and value is not None:
                self.python_object((*mp, key), key)
            elif key not in T.MODEL_KEYS:
                self.unknown_key((*mp, key), key, sorted(T.MODEL_KEYS), "tinybig.model.rpn")
        configs = params.get("layer_configs")
        if configs is None:
            self.report(
                Code.MISSING,
                mp,
                "missing layer_configs (tinybig raises ValueError: both layers and layer_configs "
                "are None)",
                expected="layer_configs: [{layer_class: tinybig.module.rpn_layer, ...}]",
            )
            return None
        lpath: Loc = (*mp, "layer_configs")
        items = (
            [(lpath, configs)]
            if isinstance(configs, dict)
            else [((*lpath, i), c) for i, c in enumerate(configs)]
            if isinstance(configs, list)
            else None
        )
        if items is None:
            self.wrong_type(lpath, "a list of layer configs")
            return None
        self.paths.add(("layers",), lpath)
        layers = []
        inits: list[tuple[Loc, Any]] = []
        for i, (p, c) in enumerate(items):
            self.paths.add(("layers", i), p)
            layer = self.layer(c, p, ("layers", i), inits)
            if layer is not None:
                layers.append(layer)
        spec["layers"] = layers
        self._init(spec, inits)
        return self._finish(spec)

    def model_preset(
        self, name: str, params: dict[str, Any], path: Loc, mp: Loc
    ) -> dict[str, Any] | None:
        """tinybig.model.mlp / kan / svm / naive_bayes / pgm: one layer preset per pair of dims,
        each given the model's arguments (tinybig's defaults for the model class)."""
        info = T.MODEL_PRESETS[name]
        spec: dict[str, Any] = {"spec_version": LATEST, "semantics": self.semantics}
        self.paths.add((), path)
        for key in params:
            if key in ("name", "device"):
                spec[key] = params[key]
                self.paths.add((key,), (*mp, key))
            elif key not in info.defaults and key != "dims":
                allowed = sorted({*info.defaults, "dims", "name", "device"})
                self.unknown_key((*mp, key), key, allowed, f"tinybig.model.{name}")
        dims = params.get("dims")
        if (
            not isinstance(dims, list)
            or len(dims) < 2
            or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in dims)
        ):
            self.report(
                Code.MISSING if dims is None else Code.BAD_VALUE,
                (*mp, "dims") if dims is not None else mp,
                f"tinybig.model.{name} needs dims, at least two sizes (tinybig raises "
                "ValueError: At least two dim values is needed for defining the model)",
                expected="dims: [m, ..., n] (integers >= 1)",
                found=None if dims is None else str(dims),
            )
            return None
        args = {**info.defaults, **{k: v for k, v in params.items() if k in info.defaults}}
        # the model's layers take tinybig's layer-preset init (the model passes none on)
        inits: list[tuple[Loc, Any]] = [(mp, "xavier_normal")]
        if name in ("rnn", "regression_rnn"):
            from rpnschema.interop._tinybig_chain import read_rnn

            rnn = read_rnn(self, name, args, dims, mp)
            if rnn is None:
                return None
            spec["layers"] = rnn
            self._init(spec, [((*mp, "parameters_init_method"), args["parameters_init_method"])])
            return self._finish(spec)
        layers = []
        for j, (m, n) in enumerate(itertools.pairwise(dims)):
            self.paths.add(("layers", j), mp)
            # a copy per layer: shared lists would come out as YAML anchors
            layer_args = copy.deepcopy(
                presets.gcn_layer(args, dims, m, n) if name in presets.PER_LAYER_OUTPUT else args
            )
            layer = self.layer_preset(
                info.layer, {"m": m, "n": n, **layer_args}, mp, ("layers", j), []
            )
            if layer is None:
                return None
            self.paths.add(("layers", j, "m"), (*mp, "dims", j))
            self.paths.add(("layers", j, "n"), (*mp, "dims", j + 1))
            layers.append(layer)
        self.paths.add(("layers",), (*mp, "dims"))
        self.report(
            Code.CONVERTED,
            (*path, "model_class"),
            f"tinybig.model.{name} expanded into {len(layers)} {info.layer}(s), one per pair of "
            "dims",
            severity="notice",
        )
        spec["layers"] = layers
        self._init(spec, inits)
        return self._finish(spec)

    def _init(self, spec: dict[str, Any], inits: list[tuple[Loc, Any]]) -> None:
        given = [(p, v) for p, v in inits if v is not None]
        value = given[0][1] if given else "xavier_uniform"  # rpn_layer's default
        if given:
            self.paths.add(("init",), given[0][0])
        for p, v in given[1:]:
            if v != value:
                self.report(
                    Code.NOT_REPRESENTABLE,
                    p,
                    f"parameters_init_method {v!r} differs from the first layer's {value!r}; a "
                    "spec has one init method, so the first is used",
                    severity="warning",
                )
        if isinstance(value, str) and value not in T.INIT_METHODS:
            self.report(
                Code.BAD_VALUE,
                given[0][0] if given else self.root,
                f"parameters_init_method {value!r} is not an init method rpnschema knows",
                expected=" | ".join(T.INIT_METHODS),
                found=str(value),
                severity="warning",
            )
            return
        spec["init"] = value

    def _finish(self, spec: dict[str, Any]) -> dict[str, Any]:
        if self.semantics == "native":
            for d in native_changes(spec):
                self.diags.append(self.paths.translate(d))
        return spec

    def single_layer(
        self, cfg: dict[str, Any], path: Loc, bare: bool = False
    ) -> dict[str, Any] | None:
        self.root = path
        spec: dict[str, Any] = {"spec_version": LATEST, "semantics": self.semantics}
        self.paths.add((), path)
        self.paths.add(("layers", 0), path)
        inits: list[tuple[Loc, Any]] = []
        layer = self.layer(cfg, path, ("layers", 0), inits, bare=bare)
        if layer is None:
            return None
        spec["layers"] = [layer]
        self._init(spec, inits)
        return self._finish(spec)

    def single_head(
        self, cfg: dict[str, Any], path: Loc, bare: bool = False
    ) -> dict[str, Any] | None:
        self.root = path
        grid = T.GRID_HEAD_CLASSES.get(cfg.get("head_class"))  # type: ignore[arg-type]
        if grid is not None and not bare:
            return self.grid_head(cfg, path, grid)
        hp = path if bare else (*path, "head_parameters")
        params = cfg if bare else cfg.get("head_parameters") or {}
        if not isinstance(params, dict):
            self.wrong_type(hp, "a mapping")
            return None
        dims = {}
        for key in ("m", "n"):
            if params.get(key) is None:
                self.report(
                    Code.MISSING_DIM,
                    hp,
                    f"a head config needs {key} (tinybig's rpn_head asserts it)",
                    expected=f"{key}: <size>",
                )
            else:
                dims[key] = params[key]
                self.paths.add(("layers", 0, key), (*hp, key))
        if len(dims) < 2:
            return None
        self.paths.add((), path)
        self.paths.add(("layers", 0), path)
        init = params.get("parameters_init_method")
        head = self.head(
            cfg, path, ("layers", 0, "heads", 0), dims["m"], dims["n"], in_layer=False, bare=bare
        )
        if head is None:
            return None
        spec = {
            "spec_version": LATEST,
            "semantics": self.semantics,
            "layers": [{**dims, "heads": [head]}],
        }
        self._init(spec, [((*hp, "parameters_init_method"), init)])
        return self._finish(spec)

    def layer(
        self, cfg: Any, path: Loc, native: Loc, inits: list[tuple[Loc, Any]], bare: bool = False
    ) -> dict[str, Any] | None:
        if not isinstance(cfg, dict):
            self.wrong_type(path, "a mapping with layer_class and layer_parameters")
            return None
        lp = path if bare else (*path, "layer_parameters")
        if bare:
            params = cfg
        else:
            cls = self._class(
                cfg,
                path,
                "layer_class",
                set(T.LAYER_CLASSES) | set(T.LAYER_PRESET_CLASSES) | set(T.GRID_LAYER_CLASSES),
            )
            if cls is None:
                return None
            params = self._params(
                cfg, path, "layer_parameters", ("layer_class", "layer_parameters")
            )
            if params is None:
                return None
            if cls in T.LAYER_PRESET_CLASSES:
                return self.layer_preset(T.LAYER_PRESET_CLASSES[cls], params, lp, native, inits)
            if cls in T.GRID_LAYER_CLASSES:
                return self.grid_layer(T.GRID_LAYER_CLASSES[cls], params, lp, native, inits)
        out: dict[str, Any] = {}
        for key in ("m", "n"):
            self.paths.add((*native, key), (*lp, key))
            if params.get(key) is None:
                self.report(
                    Code.MISSING_DIM,
                    lp,
                    f"the layer has no {key} (tinybig's rpn_layer asserts m and n are given)",
                    expected=f"{key}: <size>",
                )
            else:
                out[key] = params[key]
        inits.append(((*lp, "parameters_init_method"), params.get("parameters_init_method")))
        for key, value in params.items():
            if key in ("width", "width_alloc"):
                out[key] = (
                    [value]
                    if key == "width_alloc"
                    and isinstance(value, int)
                    and not isinstance(value, bool)
                    else value
                )
                self.paths.add((*native, key), (*lp, key))
                self.paths.add((*native, key, 0), (*lp, key))
            elif key in T.OBJECT_KEYS and value is not None:
                self.python_object((*lp, key), key)
            elif key == "fusion_strategy":
                self.report(
                    Code.TINYBIG_BEHAVIOUR,
                    (*lp, key),
                    "fusion_strategy is ignored by tinybig 0.2.1's rpn_layer; the head fusion "
                    "comes from head_fusion_configs",
                    severity="warning",
                    suggestion="remove it and give head_fusion_configs",
                )
            elif key not in T.LAYER_KEYS:
                self.unknown_key((*lp, key), key, sorted(T.LAYER_KEYS), "rpn_layer")
        self.check_device(params, lp)
        configs = params.get("head_configs")
        hpath: Loc = (*lp, "head_configs")
        if configs is None:
            self.report(
                Code.MISSING,
                lp,
                "missing head_configs (tinybig raises ValueError: both heads and head_configs are "
                "None)",
                expected="head_configs: [{head_class: tinybig.module.rpn_head, ...}]",
            )
            return None
        items = (
            [(hpath, configs)]
            if isinstance(configs, dict)
            else [((*hpath, i), c) for i, c in enumerate(configs)]
            if isinstance(configs, list)
            else None
        )
        if items is None:
            self.wrong_type(hpath, "a list of head configs")
            return None
        self.paths.add((*native, "heads"), hpath)
        heads = []
        ok = True
        for j, (p, c) in enumerate(items):
            self.paths.add((*native, "heads", j), p)
            head = self.head(c, p, (*native, "heads", j), out.get("m"), out.get("n"))
            ok = ok and head is not None
            if head is not None:
                heads.append(head)
        out["heads"] = heads
        fusion = params.get("head_fusion_configs")
        fpath: Loc = (*lp, "head_fusion_configs")
        if fusion is not None:
            converted = self.component(fusion, fpath, "fusion", (*native, "head_fusion"))
            if converted is not None:
                out["head_fusion"] = converted
        elif (
            _alloc_total(params.get("width"), params.get("width_alloc"), len(items)) or 1
        ) > 1 and params.get("head_fusion") is None:
            out["head_fusion"] = {"name": "mean_fusion"}
            self.paths.add((*native, "head_fusion"), lp)
            self.report(
                Code.CONVERTED,
                lp,
                "a multi-head layer without head_fusion_configs: tinybig 0.2.1 crashes building it "
                "(TypeError in rpn_layer); converted with an explicit mean_fusion, the fusion "
                "tinybig intended",
                severity="notice",
                suggestion="add head_fusion_configs: {function_class: "
                "tinybig.fusion.metric_fusion.mean_fusion, function_parameters: {dims: [...]}}",
            )
        return out if ok else None
