"""Reading tinybig function configs (``function_class`` / ``function_parameters``) into
native component data, recording where each part came from."""

from __future__ import annotations

from typing import Any

from rpnschema.errors import Code, Loc
from rpnschema.interop import _tinybig_defaults as defaults
from rpnschema.interop import _tinybig_table as T
from rpnschema.interop._tinybig_base import close
from rpnschema.interop._tinybig_compression import CompressionParams
from rpnschema.interop._tinybig_processing import ProcessingReader
from rpnschema.spec import CATALOG
from rpnschema.spec.interdependence import UNSUPPORTED
from rpnschema.spec.unsupported import UNSUPPORTED_TINYBIG

_EXPANSION_PROCESSING = {
    "preprocess": ("preprocess_function_configs", "preprocess_functions"),
    "postprocess": ("postprocess_function_configs", "postprocess_functions"),
}
_REMAINDER_PROCESSING = {"activation": ("activation_function_configs", "activation_functions")}
_NOT_FIELDS = {"name", "preprocess", "postprocess", "functions", "activation"}
#: Component configs nested in interdependence configs: tinybig key -> (ours, family, is a list).
_NESTED = {
    "data_transformation": ("data_transformation", "expansion", False),
    "parameter_fabrication": ("parameter_fabrication", "reconciliation", False),
    "interdependence_function_configs": ("functions", "interdependence", True),
    "fusion_function_config": ("fusion", "fusion", False),
}


#: Families a slot accepts besides its own (compressions go where expansions go).
_ALSO = {"expansion": ("compression",)}
_COMPOSITIONS = ("nested_expansion", "extended_expansion", "nested_compression")
_COMPOSITIONS += ("extended_compression",)


