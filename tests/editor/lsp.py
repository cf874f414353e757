"""A small stdio Language Server Protocol client, enough to drive yaml-language-server.

JSON-RPC 2.0 messages framed by ``Content-Length`` headers. A reader thread files responses by
id and ``textDocument/publishDiagnostics`` notifications by document URI; requests from the
server (configuration, capability registration, progress) get an empty answer so that it never
waits on us. Every wait has a timeout.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any


class LspError(RuntimeError):
    """The server died, answered with an error, or did not answer in time."""


class LspClient:
    def __init__(self, command: list[str], root: Path, *, timeout: float = 20.0):
        self.timeout = timeout
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._next_id = 0
        self._responses: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._diagnostics: dict[str, queue.Queue[list[dict[str, Any]]]] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._versions: dict[str, int] = {}
        threading.Thread(target=self._read_loop, daemon=True).start()
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root.as_uri(),
                "capabilities": {
                    "textDocument": {
                        "completion": {"completionItem": {"snippetSupport": True}},
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                        "publishDiagnostics": {"relatedInformation": False},
                    },
                },
            },
        )
        self.notify("initialized", {})
        settings = {"yaml": {"validate": True, "hover": True, "completion": True}}
        self.notify("workspace/didChangeConfiguration", {"settings": settings})

    # -- transport --------------------------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        with self._write_lock:
            assert self.proc.stdin is not None
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def _read_message(self) -> dict[str, Any] | None:
        stream = self.proc.stdout
        assert stream is not None
        length = None
        while True:
            line = stream.readline()
            if not line:
                return None
            line = line.strip()
            if not line:
                break
            key, _, value = line.decode("ascii").partition(":")
            if key.lower() == "content-length":
                length = int(value)
        if length is None:
            return None
        return json.loads(stream.read(length))

    def _read_loop(self) -> None:
        while (message := self._read_message()) is not None:
            if "id" in message and "method" in message:  # a request from the server
                self._send({"id": message["id"], "result": None})
            elif "id" in message:
                self._queue(self._responses, message["id"]).put(message)
            elif message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                self._queue(self._diagnostics, params["uri"]).put(params["diagnostics"])

    def _queue(self, table: dict, key: Any) -> queue.Queue:
        with self._lock:
            return table.setdefault(key, queue.Queue())

    def _wait(self, q: queue.Queue, what: str) -> Any:
        try:
            return q.get(timeout=self.timeout)
        except queue.Empty:
            alive = self.proc.poll() is None
            raise LspError(
                f"no {what} within {self.timeout} s (server {'running' if alive else 'exited'})"
            ) from None

    def request(self, method: str, params: dict[str, Any]) -> Any:
        with self._lock:
            self._next_id += 1
            ident = self._next_id
        q = self._queue(self._responses, ident)
        self._send({"id": ident, "method": method, "params": params})
        answer = self._wait(q, f"answer to {method}")
        if "error" in answer:
            raise LspError(f"{method}: {answer['error']}")
        return answer.get("result")

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    # -- documents --------------------------------------------------------------------------

    def open(self, uri: str, text: str) -> list[dict[str, Any]]:
        """Open (or reopen with new text) a YAML document; returns its diagnostics."""
        q = self._queue(self._diagnostics, uri)
        while not q.empty():
            q.get_nowait()
        if uri in self._versions:
            self._versions[uri] += 1
            self.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": self._versions[uri]},
                    "contentChanges": [{"text": text}],
                },
            )
        else:
            self._versions[uri] = 1
            item = {"uri": uri, "languageId": "yaml", "version": 1, "text": text}
            self.notify("textDocument/didOpen", {"textDocument": item})
        return self._wait(q, f"diagnostics for {uri}")

    def completion(self, uri: str, line: int, character: int) -> list[dict[str, Any]]:
        result = self.request(
            "textDocument/completion",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
        )
        if isinstance(result, dict):
            return result.get("items", [])
        return result or []

    def hover(self, uri: str, line: int, character: int) -> str:
        result = self.request(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
        )
        if not result:
            return ""
        contents = result["contents"]
        if isinstance(contents, dict):
            return contents.get("value", "")
        if isinstance(contents, list):
            return "\n".join(c if isinstance(c, str) else c.get("value", "") for c in contents)
        return str(contents)

    def close(self) -> None:
        try:
            self.request("shutdown", {})
            self.notify("exit", {})
            self.proc.wait(timeout=5)
        except (LspError, OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait(timeout=5)
