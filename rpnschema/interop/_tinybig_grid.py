"""Reading tinybig's grid classes: ``tinybig.head.grid_interdependence_head`` /
``grid_compression_head``, the ``tinybig.layer`` layers of them and ``tinybig.model.cnn``, as
the grid presets of :mod:`rpnschema.spec.grid_presets` (their arguments keep tinybig's names).

The preset computes m and n from the grid (tinybig's classes take no m or n).
"""

from __future__ import annotations

from typing import Any

from rpnschema.errors import Code, Loc
from rpnschema.interop._tinybig_heads import HeadReader
from rpnschema.migrate import LATEST
from rpnschema.spec.grid_presets import (
    CnnModelPreset,
    GridCompressionPreset,
    GridInterdependencePreset,
)

_PRESETS = {
    "grid_interdependence": GridInterdependencePreset,
    "grid_compression": GridCompressionPreset,
}
#: Constructor arguments that are not the model's (or that a spec holds elsewhere).
_OWN = ("name", "device", "parameters_init_method")
#: tinybig's grid_compression_layer defaults with_dropout to False (its head to True).
_LAYER_DEFAULTS = {"grid_compression": {"with_dropout": False}}


def _arguments(cls: type) -> list[str]:
    return sorted(k for k in cls.model_fields if k not in ("preset", "name", "m", "n", "channels"))


class GridReader(HeadReader):
    """The grid head, layer and model classes."""

    def _grid_args(
        self, params: dict[str, Any], path: Loc, native: Loc, cls: type, owner: str
    ) -> dict[str, Any]:
        """The preset's arguments from tinybig's; other keys are reported."""
        allowed = _arguments(cls)
        out: dict[str, Any] = {}
        for key, value in params.items():
            if key in allowed:
                out[key] = value
                self.paths.add((*native, key), (*path, key))
            elif key not in _OWN:
                self.unknown_key((*path, key), key, allowed, owner)
        self.check_device(params, path)
        return out

    def _spec(self, path: Loc, init: Any) -> dict[str, Any]:
        self.root = path
        self.paths.add((), path)
        spec: dict[str, Any] = {"spec_version": LATEST, "semantics": self.semantics}
        self._init(spec, [(path, init if init is not None else "xavier_normal")])
        return spec

    def grid_head_config(
        self, name: str, params: dict[str, Any], hp: Loc, native: Loc
    ) -> dict[str, Any]:
        """A grid head preset from a head's parameters."""
        self.paths.add(native, hp)
        cls = _PRESETS[name]
        args = self._grid_args(params, hp, native, cls, f"tinybig.head.{name}_head")
        for key in ("m", "n"):
            if key in params:
                self.report(
                    Code.TINYBIG_BEHAVIOUR,
                    (*hp, key),
                    f"tinybig.head.{name}_head takes no {key}: it computes it from the grid "
                    "(passed on as **kwargs, it would clash with the computed one)",
                    severity="warning",
                    suggestion=f"remove {key}",
                )
        self.report(
            Code.PRESET_EXPANDED,
            hp,
            f"tinybig.head.{name}_head read as the preset {name} (tinybig 0.2.1's defaults; "
            "`rpnschema resolve` shows its components)",
            severity="notice",
        )
        return {"preset": name, **args}

    def grid_head(self, cfg: dict[str, Any], path: Loc, name: str) -> dict[str, Any] | None:
        params = self._params(cfg, path, "head_parameters", ("head_class", "head_parameters"))
        if params is None:
            return None
        hp: Loc = (*path, "head_parameters")
        spec = self._spec(path, params.get("parameters_init_method"))
        self.paths.add(("layers", 0), path)
        head = self.grid_head_config(name, params, hp, ("layers", 0, "heads", 0))
        spec["layers"] = [{"heads": [head]}]
        return self._finish(spec)

    def grid_layer(
        self, name: str, params: dict[str, Any], lp: Loc, native: Loc, inits: list[tuple[Loc, Any]]
    ) -> dict[str, Any] | None:
        """A grid_interdependence_layer (``width`` copies of one head object) or a
        grid_compression_layer (one head)."""
        given = {**_LAYER_DEFAULTS.get(name, {}), **params}
        width = given.pop("width", 1) if name == "grid_interdependence" else 1
        inits.append(((*lp, "parameters_init_method"), given.get("parameters_init_method")))
        if not self.shared_width(f"{name}_layer", width, lp, native):
            return None
        head = self.grid_head_config(name, given, lp, (*native, "heads", 0))
        layer: dict[str, Any] = {"heads": [head]}
        if width > 1:
            layer.update(width=width, share_heads=True)
        return layer

    def grid_model(self, params: dict[str, Any], path: Loc, mp: Loc) -> dict[str, Any] | None:
        """tinybig.model.cnn as the cnn model preset."""
        spec = self._spec(path, "xavier_normal")
        args = self._grid_args(params, mp, ("preset",), CnnModelPreset, "tinybig.model.cnn")
        for key in ("name", "device"):
            if key in params:
                spec[key] = params[key]
                self.paths.add((key,), (*mp, key))
        for key in ("channel_nums", "fc_dims"):
            if key not in params:
                self.report(
                    Code.MISSING,
                    mp,
                    f"tinybig.model.cnn needs {key} (its constructor has no default)",
                    expected=f"{key}: [...]",
                )
                return None
        self.paths.add(("preset",), mp)
        self.report(
            Code.CONVERTED,
            (*path, "model_class"),
            "tinybig.model.cnn read as the model preset cnn (`rpnschema resolve` shows its "
            "convolution, pooling and perceptron layers)",
            severity="notice",
        )
        spec["preset"] = {"name": "cnn", **args}
        return self._finish(spec)
