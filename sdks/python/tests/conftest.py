"""A local stub server for the runtime's tests: it answers from a script of responses and
records what it was sent."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

import pytest

import vinr

# Under make, the SDK as installed (pip install ./sdks/python), not this folder's copy.
if os.environ.get("VINR_PYTHON_INSTALLED") and "site-packages" not in vinr.__file__:
    raise RuntimeError(f"VINR_PYTHON_INSTALLED is set but vinr was imported from {vinr.__file__}")


def answer(status: int, body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {"status": status, "body": json.dumps(body).encode(), "headers": {"x-request-id": "req_123", **(headers or {})}}


# A response that never comes (the client's timeout is what ends the request).
SILENT = {"silent": True}


class Stub:
    def __init__(self, script: list[dict[str, Any]]) -> None:
        self.script = list(script)
        self.seen: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def handle_any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                stub.seen.append({"method": self.command, "url": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                reply = stub.script[min(len(stub.seen), len(stub.script)) - 1]
                if reply.get("silent"):
                    time.sleep(1.0)
                    return
                self.send_response(reply["status"])
                for k, v in reply["headers"].items():
                    self.send_header(k, v)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(reply["body"])))
                self.end_headers()
                self.wfile.write(reply["body"])

            do_GET = do_POST = do_DELETE = handle_any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub() -> Any:
    made: list[Stub] = []

    def make(script: list[dict[str, Any]]) -> Stub:
        s = Stub(script)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


StubFactory = Callable[[list[dict[str, Any]]], Stub]


# A real server, for the tests that need one: the vinr binary named by VINR_BIN (make
# sdk-python builds it and sets it).
BIN = os.environ.get("VINR_BIN")
if not BIN and os.environ.get("CI"):
    raise RuntimeError("VINR_BIN must name the vinr binary under CI")
needs_server = pytest.mark.skipif(not BIN, reason="VINR_BIN is not set (make sdk-python sets it)")

PORT = 3140


def start_server(bin_path: str, port: int) -> tuple[subprocess.Popen, str, str, str]:
    """The vinr binary serving on ``port`` (its demo shop on the next one) from a fresh SQLite
    database: the process, its base URL, its secret key and its data folder. (Also used by
    sdks/snippets/run.py.)"""
    data = tempfile.mkdtemp(prefix="vinr-sdk-py-")
    env = {
        **os.environ,
        "VINR_ADDR": f"127.0.0.1:{port}",
        "VINR_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "VINR_DATA_DIR": data,
        "VINR_DATABASE_URL": "",
        "VINR_SECRET": "",
        "VINR_SANDBOX_LATENCY_MS": "0",
        "VINR_DEMO_SHOP_ADDR": f"127.0.0.1:{port + 1}",
        "RUST_LOG": "warn",
    }
    proc = subprocess.Popen([bin_path, "serve"], env=env, stdout=subprocess.PIPE, text=True)
    output = ""
    deadline = time.monotonic() + 60
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        output += line
        key = re.search(r"Secret key:\s+(\S+)", output)
        if key and re.search(r"Publishable key:.*\n", output):
            # Keep reading what it prints, so a full pipe never blocks the server.
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
            return proc, f"http://127.0.0.1:{port}", key.group(1), data
    proc.kill()
    raise RuntimeError(f"the server did not start:\n{output}")


@pytest.fixture(scope="session")
def server() -> Any:
    """One server for the session's live tests: its base URL and secret key."""
    assert BIN
    proc, base, key, data = start_server(BIN, PORT)
    yield base, key
    proc.terminate()
    proc.wait(timeout=30)
    shutil.rmtree(data, ignore_errors=True)
