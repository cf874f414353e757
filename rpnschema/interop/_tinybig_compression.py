"""tinybig compression parameters <-> spec fields.

tinybig passes objects and callables where a spec names things: ``metric`` (a koala function),
``grid_configs`` / ``patch_configs``, ``distribution_function_configs`` (a torch distribution)
and the fitted compressions' ``*_function_configs`` (a koala class). Here each is a closed
table of names; nothing named in a config is imported.
"""

from __future__ import annotations

from typing import Any

from rpnschema.errors import Code, Loc
from rpnschema.spec.compression.metric import FIXED_METRIC

_LINEAR_ALGEBRA = ("batch_max", "batch_min", "batch_sum", "batch_prod", "batch_l1_norm")
_LINEAR_ALGEBRA += ("batch_l2_norm",)
_STATISTICS = ("batch_mean", "batch_median", "batch_std", "batch_variance", "batch_skewness")
_STATISTICS += ("batch_geometric_mean", "batch_harmonic_mean")
#: metric name -> the koala function path written to tinybig configs.
METRIC_PATH = {
    **{n: f"tinybig.koala.linear_algebra.{n}" for n in _LINEAR_ALGEBRA},
    **{n: f"tinybig.koala.statistics.{n}" for n in _STATISTICS},
}
#: Compressions whose tinybig constructor takes ``metric`` as a callable.
METRIC_CLASSES = frozenset(
    {"metric_compression", "geometric_compression"}
    | {f"{s}_patch_based_geometric_compression" for s in ("cuboid", "cylinder", "sphere")}
)
_PATCH_PATH = {s: f"tinybig.koala.geometry.{s}" for s in ("cuboid", "cylinder", "sphere")}
_GRID_PATH = "tinybig.koala.geometry.grid"
_DISTRIBUTION_PATH = {
    "uniform": "torch.distributions.uniform.Uniform",
    "normal": "torch.distributions.normal.Normal",
    "cauchy": "torch.distributions.cauchy.Cauchy",
    "chi2": "torch.distributions.chi2.Chi2",
    "exponential": "torch.distributions.exponential.Exponential",
    "gamma": "torch.distributions.gamma.Gamma",
    "laplace": "torch.distributions.laplace.Laplace",
}
_KOALA = "tinybig.koala.machine_learning"
#: generic fitted compression -> (config key, {function name -> koala class path}).
_FUNCTION_CONFIGS: dict[str, tuple[str, dict[str, str]]] = {
    "feature_selection_compression": (
        "fs_function_configs",
        {
            f: f"{_KOALA}.feature_selection.{f}"
            for f in ("incremental_variance_threshold", "incremental_feature_clustering")
        },
    ),
    "dimension_reduction_compression": (
        "dr_function_configs",
        {
            f: f"{_KOALA}.dimension_reduction.{f}"
            for f in ("incremental_PCA", "incremental_random_projection")
        },
    ),
    "manifold_compression": (
        "manifold_function_configs",
        {
            f: f"tinybig.koala.manifold.{f}_manifold"
            for f in ("isomap", "lle", "mds", "spectral_embedding", "tsne")
        },
    ),
}
_SIZE_KEY = {"manifold_compression": "n_components"}
_FIXED_GEOMETRIC = tuple(f"_{k}_based_geometric_compression" for k in ("max", "min", "mean"))


def _by_last(path: Any, table: dict[str, str]) -> str | None:
    """The table key whose path ends like ``path`` (its class or function name)."""
    if not isinstance(path, str):
        return None
    last = path.rsplit(".", 1)[-1]
    return next((k for k, p in table.items() if p.rsplit(".", 1)[-1] == last), None)


