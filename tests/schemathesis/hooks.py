"""Schemathesis hooks for VINR's API (loaded through SCHEMATHESIS_HOOKS by run.py).

Every POST goes through the idempotency layer, which answers 422 when a key comes back with
other parameters: right for a client that reuses a key, and not what a generated request means.
Each call whose generated Idempotency-Key is valid is sent with a fresh one; invalid keys are
sent as generated, so the server's 400 for them is still tested.
"""

import re
import uuid

import schemathesis

# The document's pattern for the header (src/server/api/layers_doc.rs).
KEY = re.compile(r"^[!-~]([ -~]*[!-~])?$")


@schemathesis.hook
def before_call(ctx, case, kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and isinstance(headers[name], str):
            if KEY.match(headers[name]) and len(headers[name]) <= 255:
                headers[name] = f"st-{uuid.uuid4()}"