class ComponentReader(CompressionParams, ProcessingReader):
    """Expansion, reconciliation, remainder and fusion function configs."""

    # -- function configs --------------------------------------------------------------------

    def component(self, cfg: Any, path: Loc, family: str, native: Loc) -> dict[str, Any] | None:
        """A function config of ``family`` as native component data (None after an error)."""
        if not isinstance(cfg, dict):
            self.wrong_type(path, "a mapping with function_class and function_parameters")
            return None
        cls = cfg.get("function_class")
        if not isinstance(cls, str):
            if cls is None:
                self.report(
                    Code.MISSING,
                    path,
                    "missing function_class",
                    expected="function_class: tinybig.<package>.<class>",
                )
            else:
                self.wrong_type((*path, "function_class"), "a class path string")
            return None
        entry = T.COMPONENT_CLASSES.get(cls)
        short = cls.rsplit(".", 1)[-1]
        why = UNSUPPORTED_TINYBIG.get(short) or (
            UNSUPPORTED.get(short) if cls.startswith(T.PACKAGES[family]) else None
        )
        if entry is None and why:
            self.report(
                Code.UNSUPPORTED_CLASS,
                (*path, "function_class"),
                f"{cls!r} is a tinybig 0.2.1 class that rpnschema does not support: {why}",
                expected=f"a {family} class",
                found=cls,
                suggestion="the unsupported tinybig classes are listed in "
                "docs/reference/tinybig-defaults.md",
            )
            return None
        if entry is None:
            if self.unsupported_class(cls, (*path, "function_class")):
                return None
            choices = [p for p, (f, _) in T.COMPONENT_CLASSES.items() if f == family]
            near = close(cls, choices) or close(cls.rsplit(".", 1)[-1], list(T.NAMES[family]))
            near_path = T.CLASS_PATH.get(near, near) if near else None
            self.report(
                Code.UNKNOWN_FUNCTION,
                (*path, "function_class"),
                f"unknown {family} class {cls!r}",
                expected=f"one of {len(T.NAMES[family])} {family} classes, e.g. "
                + ", ".join(T.CLASS_PATH[n] for n in T.NAMES[family][:2]),
                found=cls,
                suggestion=f"did you mean {near_path!r}?" if near_path else None,
            )
            return None
        fam, name = entry
        if fam != family and fam not in _ALSO.get(family, ()):
            self.report(
                Code.BAD_VALUE,
                (*path, "function_class"),
                f"{cls} is a {fam} function, not a {family}",
                expected=f"a {family} class",
                found=cls,
            )
            return None
        if cls in T.UNEXPORTED:
            self.report(
                Code.TINYBIG_BEHAVIOUR,
                (*path, "function_class"),
                f"{T.UNEXPORTED[cls]}: tinybig 0.2.1 fails to import {cls!r}",
                severity="warning",
                suggestion=f"use {T.CLASS_PATH[name]!r}",
            )
        for key in cfg:
            if key not in ("function_class", "function_parameters", "device"):
                self.unknown_key(
                    (*path, key),
                    key,
                    ["function_class", "function_parameters"],
                    "a function config",
                )
        params = cfg.get("function_parameters")
        ppath: Loc = (*path, "function_parameters")
        if params is None:
            params = {}
        if not isinstance(params, dict):
            self.wrong_type(ppath, "a mapping")
            return None
        fields = CATALOG[name].model_fields
        self.paths.add(native, path)
        self.paths.add((*native, "name"), (*path, "function_class"))
        for f in fields:
            if f not in _NOT_FIELDS:
                self.paths.add((*native, f), (*ppath, f))
        out: dict[str, Any] = {"name": name}
        handled = {"name", "device", "require_parameters"}
        processing = {
            "expansion": _EXPANSION_PROCESSING,
            "compression": _EXPANSION_PROCESSING,
            "remainder": _REMAINDER_PROCESSING,
        }.get(fam, {})
        for ours, (configs, functions) in processing.items():
            handled |= {configs, functions}
            items = self.processing_pair(params, ppath, configs, functions, (*native, ours))
            if items:
                out[ours] = items
        ok = True
        if fam == "compression":
            handled |= self.compression_params(name, params, ppath, native, out)
        if name in _COMPOSITIONS:
            handled.add("composition_function_configs")
            ok = self._composition(params, ppath, native, out)
        if family == "interdependence":
            handled |= {"b", "m", "interdependence_type", "device"}
            if "require_data" not in fields:
                handled.add("require_data")
            ok = self._kernel_names(params, ppath, out) and ok
            ok = self._patch(params, ppath, out) and ok
            ok = self._nested(params, ppath, native, out) and ok
            handled |= {"kernel", "kernels", "patch_configs", *_NESTED}
        if family == "remainder":
            handled.add("enable_bias")
            out = self._remainder(name, out, params, ppath)
        elif (
            family == "fusion"
            and name == "weighted_summation_fusion"
            and params.get("require_parameters")
        ):
            self.report(
                Code.NOT_REPRESENTABLE,
                (*ppath, "require_parameters"),
                "weighted_summation_fusion with require_parameters learns its weights: use "
                "parameterized_weighted_summation_fusion",
                severity="warning",
            )
        for key, value in params.items():
            if key in handled:
                continue
            if key in fields and key not in _NOT_FIELDS:
                out[key] = value
            else:
                allowed = [f for f in fields if f not in _NOT_FIELDS]
                self.unknown_key((*ppath, key), key, allowed, name)
        filled = fam not in defaults.FAMILIES or self._tinybig_defaults(out, ppath)
        return out if filled and ok else None

    def unsupported_class(self, cls: str, path: Loc) -> bool:
        """Report a tinybig 0.2.1 class that rpnschema does not read; False for another path."""
        package = defaults.known_unsupported(cls)
        if package is None:
            return False
        self.report(
            Code.TINYBIG_UNSUPPORTED,
            path,
            f"{cls} is a tinybig 0.2.1 {package} class that rpnschema does not support",
            found=cls,
            suggestion="docs/reference/tinybig-defaults.md lists the tinybig classes rpnschema "
            "reads and those it does not",
        )
        return True

    def _tinybig_defaults(self, out: dict[str, Any], ppath: Loc) -> bool:
        """Write tinybig's code default of every parameter the config leaves out into ``out``;
        False (after an error) where tinybig has none and fails to build without it."""
        ok = True
        name = out["name"]
        for param in defaults.parameters(name):
            if param in out:
                continue
            value = defaults.read_default(name, param)
            if value is defaults.REQUIRED:
                why = (
                    "tinybig 0.2.1's constructor has no default for it (building it raises "
                    "TypeError)"
                    if defaults.tinybig_default(name, param) is defaults.REQUIRED
                    else defaults.DIFFERENCES[(name, param)].why
                )
                self.report(
                    Code.MISSING,
                    ppath,
                    f"{name} needs {param}: {why}",
                    expected=f"function_parameters: {{{param}: ...}}",
                )
                ok = False
            elif value is not defaults.INFERRED and value is not None:
                out[param] = value
        return ok

    def _nested(self, params: dict[str, Any], ppath: Loc, native: Loc, out: dict[str, Any]) -> bool:
        """The function configs inside parameterized_rpn / hybrid interdependences (tinybig's
        constructors take objects there; a config names their classes, never imported)."""
        ok = True
        for key, (ours, family, many) in _NESTED.items():
            if key not in params:
                continue
            value, where = params[key], (*ppath, key)
            if many:
                if not isinstance(value, list) or not value:
                    self.wrong_type(where, "a non-empty list of function configs")
                    ok = False
                    continue
                items = [
                    self.component(v, (*where, i), family, (*native, ours, i))
                    for i, v in enumerate(value)
                ]
                ok = ok and all(i is not None for i in items)
                out[ours] = items
            else:
                item = self.component(value, where, family, (*native, ours))
                ok = ok and item is not None
                out[ours] = item
        return ok

    def _patch(self, params: dict[str, Any], ppath: Loc, out: dict[str, Any]) -> bool:
        """geometric_interdependence's ``patch_configs`` (a koala patch class, never imported)
        into ``patch: {shape, ...}``."""
        cfg = params.get("patch_configs")
        if cfg is None:
            return True
        where: Loc = (*ppath, "patch_configs")
        cls = cfg.get("patch_class") if isinstance(cfg, dict) else None
        parts = cls.split(".") if isinstance(cls, str) else []
        shape = (
            parts[3] if len(parts) >= 4 and parts[:3] == ["tinybig", "koala", "geometry"] else None
        )
        if shape not in ("cuboid", "cylinder", "sphere") or (len(parts) == 5 and parts[4] != shape):
            self.report(
                Code.BAD_VALUE,
                (*where, "patch_class"),
                "patch_class must be tinybig.koala.geometry.cuboid, .cylinder or .sphere",
                expected="tinybig.koala.geometry.cuboid | cylinder | sphere",
                found=repr(cls),
            )
            return False
        patch_params = cfg.get("patch_parameters") or {}
        if not isinstance(patch_params, dict):
            self.wrong_type((*where, "patch_parameters"), "a mapping")
            return False
        out["patch"] = {"shape": shape, **patch_params}
        return True

    def _kernel_names(self, params: dict[str, Any], ppath: Loc, out: dict[str, Any]) -> bool:
        """``kernel`` / ``kernels`` of kernel interdependences: tinybig callables, given by
        their dotted paths (never imported), to rpnschema's kernel names."""
        from typing import get_args

        from rpnschema.spec.interdependence.kernel import KernelName

        known = get_args(KernelName)
        ok = True
        for key in ("kernel", "kernels"):
            if key not in params:
                continue
            value = params[key]
            items = value if key == "kernels" and isinstance(value, list) else [value]
            names = []
            for i, item in enumerate(items):
                where: Loc = (*ppath, key, i) if key == "kernels" else (*ppath, key)
                short = item.rsplit(".", 1)[-1] if isinstance(item, str) else None
                if short is not None and short.startswith("batch_"):
                    short = short[len("batch_") :]
                if (
                    short is not None
                    and short in known
                    and ("." not in item or item.startswith(T.KERNEL_MODULES))
                ):
                    names.append(short)
                    continue
                self.report(
                    Code.BAD_VALUE,
                    where,
                    f"{key} must name one of tinybig's koala kernels (by path); "
                    "rpnschema never imports a callable named in a config",
                    expected=", ".join(known[:4]) + ", ...",
                    found=repr(item),
                )
                ok = False
            out[key] = names if key == "kernels" else (names[0] if names else None)
        return ok

    def _composition(
        self, params: dict[str, Any], ppath: Loc, native: Loc, out: dict[str, Any]
    ) -> bool:
        configs = params.get("composition_function_configs")
        cpath: Loc = (*ppath, "composition_function_configs")
        if configs is None and out["name"] == "nested_expansion":
            out["functions"] = []  # tinybig's nested_expansion of nothing passes x through
            return True
        if not isinstance(configs, list) or not configs:
            self.report(
                Code.MISSING,
                cpath,
                "extended_expansion needs a non-empty list composition_function_configs: "
                "without one tinybig 0.2.1 builds it with D = 0 and fails at its first forward "
                "(torch.cat of no expansions)"
                if out["name"] == "extended_expansion"
                else "composition_function_configs must be a list of expansion configs",
                expected="composition_function_configs: [{function_class: ...}, ...]",
            )
            return False
        self.paths.add((*native, "functions"), cpath)
        functions = []
        ok = True
        for i, sub in enumerate(configs):
            if isinstance(sub, dict) and "function_parameters" not in sub:
                self.report(
                    Code.TINYBIG_BEHAVIOUR,
                    (*cpath, i),
                    "tinybig 0.2.1 raises KeyError for a composition entry without "
                    "function_parameters",
                    severity="warning",
                    suggestion="add function_parameters: {}",
                )
            converted = self.component(sub, (*cpath, i), "expansion", (*native, "functions", i))
            ok = ok and converted is not None
            if converted is not None:
                functions.append(converted)
        out["functions"] = functions
        return ok

    def _remainder(
        self, name: str, out: dict[str, Any], params: dict[str, Any], ppath: Loc
    ) -> dict[str, Any]:
        if name == "linear_remainder":
            # tinybig 0.2.1's linear_remainder defaults to require_parameters=True (its
            # docstring says False): left out, the remainder has its n x m weight
            if params.get("require_parameters", True) is True:
                if "enable_bias" in params:
                    out["enable_bias"] = params["enable_bias"]
                return out
            self.report(
                Code.TINYBIG_BEHAVIOUR,
                (*ppath, "require_parameters"),
                "linear_remainder with require_parameters: false has no weights in tinybig: "
                "it adds x unchanged (converted to identity_remainder)",
                severity="warning",
                suggestion="remove require_parameters (tinybig's default is true) for a learned "
                "n x m map",
            )
            return {**out, "name": "identity_remainder"}
        required = params.get("require_parameters", False)
        if required is True:
            self.report(
                Code.NOT_REPRESENTABLE,
                (*ppath, "require_parameters"),
                f"with require_parameters tinybig gives {name} an n x m weight (and a bias with "
                "enable_bias) that it never uses; rpnschema does not create it, so parameter "
                "counts and state dicts differ",
                severity="warning",
                suggestion="remove require_parameters",
            )
        return out
