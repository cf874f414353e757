"""The YAML loader and the JSON pre-scan behind :mod:`rpnschema.io`: bounded work per byte.

**YAML.** PyYAML's safe loader resolves YAML 1.1 implicit types: base-60 integers and floats
(``1:0:0:...``, quadratic to convert), timestamps, ``yes``/``no``/``on``/``off`` booleans, and
it reads ``1e-5`` as a string. :class:`CoreLoader` resolves only what a spec needs, with the
rules of the YAML 1.2 core schema: ``null``/``~``/empty, ``true``/``false``, decimal, ``0o`` and
``0x`` integers, decimal floats (``1e-5`` included), ``.inf`` and ``.nan`` (which validation
rejects), and ``<<`` merge keys; everything else is a string. Each pattern is a linear regular
expression, and a number literal longer than :data:`MAX_NUMBER_CHARS` characters is an RPN106
error at its line and column before Python converts it (CPython refuses integers of more than
4,300 digits with a ``ValueError``).

**JSON.** :func:`scan_json` walks the tokens of a JSON text before :func:`json.loads` builds any
object, counting values and nesting depth and measuring number literals: it stops at the first
token past a limit, so a 16 MiB file of tiny objects costs at most ``max_nodes`` tokens, not
hundreds of MiB of dicts.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import BaseResolver

from rpnschema.errors import Code, Diagnostic, LoadError
from rpnschema.limits import Limits

__all__ = ["MAX_NUMBER_CHARS", "CoreDumper", "CoreLoader", "NumberTooLong", "scan_json"]

#: Longest number literal read (a 64-bit integer has 20 characters, a float's shortest repr 24).
MAX_NUMBER_CHARS = 100


class NumberTooLong(Exception):
    """A number literal above :data:`MAX_NUMBER_CHARS`, with its 1-based line and column."""

    def __init__(self, length: int, line: int | None, column: int | None):
        super().__init__(f"a number literal of {length} characters (at most {MAX_NUMBER_CHARS})")
        self.length, self.line, self.column = length, line, column

    def diagnostic(self, file: str | None) -> Diagnostic:
        return Diagnostic(
            Code.NUMBER_TOO_LONG,
            f"a number literal of {self.length} characters, above the limit of {MAX_NUMBER_CHARS}",
            file=file,
            line=self.line,
            column=self.column,
            expected=f"a number of at most {MAX_NUMBER_CHARS} characters",
            found=f"{self.length} characters",
            suggestion="no spec field takes such a number: check the value (quote it if it is "
            "meant to be text)",
        )


_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)


class CoreResolver(BaseResolver):
    """YAML 1.2 core-schema implicit types (plus ``<<`` merge keys); no YAML 1.1 extras."""


for _tag, _pattern, _first in (
    ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    ("null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    ("int", _INT.pattern, "-+0123456789"),  # before float: 12 is an int
    ("float", _FLOAT.pattern, "-+0123456789."),
    ("merge", r"<<", "<"),
):
    CoreResolver.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", re.compile(rf"^(?:{_pattern})$"), list(_first)
    )


def _too_long(node: yaml.ScalarNode) -> NumberTooLong:
    mark = node.start_mark
    return NumberTooLong(len(node.value), mark.line + 1, mark.column + 1)


class CoreConstructor(SafeConstructor):
    """Safe constructors with core-schema scalars; long number literals are refused."""

    def construct_yaml_bool(self, node: yaml.ScalarNode) -> bool:  # type: ignore[override]
        return self.construct_scalar(node).lower() == "true"  # type: ignore[union-attr]

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:  # type: ignore[override]
        value = str(self.construct_scalar(node))
        if len(value) > MAX_NUMBER_CHARS:
            raise _too_long(node)
        if not _INT.fullmatch(value):  # an explicit !!int tag on something else
            raise yaml.constructor.ConstructorError(
                None, None, f"{value!r} is not an integer", node.start_mark
            )
        for prefix, base in (("0o", 8), ("0x", 16)):
            if value.startswith(prefix):
                return int(value[2:], base)
        return int(value)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:  # type: ignore[override]
        value = str(self.construct_scalar(node))
        if len(value) > MAX_NUMBER_CHARS:
            raise _too_long(node)
        if not _FLOAT.fullmatch(value) and not _INT.fullmatch(value):
            raise yaml.constructor.ConstructorError(
                None, None, f"{value!r} is not a number", node.start_mark
            )
        low = value.lower()
        if low.endswith(".inf"):
            return float("-inf") if low.startswith("-") else float("inf")
        if low == ".nan":
            return float("nan")
        return float(int(value, 0) if value.startswith(("0o", "0x")) else value)


CoreConstructor.add_constructor("tag:yaml.org,2002:bool", CoreConstructor.construct_yaml_bool)
CoreConstructor.add_constructor("tag:yaml.org,2002:int", CoreConstructor.construct_yaml_int)
CoreConstructor.add_constructor("tag:yaml.org,2002:float", CoreConstructor.construct_yaml_float)
for _tag in ("timestamp", "binary", "set", "omap", "pairs"):  # nothing in a spec needs them
    CoreConstructor.yaml_constructors.pop(f"tag:yaml.org,2002:{_tag}", None)

try:  # libyaml when available: same rules, faster
    from yaml.cyaml import CParser
except ImportError:  # pragma: no cover - PyYAML without libyaml
    CParser = None

if CParser is not None:

    class CoreLoader(CParser, CoreConstructor, CoreResolver):
        """The loader of spec documents: safe tags, core-schema scalars, bounded numbers."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            CoreConstructor.__init__(self)
            CoreResolver.__init__(self)

