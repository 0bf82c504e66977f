"""Runs the guides' merchant code (snippets.py) against a VINR server, each in its own language
with the SDK of this checkout, and checks what it made.

    python3 sdks/snippets/run.py            check the extracted text against the seeds (when
                                            they are reachable), then run every snippet
    python3 sdks/snippets/run.py --extract  rewrite extracted/ from the seeds

The server is the binary named by VINR_BIN, started on a fresh SQLite database. Python snippets
run with this interpreter (the SDK installed in it), Ruby ones with `ruby -I sdks/ruby/lib`
(or the installed gem when VINR_RUBY_INSTALLED is set), TypeScript ones compiled with the
TypeScript SDK's own tsc against its build (sdks/typescript/dist, made by its `npm test`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import vinr

HERE = Path(__file__).resolve().parent
SDKS = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(SDKS / "python" / "tests"))
from conftest import start_server  # noqa: E402  (the Python SDK's tests start servers the same way)
from snippets import SNIPPETS, Snippet  # noqa: E402

SEEDS = Path(os.environ.get("VINR_SEEDS_DIR", SDKS.parent.parent / "shared" / "seeds"))
EXTRACTED = HERE / "extracted"
EXT = {"ts": "ts", "python": "py", "ruby": "rb", "sh": "sh"}
# The guides' curl lines name the hosted API; run here against the server under test.
GUIDE_BASE = "https://api.vinr.com"
PORT = 3160
# The guides' example ids, and which object made for the snippet stands for each.
EXAMPLE_IDS = {
    "pay_3Nx8a2Lk": "payment",
    "cust_8aZ2": "customer",
    "cust_8fa2": "customer",
    "prod_starter": "product",
    "pm_tokenized_from_your_client": "payment_method",
}
CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123"}


def seed_text(s: Snippet) -> str:
    lines = (SEEDS / s.seed).read_text().split("\n")
    return "\n".join("\n".join(lines[a - 1 : b]) for a, b in s.lines) + "\n"


def extracted_path(s: Snippet) -> Path:
    return EXTRACTED / f"{s.id}.{EXT[s.lang]}"


def source_text(s: Snippet) -> str:
    """The snippet's text: as extracted from its seed, or its README's example block."""
    if not s.readme:
        return extracted_path(s).read_text()
    section = (SDKS / s.readme).read_text().split("## Every resource, one example each", 1)[-1]
    found = re.search(r"```\w+\n(.*?)```", section, re.S)
    if not found:
        raise RuntimeError(f"{s.readme} has no example block under 'Every resource, one example each'")
    return found.group(1)


def check_extraction(write: bool) -> list[str]:
    if not SEEDS.is_dir():
        print(f"note: the seeds are not at {SEEDS}; running the committed extracts as they are")
        return []
    problems = []
    for s in SNIPPETS:
        if s.readme:
            continue
        text = seed_text(s)
        path = extracted_path(s)
        if write:
            EXTRACTED.mkdir(exist_ok=True)
            path.write_text(text)
        elif not path.exists() or path.read_text() != text:
            problems.append(f"{path.name} is not the seed's text at {s.seed} lines {s.lines} (run with --extract)")
    return problems


# The server, a webhook receiver, and the objects each snippet needs.


class Hooks:
    """A local webhook receiver: every delivery's body and headers."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str]]] = []
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"])).decode()
                hooks.received.append((body, {k.lower(): v for k, v in self.headers.items()}))
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def wait_for(self, kind: str, object_id: str, timeout: float = 30) -> tuple[str, str]:
        """The delivery of the ``kind`` event about ``object_id``: its body and x-vinr-signature."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for body, headers in self.received:
                event = json.loads(body)
                obj = event.get("data", {}).get("object", {})
                if event.get("type") == kind and object_id in (obj.get("id"), obj.get("customer")):
                    return body, headers["x-vinr-signature"]
            time.sleep(0.05)
        raise RuntimeError(f"no {kind} delivery for {object_id} within {timeout} s")


class Fixtures:
    """Objects a snippet needs, made through the Python SDK; each returns the names a snippet's
    text and check may use."""

    def __init__(self, client: vinr.VinrClient, hooks: Hooks) -> None:
        self.c = client
        self.hooks = hooks

    def customer(self) -> dict:
        return {"customer": self.c.customers.create(email=f"{uuid.uuid4().hex[:8]}@example.com").id}

    def payment(self) -> dict:
        return {"payment": self.c.payments.create(amount=5000, currency="EUR", payment_method="pm_card_visa").id}

    def manual_payment(self) -> dict:
        p = self.c.payments.create(amount=5000, currency="EUR", payment_method="pm_card_visa", capture_method="manual")
        return {"payment": p.id}

    def customer_payment(self) -> dict:
        ctx = self.customer()
        ctx["payment"] = self.c.payments.create(
            amount=5000, currency="EUR", payment_method="pm_card_visa", customer=ctx["customer"]
        ).id
        return ctx

    def routed(self) -> dict:
        return {}

    def challenged_payment(self) -> dict:
        p = self.c.payments.create(amount=5000, currency="EUR", payment_method="pm_card_threeDSecure2Required")
        assert p.status == "requires_action", p.status
        return {"payment": p.id}

    def card(self, customer: str | None = None) -> str:
        pm = self.c.payment_methods.create(type="card", card=CARD).id
        if customer:
            self.c.payment_methods.attach(pm, customer=customer)
        return pm

    def tokenized_card(self) -> dict:
        return {"payment_method": self.card()}

    def billing_customer(self) -> dict:
        """A customer whose default payment method is a saved card (the guide: "charges the
        customer's default payment method"), and a product."""
        ctx = self.customer()
        ctx["payment_method"] = self.card(ctx["customer"])
        self.c.customers.update(ctx["customer"], default_payment_method=ctx["payment_method"])
        ctx["product"] = self.c.products.create(name="Starter").id
        return ctx

    def delivery(self, kind: str, object_id: str) -> dict:
        body, signature = self.hooks.wait_for(kind, object_id)
        return {"body": json.dumps(body), "signature": json.dumps(signature)}

    def payment_completed_delivery(self) -> dict:
        ctx = self.customer()
        ctx["order_id"] = f"order-{uuid.uuid4().hex[:8]}"
        ctx["payment"] = self.c.payments.create(
            amount=4999,
            currency="EUR",
            payment_method="pm_card_visa",
            customer=ctx["customer"],
            metadata={"orderId": ctx["order_id"]},
        ).id
        return {**ctx, **self.delivery("payment.completed", ctx["payment"])}

    def invoice_paid_delivery(self) -> dict:
        ctx = self.billing_customer()
        price = self.c.prices.create(product=ctx["product"], amount=2900, currency="EUR", recurring={"interval": "month"})
        self.c.subscriptions.create(customer=ctx["customer"], price=price.id)
        return {**ctx, **self.delivery("invoice.paid", ctx["customer"])}


# Programs: prelude + the snippet's text (example ids replaced) + an epilogue that prints the result.


def fill(template: str, ctx: dict) -> str:
    """``{name}`` replaced by the fixture's value where the fixture has ``name``; other braces
    (code's own) untouched."""
    return re.sub(r"\{(\w+)\}", lambda m: str(ctx[m.group(1)]) if m.group(1) in ctx else m.group(0), template)


def with_ids(text: str, ctx: dict) -> str:
    for example, name in EXAMPLE_IDS.items():
        if name in ctx:
            text = text.replace(example, ctx[name])
    return text


def program(s: Snippet, text: str, ctx: dict) -> str:
    body = with_ids(text, ctx)
    prelude = fill(s.prelude, ctx)
    result = fill(s.result, ctx)
    if s.lang == "python":
        return f"{prelude}{body}\nimport json as _json\nprint(_json.dumps({result}))\n"
    if s.lang == "ruby":
        return f'require "vinr"\nrequire "json"\n{prelude}{body}\nputs JSON.generate({result})\n'
    if s.lang == "sh":
        # What curl prints is the answer; the newline ends it for the reader below.
        return f"{prelude}{body.replace(GUIDE_BASE, '$VINR_API_BASE')}\necho\n"
    if "new Vinr(" not in body:
        prelude = "import { Vinr } from '@vinr/sdk';\nconst vinr = new Vinr({ secretKey: process.env.VINR_SECRET_KEY });\n" + prelude
    if s.as_function:
        imports = [line for line in body.split("\n") if line.startswith("import ")]
        rest = [line for line in body.split("\n") if not line.startswith("import ")]
        body = "\n".join(imports) + "\nasync function snippet() {\n" + "\n".join(rest) + "\n}\nconst out = await snippet();\n"
    return f"{prelude}{body}\nconsole.log('\\n' + JSON.stringify({result}));\nexport {{}};\n"


def compile_typescript(build: Path, files: dict[str, str]) -> dict[str, set[str]]:
    """Writes and compiles the TypeScript programs; the error codes tsc reported, by snippet."""
    ts = SDKS / "typescript"
    (build / "node_modules" / "@vinr").mkdir(parents=True, exist_ok=True)
    link = build / "node_modules" / "@vinr" / "sdk"
    if not link.exists():
        link.symlink_to(ts)
    (build / "package.json").write_text('{"type": "module"}\n')
    (build / "tsconfig.json").write_text(
        json.dumps(
            {
                "compilerOptions": {
                    "target": "es2022",
                    "module": "nodenext",
                    "moduleResolution": "nodenext",
                    "strict": True,
                    "skipLibCheck": True,
                    "noEmitOnError": False,
                    "types": ["node"],
                    "typeRoots": [str(ts / "node_modules" / "@types")],
                    "outDir": "out",
                },
                "include": ["*.ts"],
            }
        )
    )
    for name, text in files.items():
        (build / f"{name}.ts").write_text(text)
    done = subprocess.run([str(ts / "node_modules" / ".bin" / "tsc"), "-p", str(build)], capture_output=True, text=True)
    errors: dict[str, set[str]] = {}
    for m in re.finditer(r"^(?:\S*/)?([^/\s]+)\.ts\(\d+,\d+\): error (TS\d+):", done.stdout, re.M):
        errors.setdefault(m.group(1), set()).add(m.group(2))
    if done.returncode not in (0, 2) or (done.returncode == 2 and not errors):
        raise RuntimeError(f"tsc failed:\n{done.stdout}{done.stderr}")
    if errors:
        print(done.stdout.rstrip())
    return errors


def run(s: Snippet, build: Path, env: dict) -> tuple[Any, str]:
    if s.lang == "python":
        path = build / f"{s.id}.py"
        cmd = [sys.executable, str(path)]
    elif s.lang == "ruby":
        path = build / f"{s.id}.rb"
        lib = [] if os.environ.get("VINR_RUBY_INSTALLED") else ["-I", str(SDKS / "ruby" / "lib")]
        cmd = ["ruby", *lib, str(path)]
    elif s.lang == "sh":
        cmd = ["bash", str(build / f"{s.id}.sh")]
    else:
        cmd = ["node", str(build / "out" / f"{s.id}.js")]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    lines = [line for line in done.stdout.split("\n") if line.strip()]
    if done.returncode != 0 or not lines:
        return None, f"exit {done.returncode}: {(done.stderr or done.stdout).strip()[-800:]}"
    try:
        return json.loads(lines[-1]), ""
    except ValueError:
        return None, f"the last line printed is not JSON: {lines[-1][:200]}"


def main() -> int:
    problems = check_extraction("--extract" in sys.argv)
    if "--extract" in sys.argv:
        print(f"wrote {len(SNIPPETS)} snippets to {EXTRACTED}")
        return 0
    for p in problems:
        print(f"FAIL {p}")
    bin_path = os.environ.get("VINR_BIN")
    if not bin_path:
        print("VINR_BIN must name the vinr binary (make sdk-snippets sets it)")
        return 1
    proc, base, key, data = start_server(bin_path, PORT)
    build = Path(tempfile.mkdtemp(prefix="vinr-snippets-build-"))
    failures = len(problems)
    try:
        hooks = Hooks()
        client = vinr.VinrClient(key, api_base=base)
        endpoint = client.webhook_endpoints.create(url=hooks.url)
        env = {**os.environ, "VINR_SECRET_KEY": key, "VINR_API_BASE": base, "VINR_WEBHOOK_SECRET": endpoint.secret}
        fixtures = Fixtures(client, hooks)
        contexts = {}
        ts_files = {}
        for s in SNIPPETS:
            ctx = {"order_id": f"order-{uuid.uuid4().hex[:8]}"}
            if s.fixture:
                ctx.update(getattr(fixtures, s.fixture)())
            contexts[s.id] = ctx
            text = program(s, source_text(s), ctx)
            if s.lang == "ts":
                ts_files[s.id] = text
            else:
                (build / f"{s.id}.{EXT[s.lang]}").write_text(text)
        type_errors = compile_typescript(build, ts_files)
        for s in SNIPPETS:
            start = time.monotonic()
            result, error = run(s, build, env)
            problem = error or s.check(result, contexts[s.id])
            if s.lang == "ts":
                found, known = type_errors.get(s.id, set()), set(s.known_type_errors)
                if found != known:
                    problem = problem or f"tsc reported {sorted(found) or 'nothing'}, expected {sorted(known) or 'nothing'}"
            took = time.monotonic() - start
            if problem:
                failures += 1
                where = s.readme or f"{s.seed} lines {s.lines}"
                print(f"FAIL {s.id} ({where}, {took:.1f} s): {problem}")
            else:
                notes = "".join(f"; known: {why}" for why in s.known_type_errors.values())
                print(f"ok   {s.id} ({took:.1f} s){notes}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(build, ignore_errors=True)
    print(f"{len(SNIPPETS) - failures} of {len(SNIPPETS)} snippets ran and did what their guide says")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
