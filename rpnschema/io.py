"""Load JSON and YAML spec documents with source positions; dump specs.

YAML is read with PyYAML's safe constructors and YAML 1.2 core-schema scalars only
(:mod:`rpnschema.safeload`): no tags that construct Python objects, no quadratic YAML 1.1
resolvers, no number literal over 100 characters (RPN106). Every value and every key gets its
(line, column), so diagnostics can point into the file. The document limits of
:class:`~rpnschema.limits.Limits` (file size, values counting alias expansions, nesting depth)
are checked before the data is built or walked (JSON: on its token stream, before
:func:`json.loads`): a violation is an RPN104 :class:`LoadError`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from rpnschema.errors import Code, Diagnostic, LoadError, Loc
from rpnschema.limits import MAX_FILE_BYTES as MAX_FILE_BYTES
from rpnschema.limits import MAX_NODES as MAX_NODES
from rpnschema.limits import Limits
from rpnschema.safeload import CoreDumper, CoreLoader, NumberTooLong, scan_json

Format = Literal["json", "yaml"]


@dataclass
class Document:
    """A parsed document: its data, where each value and key sits, and load-time findings."""

    data: Any
    file: str | None = None
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def position(self, path: Loc, *, key: bool = False) -> tuple[int, int] | None:
        """Line and column (1-based) of the value at ``path``, or of its nearest ancestor."""
        if key and path in self.keys:
            return self.keys[path]
        p = tuple(path)
        while True:
            if p in self.values:
                return self.values[p]
            if p in self.keys:
                return self.keys[p]
            if not p:
                return None
            p = p[:-1]

    def locate(self, diagnostic: Diagnostic, *, key: bool = False) -> Diagnostic:
        pos = self.position(diagnostic.path, key=key)
        if pos is None:
            return diagnostic.located(self.file, None, None)
        return diagnostic.located(self.file, pos[0], pos[1])


def detect_format(name: str | None, text: str) -> Format:
    if name:
        suffix = Path(name).suffix.lower()
        if suffix == ".json":
            return "json"
        if suffix in (".yaml", ".yml"):
            return "yaml"
    return "json" if text.lstrip().startswith(("{", "[")) else "yaml"


def read_text(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a spec file (``-`` is standard input); raise :class:`LoadError` on any I/O problem.

    Reads at most ``max_bytes + 1`` bytes: a larger file is an RPN104 error, never read whole."""
    import sys

    name = str(path)
    try:
        if name == "-":
            raw = sys.stdin.buffer.read(max_bytes + 1)
        else:
            p = Path(path)
            if p.is_dir():
                raise IsADirectoryError(f"{name} is a directory")
            with p.open("rb") as fh:
                raw = fh.read(max_bytes + 1)
    except OSError as e:
        reason = e.strerror or str(e)
        raise LoadError(
            Diagnostic(Code.IO, f"cannot read file: {reason}", file=name, found=name)
        ) from e
    if len(raw) > max_bytes:
        raise LoadError(
            Diagnostic(
                Code.RESOURCE,
                f"file is larger than the limit of {max_bytes} bytes",
                file=name,
                expected=f"at most {max_bytes} bytes",
                suggestion="raise the limit (--max-file-bytes) if the file is trusted",
            )
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise LoadError(
            Diagnostic(Code.IO, f"file is not UTF-8 text: {e.reason}", file=name)
        ) from e


def parse(
    text: str,
    *,
    file: str | None = None,
    format: Format | None = None,
    limits: Limits | None = None,
) -> Document:
    """Parse JSON or YAML text into a :class:`Document`; raise :class:`LoadError` if unparseable
    or above a document limit (values counting alias expansions, nesting depth)."""
    limits = limits or Limits()
    fmt = format or detect_format(file, text)
    if fmt == "json":
        scan_json(text, file, limits, _json_too_big)
        data = _parse_json(text, file)
        doc = Document(data=data, file=file)
        try:  # positions only: JSON is YAML, but a few JSON texts are not PyYAML's YAML
            node, _ = _compose(_positions_text(text), file, limits, construct=False)
        except LoadError:
            return doc
    else:
        node, data = _compose(text, file, limits)
        doc = Document(data=data, file=file)
    if node is not None:
        _walk(node, (), doc, depth=0)
    return doc


#: A JSON ``\\uD800``-``\\uDFFF`` escape (not itself escaped), which PyYAML cannot read.
_SURROGATE_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _positions_text(text: str) -> str:
    """``text`` with surrogate escapes replaced by ``\\u0020``: the same length, so the same
    lines and columns, and readable by PyYAML (used for positions only, never for values)."""
    if "\\u" not in text:
        return text
    return _SURROGATE_ESCAPE.sub(lambda m: m.group(1) + "\\u0020", text)


def load(
    path: str | Path, *, format: Format | None = None, limits: Limits | None = None
) -> Document:
    """Read and parse a spec file (``-`` reads standard input) within ``limits``."""
    limits = limits or Limits()
    name = str(path)
    text = read_text(path, max_bytes=limits.max_file_bytes)
    return parse(text, file=name, format=format, limits=limits)


def _not_json(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number (JSON has no NaN or infinity)")


def _parse_json(text: str, file: str | None) -> Any:
    try:
        return json.loads(text, parse_constant=_not_json)
    except json.JSONDecodeError as e:
        raise LoadError(
            Diagnostic(
                Code.SYNTAX,
                f"invalid JSON: {e.msg}",
                file=file,
                line=e.lineno,
                column=e.colno,
                expected="a JSON document",
            )
        ) from e
    except RecursionError as e:
        raise LoadError(Diagnostic(Code.SYNTAX, "JSON nesting is too deep", file=file)) from e
    except ValueError as e:  # NaN, Infinity
        raise LoadError(
            Diagnostic(Code.SYNTAX, f"invalid JSON: {e}", file=file, expected="a JSON number")
        ) from e


def _syntax_error(e: yaml.YAMLError, file: str | None) -> LoadError:
    mark = getattr(e, "problem_mark", None)
    problem = getattr(e, "problem", None) or str(e)
    context, context_mark = getattr(e, "context", None), getattr(e, "context_mark", None)
    if context and context_mark is not None:
        problem += f" ({context} started at line {context_mark.line + 1})"
    return LoadError(
        Diagnostic(
            Code.SYNTAX,
            f"invalid YAML: {problem}",
            file=file,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            expected="a YAML or JSON document",
        )
    )


_Loader = CoreLoader  # safe tags, YAML 1.2 core-schema scalars (see rpnschema.safeload)


def _too_big(
    what: str, found: int, limit: int, option: str, file: str | None, mark: Any = None
) -> LoadError:
    return LoadError(
        Diagnostic(
            Code.RESOURCE,
            f"the document {what} (at least {found}), above the limit of {limit}",
            file=file,
            line=mark.line + 1 if mark is not None else None,
            column=mark.column + 1 if mark is not None else None,
            expected=f"at most {limit}",
            found=str(found),
            suggestion=f"raise the limit ({option}) if the file is trusted",
        )
    )


def _too_many(count: int, limits: Limits, file: str | None, mark: Any = None) -> LoadError:
    what = "has too many values, counting alias expansions"
    return _too_big(what, count, limits.max_nodes, "--max-nodes", file, mark)


def _too_deep(depth: int, limits: Limits, file: str | None, mark: Any = None) -> LoadError:
    return _too_big("is nested too deeply", depth, limits.max_depth, "--max-depth", file, mark)


@dataclass
class _Mark:  # a 0-based position, like yaml.Mark
    line: int
    column: int


def _json_too_big(
    kind: str, found: int, limits: Limits, file: str | None, line: int, column: int
) -> LoadError:
    mark = _Mark(line - 1, column - 1)
    return (_too_many if kind == "nodes" else _too_deep)(found, limits, file, mark)


def _check_events(text: str, file: str | None, limits: Limits) -> None:
    """Count values (each alias expansion counted again) and nesting depth from the event
    stream, before any node is built: stops at the first event past a limit, so a large or
    alias-bombed document costs at most ``max_nodes`` events."""
    loader = _Loader(text)
    anchored: dict[str, int] = {}  # anchor -> size of its (expanded) subtree
    open_: list[list[Any]] = []  # [size so far, anchor] of each open collection
    count = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                if any(anchor == event.anchor for _, anchor in open_):
                    raise LoadError(
                        Diagnostic(
                            Code.RESOURCE,
                            "the document is recursive: an alias refers to its own anchor",
                            file=file,
                            line=event.start_mark.line + 1,
                            column=event.start_mark.column + 1,
                            expected="a finite tree",
                            suggestion="replace the alias by a copy of the value",
                        )
                    )
                size = anchored.get(event.anchor, 1)  # undefined: the composer reports it
            elif isinstance(event, yaml.ScalarEvent):
                size = 1
                if event.anchor is not None:
                    anchored[event.anchor] = 1
            elif isinstance(event, yaml.CollectionStartEvent):
                count += 1
                if count > limits.max_nodes:
                    raise _too_many(count, limits, file, event.start_mark)
                open_.append([1, event.anchor])
                if len(open_) > limits.max_depth:
                    raise _too_deep(len(open_), limits, file, event.start_mark)
                continue
            elif isinstance(event, yaml.CollectionEndEvent):
                size, anchor = open_.pop()
                if anchor is not None:
                    anchored[anchor] = size
                if open_:
                    open_[-1][0] += size
                continue
            else:
                continue
            count += size
            if count > limits.max_nodes:
                raise _too_many(count, limits, file, event.start_mark)
            if open_:
                open_[-1][0] += size
    except yaml.YAMLError as e:
        raise _syntax_error(e, file) from e
    finally:
        loader.dispose()


def _compose(
    text: str, file: str | None, limits: Limits, *, construct: bool = True
) -> tuple[yaml.Node | None, Any]:
    """The node tree (for positions) and the data built from it (None when not
    ``construct``: positions only), with safe tags only."""
    _check_events(text, file, limits)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None and construct else None
        return node, data
    except NumberTooLong as e:
        raise LoadError(e.diagnostic(file)) from e
    except yaml.YAMLError as e:
        raise _syntax_error(e, file) from e
    except RecursionError as e:
        raise LoadError(Diagnostic(Code.SYNTAX, "document nesting is too deep", file=file)) from e
    finally:
        loader.dispose()


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _walk(node: yaml.Node, path: Loc, doc: Document, depth: int) -> None:
    if len(doc.values) > MAX_NODES or depth > 200:
        return
    doc.values.setdefault(path, _pos(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                continue
            if key in seen:
                line, col = _pos(key_node)
                first = seen[key]
                doc.diagnostics.append(
                    Diagnostic(
                        Code.DUPLICATE_KEY,
                        f"duplicate key {key!r} (first at line {first[0]}); "
                        "the later value would silently replace the first",
                        path=(*path, key),
                        file=doc.file,
                        line=line,
                        column=col,
                        suggestion="remove one of the two entries",
                    )
                )
            seen[key] = _pos(key_node)
            doc.keys.setdefault((*path, key), _pos(key_node))
            _walk(value_node, (*path, key), doc, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), doc, depth + 1)


#: A token's extent in a text: ``[start, end)`` character offsets.
Span = tuple[int, int]


@dataclass
class Spans:
    """Where every key token and value node of a text lies, by path (for in-place edits)."""

    keys: dict[Loc, Span] = field(default_factory=dict)
    values: dict[Loc, Span] = field(default_factory=dict)


def spans(text: str, *, file: str | None = None, limits: Limits | None = None) -> Spans:
    """The character spans of a YAML or JSON text's keys and values, within ``limits``.

    A value reached through several YAML aliases has one span under each of its paths. Raises
    :class:`LoadError` when the text is not YAML (a few JSON texts are not)."""
    node, _ = _compose(_positions_text(text), file, limits or Limits())  # merges resolved
    out = Spans()
    stack: list[tuple[yaml.Node, Loc]] = [(node, ())] if node is not None else []
    while stack:
        node, path = stack.pop()
        if len(path) > 200:
            continue
        out.values[path] = (node.start_mark.index, node.end_mark.index)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    key = (*path, key_node.value)
                    out.keys.setdefault(key, (key_node.start_mark.index, key_node.end_mark.index))
                    stack.append((value_node, key))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*path, i)) for i, item in enumerate(node.value))
    return out


def dumps(data: Any, format: Format = "yaml") -> str:
    """Serialize plain data (e.g. ``spec.to_data()``) as JSON or YAML text."""
    if format == "json":
        return json.dumps(data, indent=2) + "\n"
    return yaml.dump(data, Dumper=CoreDumper, sort_keys=False, default_flow_style=None, width=100)


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write a file so that readers see either the old content or the complete new one.

    When ``path`` is a symbolic link, its target is written (the link stays a link)."""
    import os
    import tempfile

    target = Path(os.path.realpath(path))  # a symlink: write its target, keep the link
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:  # mkstemp creates the file 0600: give it the target's mode (a rewrite keeps it)
        mode = target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            if hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), mode)
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