class CompressionParams:
    """Reads the tinybig-only parameters of a compression config (mixin of the reader)."""

    report: Any
    paths: Any

    def compression_params(
        self, name: str, params: dict[str, Any], ppath: Loc, native: Loc, out: dict[str, Any]
    ) -> set[str]:
        """Convert the object-valued parameters into ``out``; returns the keys consumed."""
        handled: set[str] = set()
        if "metric" in params:
            handled.add("metric")
            self._metric(name, params["metric"], (*ppath, "metric"), out)
        if "grid_configs" in params:
            handled.add("grid_configs")
            self._grid(params["grid_configs"], (*ppath, "grid_configs"), out)
        if "patch_configs" in params:
            handled.add("patch_configs")
            self._compression_patch(params["patch_configs"], (*ppath, "patch_configs"), out)
        for key in ("grid", "patch", "distribution_function", "fs_function", "dr_function"):
            if key in params:
                handled.add(key)
                if params[key] is not None:
                    self._unsupported((*ppath, key), f"{key} is a Python object; give its configs")
        if "manifold_function" in params:
            handled.add("manifold_function")
        if "distribution_function_configs" in params:
            handled.add("distribution_function_configs")
            self._distribution(params["distribution_function_configs"], ppath, out)
        if name in _FUNCTION_CONFIGS:
            key, table = _FUNCTION_CONFIGS[name]
            handled.add(key)
            self._fitted_function(name, key, table, params, ppath, out)
            if name == "manifold_compression" and "n_neighbors" in params:
                handled.add("n_neighbors")  # tinybig stores it and never uses it
        return handled

    def _metric(self, name: str, value: Any, path: Loc, out: dict[str, Any]) -> None:
        if name in FIXED_METRIC or name.endswith(_FIXED_GEOMETRIC):
            return  # the class fixes its metric; tinybig ignores the argument
        if name.startswith("naive_"):
            if value is not None:
                self._unsupported(
                    path,
                    "a metric before the sampling collapses each row to one value, which "
                    "tinybig then cannot sample from",
                )
            return
        metric = _by_last(value, METRIC_PATH)
        if metric is None:
            self._unsupported(
                path,
                f"metric {value!r} is not one of the koala batch metrics rpnschema knows "
                f"({', '.join(METRIC_PATH)})",
            )
        else:
            out["metric"] = metric

    def _unsupported(self, path: Loc, why: str) -> None:
        self.report(Code.UNSUPPORTED_CLASS, path, f"not supported: {why}")

    def _grid(self, cfg: Any, path: Loc, out: dict[str, Any]) -> None:
        if cfg is None:
            return
        params = cfg.get("grid_parameters") if isinstance(cfg, dict) else None
        if (
            not isinstance(params, dict)
            or _by_last(cfg.get("grid_class"), {"g": _GRID_PATH}) is None
        ):
            self.report(
                Code.BAD_VALUE,
                path,
                "grid_configs must be {grid_class: "
                f"{_GRID_PATH}, grid_parameters: {{h, w, d, universe_num}}}}",
            )
            return
        for theirs, ours in (("h", "h"), ("w", "w"), ("d", "d"), ("universe_num", "channel_num")):
            if params.get(theirs) is not None:
                out[ours] = params[theirs]

    def _compression_patch(self, cfg: Any, path: Loc, out: dict[str, Any]) -> None:
        if cfg is None:
            return
        shape = _by_last(cfg.get("patch_class"), _PATCH_PATH) if isinstance(cfg, dict) else None
        params = cfg.get("patch_parameters", {}) if isinstance(cfg, dict) else None
        if shape is None or not isinstance(params, dict):
            self.report(
                Code.BAD_VALUE,
                path,
                "patch_configs must be {patch_class: "
                "tinybig.koala.geometry.cuboid|cylinder|sphere, patch_parameters: {...}}",
            )
            return
        out["patch"] = {"shape": shape, **params}

    def _distribution(self, cfg: Any, ppath: Loc, out: dict[str, Any]) -> None:
        path = (*ppath, "distribution_function_configs")
        if cfg is None:
            return
        name = (
            _by_last(cfg.get("function_class"), _DISTRIBUTION_PATH)
            if isinstance(cfg, dict)
            else None
        )
        if name is None:
            self._unsupported(
                path,
                "the distribution must be one of torch.distributions "
                + ", ".join(p.rsplit(".", 1)[-1] for p in _DISTRIBUTION_PATH.values()),
            )
            return
        out["distribution"] = name
        out["distribution_parameters"] = dict(cfg.get("function_parameters") or {})

    def _fitted_function(
        self,
        name: str,
        key: str,
        table: dict[str, str],
        params: dict[str, Any],
        ppath: Loc,
        out: dict[str, Any],
    ) -> None:
        cfg = params.get(key)
        path = (*ppath, key)
        function = _by_last(cfg.get("function_class"), table) if isinstance(cfg, dict) else None
        if function is None:
            self.report(
                Code.MISSING if cfg is None else Code.UNSUPPORTED_CLASS,
                path,
                f"{name} needs {key} naming one of " + ", ".join(table.values()),
                expected=f"{key}: {{function_class: {next(iter(table.values()))}}}",
            )
            return
        out["function"] = function
        size = _SIZE_KEY.get(name, "n_feature")
        for k, v in (cfg.get("function_parameters") or {}).items():
            if k == size:
                if v != params.get("D"):
                    self.report(
                        Code.BAD_VALUE,
                        (*path, "function_parameters", k),
                        f"{k} (={v}) must equal D (={params.get('D')}); tinybig asserts it",
                    )
            elif k in ("n_neighbors", "perplexity") and name == "manifold_compression":
                out[k] = v
            elif k != "name":
                self._unsupported(
                    (*path, "function_parameters", k), f"{k} of {function} is not a spec field"
                )


def write_params(spec: Any, params: dict[str, Any]) -> dict[str, Any]:
    """tinybig's form of a compression spec's dumped parameters (``params``, edited)."""
    name = spec.name
    if "metric" in params:
        params["metric"] = METRIC_PATH[params["metric"]]
    if name == "geometric_compression":
        patch = params.pop("patch")
        shape = patch.pop("shape")
        params["patch_configs"] = {"patch_class": _PATCH_PATH[shape], "patch_parameters": patch}
    if params.get("channel_num", 1) != 1 and "h" in params:
        grid = {k: params.pop(k) for k in ("h", "w", "d")}
        params["grid_configs"] = {
            "grid_class": _GRID_PATH,
            "grid_parameters": {**grid, "universe_num": params.pop("channel_num")},
        }
    params.pop("channel_num", None)
    if name == "naive_probabilistic_compression":
        dist = params.pop("distribution")
        dparams = params.pop("distribution_parameters", {})
        if dist != "uniform" or dparams:
            params["distribution_function_configs"] = {
                "function_class": _DISTRIBUTION_PATH[dist],
                "function_parameters": dparams,
            }
    if name in _FUNCTION_CONFIGS:
        key, table = _FUNCTION_CONFIGS[name]
        function = params.pop("function")
        fparams: dict[str, Any] = {_SIZE_KEY.get(name, "n_feature"): params["D"]}
        if name == "manifold_compression":
            n_neighbors, perplexity = params.pop("n_neighbors"), params.pop("perplexity")
            if function in ("isomap", "lle"):
                fparams["n_neighbors"] = n_neighbors
            if function == "tsne":
                fparams["perplexity"] = perplexity
        params[key] = {"function_class": table[function], "function_parameters": fparams}
    return params
