"""Reading tinybig heads: ``rpn_head`` parameters and the ``tinybig.head`` / ``tinybig.layer``
presets, with tinybig's own checks on remainders."""

from __future__ import annotations

from typing import Any

from rpnschema.errors import Code, Loc
from rpnschema.interop import _tinybig_presets as presets
from rpnschema.interop import _tinybig_table as T
from rpnschema.interop._tinybig_components import ComponentReader

_HEAD_PROCESSING = {
    "input_process": ("input_process_function_configs", "input_process_functions"),
    "output_process": ("output_process_function_configs", "output_process_functions"),
}
_COMPONENT_KEYS = {
    "expansion": ("data_transformation_configs", "expansion"),
    "reconciliation": ("parameter_fabrication_configs", "reconciliation"),
    "remainder": ("remainder_configs", "remainder"),
    "channel_fusion": ("channel_fusion_configs", "fusion"),
}
# Remainders tinybig lets map m to n != m without parameters (it checks their names).
_FREE_REMAINDERS = ("zero_remainder", "constant_remainder")


class HeadReader(ComponentReader):
    """Heads (``rpn_head`` and presets) and preset layers."""

    def layer_preset(
        self, name: str, params: dict[str, Any], lp: Loc, native: Loc, inits: list[tuple[Loc, Any]]
    ) -> dict[str, Any] | None:
        given = dict(params)
        width = given.pop("width", 1)
        out: dict[str, Any] = {}
        for key in ("m", "n"):
            self.paths.add((*native, key), (*lp, key))
            if given.get(key) is None:
                self.report(
                    Code.MISSING_DIM, lp, f"the layer has no {key}", expected=f"{key}: <size>"
                )
            else:
                out[key] = given[key]
        inits.append(((*lp, "parameters_init_method"), given.get("parameters_init_method")))
        head = self.preset(
            T.LAYER_PRESETS[name],
            name,
            given,
            lp,
            (*native, "heads", 0),
            out.get("m"),
            out.get("n"),
        )
        if head is None or len(out) < 2:
            return None
        self.paths.add((*native, "heads"), lp)
        if not self.shared_width(name, width, lp, native):
            return None
        if width > 1:
            out.update(width=width, share_heads=True)
        out["heads"] = [head]
        return out

    def shared_width(self, name: str, width: Any, lp: Loc, native: Loc) -> bool:
        """Check a preset layer's ``width`` and report that its copies are one head object
        (tinybig's ``[head] * width``); False after an error."""
        if not isinstance(width, int) or isinstance(width, bool) or width < 1:
            self.wrong_type((*lp, "width"), "an integer >= 1")
            return False
        if width > 1:
            self.paths.add((*native, "width"), (*lp, "width"))
            self.paths.add((*native, "share_heads"), (*lp, "width"))
            self.report(
                Code.CONVERTED,
                (*lp, "width"),
                f"tinybig's {name} repeats one head object {width} times: converted with "
                "share_heads: true (its parameters count once, its state_dict names repeat under "
                "every head index, and the mean of the identical outputs is that head's output)",
                severity="notice",
            )
        return True

    def head(
        self,
        cfg: Any,
        path: Loc,
        native: Loc,
        m: Any,
        n: Any,
        in_layer: bool = True,
        bare: bool = False,
    ) -> dict[str, Any] | None:
        if not isinstance(cfg, dict):
            self.wrong_type(path, "a mapping with head_class and head_parameters")
            return None
        hp = path if bare else (*path, "head_parameters")
        if bare:
            params = cfg
        else:
            cls = self._class(
                cfg,
                path,
                "head_class",
                set(T.HEAD_CLASSES) | set(T.HEAD_PRESET_CLASSES) | set(T.GRID_HEAD_CLASSES),
            )
            if cls is None:
                return None
            params = self._params(cfg, path, "head_parameters", ("head_class", "head_parameters"))
            if params is None:
                return None
            if cls in T.GRID_HEAD_CLASSES:
                return self.grid_head_config(T.GRID_HEAD_CLASSES[cls], params, hp, native)  # type: ignore[attr-defined]
            if cls in T.HEAD_PRESET_CLASSES:
                given = {k: v for k, v in params.items() if k not in ("m", "n")}
                return self.preset(
                    T.HEAD_PRESETS[T.HEAD_PRESET_CLASSES[cls]],
                    T.HEAD_PRESET_CLASSES[cls],
                    given,
                    hp,
                    native,
                    m,
                    n,
                )
        self.paths.add(native, path)
        return self.head_parameters(params, hp, native, m, n, in_layer)

    def preset(
        self,
        info: T.PresetInfo,
        name: str,
        given: dict[str, Any],
        hp: Loc,
        native: Loc,
        m: Any,
        n: Any,
    ) -> dict[str, Any] | None:
        self.paths.add(native, hp)
        for comp in ("expansion", "reconciliation", "remainder", "output_process"):
            self.paths.add((*native, comp), hp)
        for (*comp, field), source in presets.FIELD_SOURCES.items():
            self.paths.add((*native, *comp, field), (*hp, source))
        args = {k: v for k, v in given.items() if k in info.defaults}
        for key in given:
            if key not in info.defaults and key not in (
                "m",
                "n",
                "name",
                "device",
                "parameters_init_method",
            ):
                self.unknown_key((*hp, key), key, sorted(info.defaults), name)
        try:
            head = presets.expand(info, args, n, m)
        except presets.PresetProblem as e:
            self.report(
                Code.WRONG_TYPE if e.expected == "true or false" else Code.BAD_VALUE,
                (*hp, e.key),
                str(e),
                expected=e.expected,
                found=repr(given.get(e.key)),
            )
            return None
        self.report(
            Code.PRESET_EXPANDED,
            hp,
            f"tinybig preset {name} expanded (with tinybig 0.2.1's defaults) into "
            f"{head['expansion']['name']}, {head['reconciliation']['name']}, "
            f"{head['remainder']['name']}",
            severity="notice",
        )
        for comp in ("expansion", "reconciliation", "remainder"):
            self._tinybig_defaults(head[comp], hp)  # the components' own code defaults
        if given.get("with_hybrid_expansion") is True:
            self.report(
                Code.TINYBIG_BEHAVIOUR,
                (*hp, "with_hybrid_expansion"),
                f"tinybig 0.2.1's {name} accepts with_hybrid_expansion but ignores it: the "
                "expansion is taylor (with_taylor), bspline (with_bspline) or identity",
                severity="warning",
                suggestion="remove with_hybrid_expansion",
            )
        return head

    # -- heads -------------------------------------------------------------------------------

    def head_parameters(
        self, params: dict[str, Any], hp: Loc, native: Loc, m: Any, n: Any, in_layer: bool
    ) -> dict[str, Any] | None:
        out: dict[str, Any] = {}
        self.paths.add((*native, "channels"), (*hp, "channel_num"))
        for key in ("m", "n", "l"):
            self.paths.add((*native, key), (*hp, key))
        for key, value in params.items():
            if key == "channel_num":
                out["channels"] = value
            elif key in ("m", "n") and in_layer and value is not None:
                layer_value = m if key == "m" else n
                if value != layer_value:
                    self.report(
                        Code.TINYBIG_BEHAVIOUR,
                        (*hp, key),
                        f"head {key} (={value}) differs from its layer's {key} (={layer_value}); "
                        "tinybig's rpn_layer silently overwrites it with the layer's",
                        severity="warning",
                        expected=str(layer_value),
                        found=str(value),
                        suggestion=f"remove {key} from head_parameters",
                    )
            elif key == "l" and value is not None:
                out["l"] = value
            elif key in ("l_attribute_interdependence", "l_instance_interdependence"):
                if value is not None:
                    out[key] = value
            elif key == "batch_num":
                if value:  # tinybig's default None (and 0) leave the batch open
                    out["batch"] = value
            elif key in ("attribute_interdependence_configs", "instance_interdependence_configs"):
                pass  # read below, with the other components
            elif key == "l_channel_fusion" and value is not None:
                self.report(
                    Code.NOT_REPRESENTABLE,
                    (*hp, key),
                    "l_channel_fusion overrides the channel fusion's parameter count; rpnschema "
                    "always uses the fusion's own l",
                    severity="warning",
                )
            elif key == "create_parameters_at_init" and value is False:
                self.report(
                    Code.NOT_REPRESENTABLE,
                    (*hp, key),
                    "create_parameters_at_init: false leaves the head without parameters until "
                    "created by hand; rpnschema always creates them",
                    severity="warning",
                )
            elif key in T.OBJECT_KEYS and value is not None:
                self.python_object((*hp, key), key)
            elif key not in T.HEAD_KEYS:
                self.unknown_key((*hp, key), key, sorted(T.HEAD_KEYS), "rpn_head")
        self.check_device(params, hp)
        ok = True
        for ours, (theirs, family) in _COMPONENT_KEYS.items():
            cfg = params.get(theirs)
            self.paths.add((*native, ours), (*hp, theirs) if cfg is not None else hp)
            if cfg is None:
                continue
            converted = self.component(cfg, (*hp, theirs), family, (*native, ours))
            if converted is None:
                ok = False
            else:
                out[ours] = converted
        for slot in ("attribute", "instance"):
            if not self._interdependence(params, hp, native, slot, out, m):
                ok = False
        for ours, (configs, functions) in _HEAD_PROCESSING.items():
            items = self.processing_pair(params, hp, configs, functions, (*native, ours))
            if items:
                out[ours] = items
        for theirs, ours, obj in (
            ("data_transformation_configs", "expansion", "data_transformation"),
            ("parameter_fabrication_configs", "reconciliation", "parameter_fabrication"),
        ):
            if params.get(theirs) is None and params.get(obj) is None:
                self.report(
                    Code.MISSING,
                    hp,
                    f"missing {theirs}: tinybig's rpn_head then has no {ours} function and fails "
                    "(or passes its input through unweighted)",
                    expected=f"{theirs}: {{function_class: ...}}",
                )
                ok = False
        if params.get("remainder_configs") is None and "remainder" not in out:
            out["remainder"] = {"name": "zero_remainder"}
            if m is not None and n is not None and m != n:
                self.report(
                    Code.TINYBIG_BEHAVIOUR,
                    hp,
                    f"a head with m={m} != n={n} and no remainder_configs crashes tinybig 0.2.1 "
                    "(AttributeError in create_learnable_parameters); converted with "
                    "zero_remainder",
                    severity="warning",
                    suggestion="add remainder_configs: {function_class: "
                    "tinybig.remainder.zero_remainder}",
                )
        self._remainder_dims(out.get("remainder"), params, hp, m, n)
        expansion = out.get("expansion")
        if isinstance(expansion, dict) and expansion.get("name") == "combinatorial_expansion":
            self.report(
                Code.TINYBIG_BEHAVIOUR,
                (*hp, "data_transformation_configs"),
                "tinybig's combinatorial_expansion returns a list, not a (batch, D) tensor, so "
                "tinybig's rpn_head fails on it; rpnschema computes the flattened (batch, D) form",
                severity="warning",
            )
        return out if ok else None

    def _interdependence(
        self,
        params: dict[str, Any],
        hp: Loc,
        native: Loc,
        slot: str,
        out: dict[str, Any],
        m: Any,
    ) -> bool:
        """``<slot>_interdependence_configs`` into the head's ``<slot>_interdependence``."""
        theirs, ours = f"{slot}_interdependence_configs", f"{slot}_interdependence"
        cfg = params.get(theirs)
        if cfg is None:
            return True
        path: Loc = (*hp, theirs)
        self.paths.add((*native, ours), path)
        converted = self.component(cfg, path, "interdependence", (*native, ours))
        if converted is None:
            return False
        fp = cfg.get("function_parameters") or {}
        given = fp.get("interdependence_type")
        kinds = {
            "attribute": ("attribute", "attribute_interdependence", "column", "right"),
            "instance": ("instance", "instance_interdependence", "row", "left"),
        }
        if given is not None and given not in kinds[slot]:
            self.report(
                Code.CONVERTED,
                (*path, "function_parameters", "interdependence_type"),
                f"interdependence_type {given!r} in {theirs}: rpnschema takes the side from the "
                f"slot ({slot})",
                severity="warning",
            )
        b = fp.get("b")
        sized = slot == "instance" or "bilinear" in str(converted.get("name"))
        if sized and out.get("batch") is None and isinstance(b, int) and b > 0:
            out["batch"] = b
        own_m = fp.get("m")
        if isinstance(own_m, int) and own_m > 0 and m is not None and own_m != m:
            self.report(
                Code.TINYBIG_BEHAVIOUR,
                (*path, "function_parameters", "m"),
                f"the interdependence's m (={own_m}) differs from the head's m (={m}); "
                "rpnschema uses the head's",
                severity="warning",
            )
        out[ours] = converted
        return True

    def _remainder_dims(
        self, remainder: Any, params: dict[str, Any], hp: Loc, m: Any, n: Any
    ) -> None:
        """tinybig raises ValueError for m != n unless the remainder has parameters or is zero /
        constant (it checks the name)."""
        if not isinstance(remainder, dict) or m is None or n is None or m == n:
            return
        name = remainder.get("name")
        if name in _FREE_REMAINDERS or name == "linear_remainder":
            return
        path: Loc = (*hp, "remainder_configs")
        source = params.get("remainder_configs") or {}
        written = source.get("function_class", "") if isinstance(source, dict) else ""
        if name == "identity_remainder" and written.endswith("linear_remainder"):
            self.report(
                Code.REMAINDER,
                (*path, "function_parameters", "require_parameters"),
                f"linear_remainder with require_parameters: false has no weights, so it cannot "
                f"map m={m} to n={n} (tinybig raises ValueError)",
                expected="require_parameters: true (tinybig's default)",
                found="false",
                suggestion="remove require_parameters: false",
            )
        elif name == "one_remainder":
            self.report(
                Code.TINYBIG_BEHAVIOUR,
                path,
                f"tinybig raises ValueError for one_remainder when m={m} != n={n} (it exempts "
                "only zero_remainder and constant_remainder, by name); rpnschema accepts it",
                severity="warning",
                suggestion="use constant_remainder with c: 1.0",
            )
        else:
            self.report(
                Code.REMAINDER,
                path,
                f"{name} has no parameters, so it cannot map m={m} to n={n} (tinybig raises "
                "ValueError)",
                expected="m == n, or linear_remainder with require_parameters: true",
                found=f"m={m}, n={n}",
                suggestion="use tinybig.remainder.linear_remainder with require_parameters: true",
            )