else:  # pragma: no cover - PyYAML without libyaml

    class CoreLoader(  # type: ignore[no-redef]
        yaml.reader.Reader,
        yaml.scanner.Scanner,
        yaml.parser.Parser,
        yaml.composer.Composer,
        CoreConstructor,
        CoreResolver,
    ):
        """The loader of spec documents: safe tags, core-schema scalars, bounded numbers."""

        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            CoreConstructor.__init__(self)
            CoreResolver.__init__(self)


class CoreDumper(yaml.SafeDumper):
    """PyYAML's safe dumper, quoting every string that either YAML 1.1 or the core schema would
    read as something else (``"1e-5"``, ``"yes"``), so the output reads back the same anywhere."""


for _first, _resolvers in CoreResolver.yaml_implicit_resolvers.items():
    CoreDumper.yaml_implicit_resolvers.setdefault(_first, [])
    CoreDumper.yaml_implicit_resolvers[_first] = [
        *CoreDumper.yaml_implicit_resolvers[_first],
        *_resolvers,
    ]


def load_value(text: str) -> Any:
    """One YAML value (e.g. a ``--set`` value) read with :class:`CoreLoader`."""
    loader = CoreLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


# --- JSON -----------------------------------------------------------------------------------

#: A JSON token: a string (escapes included), a bracket, or a run of other non-space characters.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|[^\s\[\]{},:"]+')


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def scan_json(text: str, file: str | None, limits: Limits, too_big: Any) -> None:
    """Check a JSON text's values, nesting depth and number literals before it is parsed.

    ``too_big(kind, found, limits, file, line, column)`` builds the RPN104 error for
    ``kind`` ``"nodes"`` or ``"depth"``. Raises :class:`LoadError` at the first token past a limit;
    malformed JSON is left to :func:`json.loads` (which then reads a bounded text)."""
    count = depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first in "[{":
            depth += 1
            if depth > limits.max_depth:
                raise too_big("depth", depth, limits, file, *_line_col(text, match.start()))
        elif first in "]}":
            depth -= 1
            continue
        elif first != '"' and len(token) > MAX_NUMBER_CHARS and first in "-0123456789":
            line, column = _line_col(text, match.start())
            raise LoadError(NumberTooLong(len(token), line, column).diagnostic(file))
        count += 1
        if count > limits.max_nodes:
            raise too_big("nodes", count, limits, file, *_line_col(text, match.start()))


def unsafe_values(data: Any, max_nodes: int) -> list[Diagnostic]:
    """RPN106 for each integer longer than :data:`MAX_NUMBER_CHARS` digits and RPN205 for each
    string (key or value) with a lone surrogate (not Unicode text: it cannot be written as UTF-8)
    in plain data given through the API or ``--set``, which no loader has checked. Walks at most
    ``max_nodes`` values, without recursion."""
    limit = 10**MAX_NUMBER_CHARS
    found: list[Diagnostic] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    seen = 0
    while stack and seen <= max_nodes:
        path, value = stack.pop()
        seen += 1
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= limit:
            digits = value.bit_length() * 3 // 10 + 1  # about log10(2) digits per bit
            found.append(
                Diagnostic(
                    Code.NUMBER_TOO_LONG,
                    f"an integer of about {digits} digits, above the limit of {MAX_NUMBER_CHARS}",
                    path=path,
                    expected=f"an integer of at most {MAX_NUMBER_CHARS} digits",
                    found=f"about {digits} digits",
                    suggestion="no spec field takes such a number: check the value",
                )
            )
        elif isinstance(value, str) and not _is_text(value):
            found.append(_surrogate(path, value))
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, str) and not _is_text(k):
                    found.append(_surrogate((*path, k), k))
                elif isinstance(k, (str, int)):
                    stack.append(((*path, k), v))
        elif isinstance(value, (list, tuple)):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
    return found


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _surrogate(path: tuple[str | int, ...], value: str) -> Diagnostic:
    return Diagnostic(
        Code.BAD_VALUE,
        "the text has a lone surrogate escape (\\ud800-\\udfff), which is not Unicode text",
        path=path,
        expected="text that can be written as UTF-8",
        found=ascii(value[:60]),
        suggestion="remove the \\uXXXX escape, or give the character's full surrogate pair",
    )
