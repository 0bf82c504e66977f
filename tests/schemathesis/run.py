"""Schemathesis against the server's own OpenAPI document: a fresh VINR server (the binary named
by VINR_BIN) on an empty SQLite database, every check, a fixed seed and a time budget
(VINR_SCHEMATHESIS_SECONDS, default 180). Exits with schemathesis's status: any failure fails
`make schemathesis` (and so `make test`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "sdks" / "python" / "tests"))
from conftest import start_server  # noqa: E402  (the SDK tests start servers the same way)

PORT = 3170


def main() -> int:
    bin_path = os.environ.get("VINR_BIN")
    if not bin_path:
        print("VINR_BIN must name the vinr binary (make schemathesis sets it)")
        return 1
    proc, base, key, data = start_server(bin_path, PORT)
    try:
        env = {
            **os.environ,
            "VINR_SECRET_KEY": key,
            "VINR_API_BASE": base,
            "SCHEMATHESIS_HOOKS": "hooks",
            "PYTHONPATH": str(HERE),
        }
        seconds = os.environ.get("VINR_SCHEMATHESIS_SECONDS", "180")
        cmd = [
            str(Path(sys.executable).parent / "schemathesis"),
            "--config-file", str(HERE / "schemathesis.toml"),
            "run", f"{base}/v1/openapi.json",
            "--checks", "all",
            "--seed", "1",
            "--max-time", seconds,
            # No example database: a run depends on the seed alone, not on earlier runs here.
            "--generation-database", "none",
            # Anything after run.py's own name goes to schemathesis (e.g. --include-name 'POST /v1/prices').
            *sys.argv[1:],
        ]
        return subprocess.run(cmd, env=env).returncode
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
