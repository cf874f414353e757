"""Reading tinybig processing functions (``*_function_configs`` with torch.nn classes, and
``*_functions`` names as tinybig's ``str_func_x`` applies them) into catalog functions."""

from __future__ import annotations

from typing import Any

from rpnschema.errors import Code, Loc
from rpnschema.interop import _tinybig_table as T
from rpnschema.interop._tinybig_base import ReaderBase, close
from rpnschema.spec import CATALOG


class ProcessingReader(ReaderBase):
    """Processing functions: torch.nn classes and torch.nn.functional names."""

    # -- processing functions ----------------------------------------------------------------

    def processing_pair(
        self, params: dict[str, Any], base: Loc, configs: str, functions: str, native: Loc
    ) -> list[dict[str, Any]]:
        """tinybig uses ``*_functions`` when given, else ``*_function_configs``."""
        if params.get(functions) is not None:
            if params.get(configs) is not None:
                self.report(
                    Code.TINYBIG_BEHAVIOUR,
                    (*base, configs),
                    f"{configs} is ignored by tinybig because {functions} is given",
                    severity="warning",
                    suggestion=f"remove one of {functions} and {configs}",
                )
            return self.processing(params[functions], (*base, functions), native, configs=False)
        if params.get(configs) is not None:
            return self.processing(params[configs], (*base, configs), native, configs=True)
        return []

    def processing(
        self, value: Any, path: Loc, native: Loc, *, configs: bool
    ) -> list[dict[str, Any]]:
        self.paths.add(native, path)
        if configs and isinstance(value, dict) and "function_class" in value:
            items = [(path, value)]
        elif configs and isinstance(value, dict):  # tinybig: a dict of named function configs
            items = [((*path, k), v) for k, v in value.items()]
        elif not configs and isinstance(value, str):
            items = [(path, value)]
        elif isinstance(value, list):
            items = [((*path, i), v) for i, v in enumerate(value)]
        else:
            self.wrong_type(
                path, "a list of function configs" if configs else "a list of function names"
            )
            return []
        out = []
        for i, (p, item) in enumerate(items):
            self.paths.add((*native, i), p)
            converted = (
                self.processing_config(item, p, (*native, i))
                if configs
                else self.processing_name(item, p)
            )
            if converted is not None:
                out.append(converted)
        return out

    def processing_name(self, item: Any, path: Loc) -> dict[str, Any] | None:
        """A function named by a string, as tinybig's str_func_x applies it."""
        if not isinstance(item, str):
            self.report(
                Code.NOT_REPRESENTABLE,
                path,
                "only function names (strings) can be converted here",
                found=repr(item)[:60],
            )
            return None
        if item in T.FUNCTIONAL_BATCH_NORM:
            return {"name": "batch_norm", "affine": False, "track_running_stats": False}
        short = (
            item.rsplit(".", 1)[-1]
            if item.startswith("torch.nn.functional.")
            else item
            if "." not in item
            else None
        )
        found = T.FUNCTIONAL.get(short.lower()) if short else None
        if found is None:
            near = close(item, [f"torch.nn.functional.{k}" for k in T.FUNCTIONAL])
            self.report(
                Code.UNKNOWN_FUNCTION,
                path,
                f"function {item!r} has no rpnschema equivalent",
                expected="one of " + ", ".join(T.FUNCTIONAL),
                found=item,
                suggestion=f"did you mean {near!r}?" if near else None,
            )
            return None
        if found["name"] == "dropout":
            self.report(
                Code.TINYBIG_BEHAVIOUR,
                path,
                "tinybig applies torch.nn.functional.dropout with its default training=True, so "
                "it drops values in evaluation too; rpnschema's dropout follows the training flag",
                severity="warning",
                suggestion="use function configs with torch.nn.Dropout",
            )
        return dict(found)

    def processing_config(self, item: Any, path: Loc, native: Loc) -> dict[str, Any] | None:
        if not isinstance(item, dict) or not isinstance(item.get("function_class"), str):
            self.report(
                Code.MISSING,
                path,
                "a function config needs function_class",
                expected="function_class: torch.nn.<Class>",
            )
            return None
        cls = item["function_class"]
        ppath: Loc = (*path, "function_parameters")
        name = T.PROCESSING_CLASSES.get(cls)
        if name is None and cls.startswith("torch.nn.functional."):
            found = T.FUNCTIONAL.get(cls.rsplit(".", 1)[-1])
            if found is not None:
                self.report(
                    Code.TINYBIG_BEHAVIOUR,
                    (*path, "function_class"),
                    f"tinybig instantiates function_class by calling it: {cls}() fails without an "
                    "input tensor",
                    severity="warning",
                    suggestion=f"use {T.PROCESSING_PATH[str(found['name'])]}, or give the name "
                    "in the *_functions list",
                )
                self.paths.add(native, path)
                return dict(found)
        if name is None:
            near = close(cls, sorted(T.PROCESSING_PATH.values()))
            self.report(
                Code.UNKNOWN_FUNCTION,
                (*path, "function_class"),
                f"unknown or unsupported processing class {cls!r}",
                expected="one of " + ", ".join(sorted(T.PROCESSING_PATH.values())),
                found=cls,
                suggestion=f"did you mean {near!r}?" if near else None,
            )
            return None
        params = item.get("function_parameters") or {}
        if not isinstance(params, dict):
            self.wrong_type(ppath, "a mapping")
            return None
        fields = [f for f in CATALOG[name].model_fields if f != "name"]
        self.paths.add((*native, "name"), (*path, "function_class"))
        for f in fields:
            self.paths.add((*native, f), (*ppath, f))
        out: dict[str, Any] = {"name": name}
        for key, value in params.items():
            if key in T.PROCESSING_IGNORED:
                continue
            if key not in fields:
                near = close(str(key), fields)
                self.report(
                    Code.UNKNOWN_KEY,
                    (*ppath, key),
                    f"{cls} has no argument {key!r} that rpnschema's {name} supports",
                    expected="one of: " + ", ".join(fields) if fields else "no arguments",
                    found=str(key),
                    suggestion=f"did you mean {near!r}?" if near else None,
                )
                continue
            if key == "normalized_shape" and isinstance(value, (list, tuple)):
                if len(value) != 1:
                    self.report(
                        Code.NOT_REPRESENTABLE,
                        (*ppath, key),
                        "layer_norm over more than one dimension cannot act on a (batch, size) "
                        "vector",
                        expected="one size",
                        found=str(list(value)),
                    )
                    continue
                value = value[0]
            out[key] = value
        return out
