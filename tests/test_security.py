"""Untrusted specs: no code is imported or evaluated from a spec, and no document or model
exceeds its resource limits (file size, values counting aliases, depth, counts, D, parameters)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import rpnschema
from rpnschema import LoadError, io, validate_data, validate_text
from rpnschema.cli.app import app
from rpnschema.errors import Code
from rpnschema.limits import MAX_COUNT, Limits

ROOT = Path(__file__).resolve().parents[1]
KAN = ROOT / "examples" / "tinybig" / "iris_kan.yaml"

#: Names that would run code if anything imported or evaluated them; ``rpn_canary`` is a module
#: (created by the tests) whose import leaves a marker file.
PAYLOADS = [
    "os.system",
    "subprocess.Popen",
    "builtins.eval",
    "__import__",
    "torch.load",
    "posix.system",
    "pickle.loads",
    "importlib.import_module",
    "__import__('os').system('true')",
    "rpn_canary",
    "rpn_canary.boom",
]

_HEAD = {"expansion": "taylor_expansion", "reconciliation": "identity_reconciliation"}


def _native(slot: str, name: str) -> dict[str, Any]:
    """A small valid spec with ``name`` put where a component, processing or preset name goes."""
    head: dict[str, Any] = dict(_HEAD)
    layer: dict[str, Any] = {"m": 3, "n": 2, "heads": [head]}
    if slot == "expansion":
        head["expansion"] = name
    elif slot == "reconciliation":
        head["reconciliation"] = {"name": name}
    elif slot == "remainder":
        head["remainder"] = {"name": name}
    elif slot == "activation":
        head["remainder"] = {"name": "linear_remainder", "activation": [{"name": name}]}
    elif slot == "processing":
        head["expansion"] = {"name": "taylor_expansion", "postprocess": [name]}
    elif slot == "head_fusion":
        layer.update(width=2, head_fusion={"name": name})
    elif slot == "preset":
        layer["heads"] = [{"preset": name}]
    return {"spec_version": 1, "layers": [layer]}


NATIVE_SLOTS = [
    "expansion", "reconciliation", "remainder", "activation", "processing", "head_fusion", "preset",
]  # fmt: skip


def _tinybig(slot: str, name: str) -> dict[str, Any]:
    """The iris KAN tinybig config with ``name`` as one of its class paths or functions."""
    config = deepcopy(yaml.safe_load(KAN.read_text()))
    layer = config["model_parameters"]["layer_configs"][0]
    head = layer["layer_parameters"]["head_configs"][0]
    params = head["head_parameters"]
    if slot == "model_class":
        config["model_class"] = name
    elif slot == "layer_class":
        layer["layer_class"] = name
    elif slot == "head_class":
        head["head_class"] = name
    elif slot == "function_class":
        params["data_transformation_configs"]["function_class"] = name
    elif slot == "activation_class":
        remainder = params["remainder_configs"]["function_parameters"]
        remainder["activation_function_configs"] = [{"function_class": name}]
    elif slot == "activation_functions":
        remainder = params["remainder_configs"]["function_parameters"]
        remainder.pop("activation_function_configs", None)
        remainder["activation_functions"] = name
    return config


TINYBIG_SLOTS = [
    "model_class", "layer_class", "head_class", "function_class", "activation_class",
    "activation_functions",
]  # fmt: skip


@pytest.fixture()
def canary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A module ``rpn_canary`` on sys.path; importing it creates the returned marker file."""
    marker = tmp_path / "imported"
    (tmp_path / "rpn_canary.py").write_text(
        f"open({str(marker)!r}, 'w').close()\ndef boom(*a, **k):\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return marker


def _warm_up() -> None:
    """Do the lazy imports of a failing validation once, so only unexpected ones show."""
    validate_data(_native("expansion", "no_such_expansion"))
    validate_data(_native("preset", "no_such_preset"))


@pytest.mark.parametrize("slot", NATIVE_SLOTS)
def test_native_specs_naming_code_are_rejected_without_imports(slot: str, canary: Path) -> None:
    _warm_up()
    before = set(sys.modules)
    for name in PAYLOADS:
        text = yaml.safe_dump(_native(slot, name), sort_keys=False)
        result = validate_text(text, file="evil.yaml")
        assert not result.ok, (slot, name)
        errors = [d for d in result.diagnostics if d.severity == "error"]
        assert errors and all(d.path and d.line is not None for d in errors), (slot, name, errors)
    assert set(sys.modules) - before == set()
    assert not canary.exists()


@pytest.mark.parametrize("slot", TINYBIG_SLOTS)
def test_tinybig_configs_naming_code_are_rejected_without_imports(slot: str, canary: Path) -> None:
    from rpnschema.interop.tinybig import from_tinybig, validate_tinybig

    validate_tinybig(io.parse(yaml.safe_dump(_tinybig("function_class", "x.y")), file="a.yaml"))
    before = set(sys.modules)
    for name in PAYLOADS:
        doc = io.parse(yaml.safe_dump(_tinybig(slot, name), sort_keys=False), file="evil.yaml")
        result = validate_tinybig(doc)
        assert not result.ok, (slot, name)
        errors = [d for d in result.diagnostics if d.severity == "error"]
        assert errors and all(d.path and d.line is not None for d in errors), (slot, name, errors)
        _, diagnostics = from_tinybig(_tinybig(slot, name))
        assert any(d.severity == "error" for d in diagnostics), (slot, name)
    assert set(sys.modules) - before == set()
    assert not canary.exists()


_CLI_PROBE = textwrap.dedent(
    """
    import json, sys
    from rpnschema.cli.app import app

    def run(args):
        try:
            return app(args, standalone_mode=False) or 0  # the exit code of typer.Exit
        except SystemExit as e:
            return e.code
        except BaseException as e:
            return repr(e)

    calls, warm = json.loads(sys.argv[1]), int(sys.argv[2])
    for args in calls[:warm]:  # the lazy imports of failing runs
        run(args)
    before = set(sys.modules)
    codes = [run(args) for args in calls[warm:]]
    print(json.dumps({"codes": codes, "new": sorted(set(sys.modules) - before)}))
    """
)


def test_cli_rejects_specs_naming_code_in_a_fresh_interpreter(tmp_path: Path) -> None:
    """validate, validate --from tinybig, resolve, build and convert: exit 1, nothing imported."""
    marker = tmp_path / "imported"
    (tmp_path / "rpn_canary.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    files = []
    payloads = ["os.system", "subprocess.Popen", "builtins.eval", "torch.load", "rpn_canary.boom"]
    for slot in NATIVE_SLOTS:
        for name in payloads:
            f = tmp_path / f"n_{slot}_{len(files)}.yaml"
            f.write_text(yaml.safe_dump(_native(slot, name)))
            files.append(("native", f))
    for slot in TINYBIG_SLOTS:
        for name in payloads:
            f = tmp_path / f"t_{slot}_{len(files)}.yaml"
            f.write_text(yaml.safe_dump(_tinybig(slot, name)))
            files.append(("tinybig", f))
    warm = tmp_path / "warm.yaml"
    warm.write_text(yaml.safe_dump(_native("expansion", "nope")))
    warm_tinybig = tmp_path / "warm_tinybig.yaml"
    warm_tinybig.write_text(yaml.safe_dump(_tinybig("function_class", "nope")))
    calls: list[list[str]] = [["validate", "-q", str(warm)], ["convert", str(warm_tinybig)]]
    for kind, f in files:
        if kind == "native":
            calls += [["validate", str(f)], ["resolve", str(f)], ["build", str(f)]]
        else:
            calls += [["validate", "--from", "tinybig", str(f)], ["convert", str(f)]]
            calls += [["build", str(f)]]
    out = subprocess.run(
        [sys.executable, "-c", _CLI_PROBE, json.dumps(calls), "2"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["codes"] == [1] * (len(calls) - 2)
    assert report["new"] == []
    assert not marker.exists()
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['true']\n",
        "a: !!python/object:os.system {}\n",
        "a: !!python/name:os.system ''\n",
        "a: !!python/module:os ''\n",
        "!!python/object/new:subprocess.Popen [['true']]\n",
        "a: !!binary aGVsbG8=\nb: !custom x\n",
    ],
)
def test_python_yaml_tags_are_refused(text: str) -> None:
    with pytest.raises(LoadError) as e:
        io.parse(text, file="evil.yaml")
    assert e.value.diagnostic.code is Code.SYNTAX and e.value.diagnostic.line is not None


# -- resource limits ---------------------------------------------------------------------------


def billion_laughs(levels: int = 9) -> str:
    """A few hundred bytes of YAML that stand for 10**levels values."""
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]")
    return "\n".join([*lines, f"layers: *l{levels - 1}", ""])


HUGE_D = """\
spec_version: 1
layers:
  - m: 784
    n: 10
    heads:
      - expansion: {name: taylor_expansion, d: 4}
        reconciliation: identity_reconciliation
"""


def test_limits_live_in_one_place() -> None:
    assert rpnschema.Limits is Limits
    assert Limits().max_count == MAX_COUNT
    assert Limits().max_file_bytes == io.MAX_FILE_BYTES
    assert Limits().max_nodes == io.MAX_NODES


def test_billion_laughs_is_rejected_by_the_api() -> None:
    with pytest.raises(LoadError) as e:
        validate_text(billion_laughs(), file="lol.yaml")
    d = e.value.diagnostic
    assert d.code is Code.RESOURCE and "alias" in d.message and d.line is not None


def test_recursive_alias_is_rejected() -> None:
    with pytest.raises(LoadError) as e:
        io.parse("a: &x [1, *x]\nlayers: *x\n", file="r.yaml")
    assert e.value.diagnostic.code is Code.RESOURCE and "recursive" in e.value.diagnostic.message


def test_aliases_within_the_limit_still_work() -> None:
    doc = io.parse("a: &a [1, 2]\nb: *a\nc: {x: *a}\n")
    assert doc.data == {"a": [1, 2], "b": [1, 2], "c": {"x": [1, 2]}}
    with pytest.raises(LoadError):
        io.parse("a: &a [1, 2]\nb: *a\nc: {x: *a}\n", limits=Limits(max_nodes=10))


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_deep_nesting_is_rejected(fmt: str) -> None:
    text = "[" * 100 + "]" * 100
    text = text if fmt == "json" else f"a: {text}\n"
    with pytest.raises(LoadError) as e:
        io.parse(text, format=fmt)  # type: ignore[arg-type]
    assert e.value.diagnostic.code is Code.RESOURCE
    assert "nested too deeply" in e.value.diagnostic.message
    io.parse(text, format=fmt, limits=Limits(max_depth=200))  # type: ignore[arg-type]


def test_very_deep_nesting_is_a_load_error_not_a_crash() -> None:
    for text, fmt in [("[" * 100_000 + "]" * 100_000, "json"), ("[" * 5000, "yaml")]:
        with pytest.raises(LoadError):
            io.parse(text, format=fmt, limits=Limits(max_depth=10**6))  # type: ignore[arg-type]


def test_huge_expansion_names_the_computed_D() -> None:
    result = validate_text(HUGE_D, file="d.yaml")
    (d,) = result.errors
    assert d.code is Code.BUDGET and "D=378284504080" in d.message
    big = Limits(max_dim=10**12, max_parameters=10**13, max_memory=10**15)
    assert validate_text(HUGE_D, limits=big).ok


def test_counts_are_limited_and_the_limit_can_be_changed() -> None:
    spec = {"spec_version": 1, "layers": [{"m": 3, "n": 2, "width": 20, "heads": [_HEAD]}]}
    assert validate_data(spec).ok
    (d,) = validate_data(spec, limits=Limits(max_count=10)).errors
    assert d.code is Code.BUDGET and d.path == ("layers", 0, "width") and "10" in d.message
    spec["layers"][0]["heads"] = [{**_HEAD, "channels": 11}]
    spec["layers"][0]["width"] = 1
    (d,) = validate_data(spec, limits=Limits(max_count=10)).errors
    assert d.path == ("layers", 0, "heads", 0, "channels")


_MEASURE = textwrap.dedent(
    """
    import json, resource, sys, time
    from typer.testing import CliRunner
    from rpnschema.cli.app import app

    def peak_kib():
        # VmHWM belongs to this process image; ru_maxrss also counts the parent's RSS at fork
        try:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    runner = CliRunner()
    runner.invoke(app, ["validate", "-q", sys.argv[2]])  # warm up imports
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # reset the high-water mark to the current RSS
    except OSError:
        pass
    base = peak_kib()
    t = time.perf_counter()
    result = runner.invoke(app, json.loads(sys.argv[1]))
    elapsed = time.perf_counter() - t
    peak = peak_kib()
    print(json.dumps({"code": result.exit_code, "s": elapsed, "kb": peak - base,
                      "peak_kb": peak, "out": result.output}))
    """
)


def _measure(args: list[str], tmp_path: Path) -> dict[str, Any]:
    """Exit code, seconds, peak-RSS growth and peak RSS (KiB) of one CLI run in a fresh
    interpreter (after a warm-up run, so imports are not counted as growth)."""
    warm = tmp_path / "warm.yaml"
    warm.write_text(yaml.safe_dump(_native("expansion", "taylor_expansion")))
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, json.dumps(args), str(warm)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _huge_file(tmp_path: Path) -> Path:
    f = tmp_path / "huge.yaml"
    with f.open("w") as fh:
        fh.write("layers: [")
        fh.write("1, " * (Limits().max_file_bytes // 3 + 1))
        fh.write("1]\n")
    return f


def _wide_file(tmp_path: Path) -> Path:
    """Just under the size limit, far over the value limit."""
    f = tmp_path / "wide.yaml"
    with f.open("w") as fh:
        fh.write("layers: [")
        fh.write("1, " * (Limits().max_file_bytes // 3 - 10))
        fh.write("1]\n")
    return f


WORST = {
    "billion_laughs": (lambda p: p / "lol.yaml", billion_laughs(), 2),
    "huge_D": (lambda p: p / "d.yaml", HUGE_D, 1),
    "deep": (lambda p: p / "deep.yaml", "a: " + "[" * 999 + "]" * 999 + "\n", 2),
    "deep_json": (lambda p: p / "deep.json", "[" * 100_000 + "]" * 100_000, 2),
    "huge_file": (_huge_file, None, 2),
    "wide_file": (_wide_file, None, 2),
}


@pytest.mark.parametrize("case", list(WORST))
@pytest.mark.parametrize("command", ["validate", "build"])
def test_worst_inputs_are_rejected_fast_in_bounded_memory(
    case: str, command: str, tmp_path: Path
) -> None:
    where, text, code = WORST[case]
    path = where(tmp_path)
    if text is not None:
        path.write_text(text)
    got = _measure([command, str(path)], tmp_path)
    assert got["code"] == code, got["out"]
    assert "Traceback" not in got["out"]
    assert got["s"] < 2.0, got
    assert got["kb"] < 200 * 1024, got  # growth: the file read, never its expansion
    assert got["peak_kb"] < 300 * 1024, got  # the whole process


def test_cli_limit_options(tmp_path: Path) -> None:
    lol = tmp_path / "lol.yaml"
    lol.write_text(billion_laughs(2))  # 100 values + keys: within the default limit
    runner = CliRunner()
    assert runner.invoke(app, ["validate", str(lol)]).exit_code == 1  # layers of strings
    r = runner.invoke(app, ["validate", "--max-nodes", "50", str(lol)])
    assert r.exit_code == 2 and "RPN104" in r.output and "--max-nodes" in r.output
    r = runner.invoke(app, ["validate", "--max-depth", "1", str(lol)])
    assert r.exit_code == 2 and "nested too deeply" in r.output
    r = runner.invoke(app, ["resolve", "--max-file-bytes", "10", str(lol)])
    assert r.exit_code == 2 and "larger than the limit of 10 bytes" in r.output
    d = tmp_path / "d.yaml"
    d.write_text(HUGE_D)
    r = runner.invoke(app, ["build", "--no-check", str(d)])
    assert r.exit_code == 1 and "D=378284504080" in r.output
    r = runner.invoke(app, ["validate", "--max-dim", "10", str(d)])
    assert r.exit_code == 1 and "expansion budget 10" in r.output
    r = runner.invoke(app, ["convert", "--max-count", "1", str(KAN)])
    assert r.exit_code == 1 and "RPN408" in r.output
