"""Schemathesis hooks for VINR's API (loaded through SCHEMATHESIS_HOOKS by run.py).

Three things the document states but cannot make a generator produce:

- **Fresh idempotency keys.** Every POST goes through the idempotency layer, which answers 422
  when a key comes back with other parameters: right for a client that reuses a key, not what a
  generated request means. Each call whose generated Idempotency-Key is valid is sent with a
  fresh one; invalid keys are sent as generated, so the server's 400 for them is still tested.
- **Card numbers** (`format: card-number`): digits passing the Luhn check.
- **Objects that exist, and times relative to now.** A valid request names a customer, a price
  or a payment in the state the operation acts on, and a card expiry or a session's end after
  today. For the cases schemathesis generates as valid (coverage and fuzzing phases; the
  stateful phase follows the document's links), most ids and such times are replaced with ones
  made here through the API, fresh where the operation consumes its object. Invalid cases are
  sent as generated.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import strategies as st

# The document's pattern for the header (src/server/api/layers_doc.rs).
KEY = re.compile(r"^[!-~]([ -~]*[!-~])?$")
API = os.environ.get("VINR_API_BASE", "")
SECRET = os.environ.get("VINR_SECRET_KEY", "")
# A share of valid cases keeps its generated ids, so unknown ids (404) are still sent.
REAL_ID_SHARE = 0.8
RNG = random.Random(1)


def luhn_complete(payload: str) -> str:
    """`payload` with the check digit that makes it pass the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return payload + str((10 - total % 10) % 10)


schemathesis.openapi.format(
    "card-number",
    st.integers(min_value=11, max_value=18)
    .flatmap(lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n))
    .map(luhn_complete),
)


# --- objects made through the API -------------------------------------------------------------


def api(method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        API + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {SECRET}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as err:
        raise RuntimeError(f"fixture {method} {path}: {err.code} {err.read()[:300]!r}") from None


CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123"}
SHARED: dict[str, Any] = {}


def shared(name: str) -> Any:
    """One object of a kind, made on first use."""
    if name not in SHARED:
        SHARED[name] = MAKERS[name]()
    return SHARED[name]


def saved_card(customer: str, number: str = "4242424242424242") -> str:
    pm = api("POST", "/v1/payment_methods", {"type": "card", "card": CARD | {"number": number}})["id"]
    api("POST", f"/v1/payment_methods/{pm}/attach", {"customer": customer})
    return pm


def make_customer() -> dict[str, str]:
    cust = api("POST", "/v1/customers", {"name": "Schemathesis", "email": "st@example.com"})["id"]
    pm = saved_card(cust)
    api("POST", f"/v1/customers/{cust}", {"default_payment_method": pm})
    return {"id": cust, "card": pm}


def make_price(usage: str) -> str:
    recurring = {"interval": "month", "usage_type": usage}
    body = {"product": shared("product"), "unit_amount": 100, "currency": "EUR", "recurring": recurring}
    return api("POST", "/v1/prices", body)["id"]


def make_subscription() -> dict[str, Any]:
    items = [{"price": shared("licensed_price")}, {"price": shared("metered_price")}]
    return api("POST", "/v1/subscriptions", {"customer": customer(), "items": items})


def customer() -> str:
    return shared("customer")["id"]


def metered_item() -> str:
    items = shared("subscription")["items"]["data"]
    price = shared("metered_price")
    return next(i["id"] for i in items if price in (i["price"], i["price"].get("id")))


def payment(state: str, customer: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"amount": 5000, "currency": "EUR"}
    if customer:
        body["customer"] = customer
    if state == "requires_capture":
        body |= {"payment_method": "pm_card_visa", "confirm": True, "capture_method": "manual"}
    elif state == "succeeded":
        body |= {"payment_method": "pm_card_visa", "confirm": True}
    elif state == "requires_confirmation":
        body |= {"payment_method": "pm_card_visa", "confirm": False}
    return api("POST", "/v1/payments", body)


def make_points_customer() -> str:
    cust = customer()
    api("POST", "/v1/loyalty/points/adjust", {"customer": cust, "points": 1_000_000, "reason": "schemathesis"})
    return cust


def make_redemption() -> str:
    pay = payment("requires_payment_method", shared("points_customer"))
    body = {"customer": shared("points_customer"), "reward": shared("reward"), "payment": pay["id"]}
    return api("POST", "/v1/loyalty/redemptions", body)["id"]


def make_open_invoice() -> str:
    """The first invoice of a subscription whose card is declined: open, awaiting payment. The
    customer also has a card that pays (`INVOICE_CARDS`)."""
    cust = api("POST", "/v1/customers", {"name": "Declined"})["id"]
    declined = saved_card(cust, "4000000000000002")
    body = {"customer": cust, "price": shared("licensed_price"), "default_payment_method": declined}
    sub = api("POST", "/v1/subscriptions", body)
    invoice = sub["latest_invoice"]
    invoice = invoice if isinstance(invoice, str) else invoice["id"]
    # From now on the subscription's default card pays, so does a pay without payment_method.
    INVOICE_CARDS[invoice] = saved_card(cust)
    api("POST", f"/v1/subscriptions/{sub['id']}", {"default_payment_method": INVOICE_CARDS[invoice]})
    return invoice


INVOICE_CARDS: dict[str, str] = {}


def make_event() -> str:
    shared("endpoint")
    payment("succeeded")
    return api("GET", "/v1/events?limit=1")["data"][0]["id"]


MAKERS: dict[str, Callable[[], Any]] = {
    "customer": make_customer,
    "editable_customer": lambda: make_customer()["id"],
    "editable_product": lambda: api("POST", "/v1/products", {"name": "Editable"})["id"],
    "editable_price": lambda: make_price("licensed"),
    "editable_reward": lambda: api("POST", "/v1/loyalty/rewards", {"name": "Editable", "cost_points": 5, "discount_percent": 5})["id"],
    "editable_endpoint": lambda: api("POST", "/v1/webhook_endpoints", {"url": "http://127.0.0.1:9/edit"})["id"],
    "editable_subscription": lambda: make_subscription()["id"],
    "product": lambda: api("POST", "/v1/products", {"name": "Schemathesis"})["id"],
    "licensed_price": lambda: make_price("licensed"),
    "metered_price": lambda: make_price("metered"),
    "subscription": make_subscription,
    "points_customer": make_points_customer,
    "reward": lambda: api("POST", "/v1/loyalty/rewards", {"name": "Ten off", "cost_points": 10, "discount_percent": 10})["id"],
    "loyalty_account": lambda: api("GET", f"/v1/loyalty/accounts?customer={shared('points_customer')}")["data"][0]["id"],
    "ptx": lambda: api("GET", f"/v1/loyalty/points/transactions?customer={shared('points_customer')}")["data"][0]["id"],
    "payment": lambda: payment("succeeded", customer())["id"],
    "refund": lambda: api("POST", "/v1/refunds", {"payment": payment("succeeded")["id"], "amount": 100})["id"],
    "payment_method": lambda: api("POST", "/v1/payment_methods", {"type": "card", "card": CARD})["id"],
    "endpoint": lambda: api("POST", "/v1/webhook_endpoints", {"url": "http://127.0.0.1:9/hook"})["id"],
    "event": make_event,
    "clock": lambda: api("POST", "/v1/test_clocks", {"frozen_time": 1_700_000_000})["id"],
    "session": lambda: api("POST", "/v1/checkout/sessions", {"order": {"amount": 1000}})["id"],
    "account": lambda: api("POST", "/v1/accounts", {"business_name": "Schemathesis shop"})["id"],
    "invoice": make_open_invoice,
    "redemption": make_redemption,
}

# The `{id}` (or `{reference}`) of each operation: an existing object (shared), or one made for
# the call where the operation uses it up (a capture, a delete, an advance of a clock).
PATH_IDS: dict[str, Callable[[], str]] = {
    "GET /v1/accounts/{id}": lambda: shared("account"),
    "GET /v1/checkout/sessions/{id}": lambda: shared("session"),
    "GET /v1/checkout/{reference}": lambda: shared("payment"),
    "GET /v1/customers/{id}": lambda: customer(),
    "POST /v1/customers/{id}": lambda: shared("editable_customer"),
    "DELETE /v1/customers/{id}": lambda: api("POST", "/v1/customers", {"name": "Gone"})["id"],
    "GET /v1/events/{id}": lambda: shared("event"),
    "GET /v1/events/{id}/deliveries": lambda: shared("event"),
    "POST /v1/events/{id}/resend": lambda: shared("event"),
    "GET /v1/invoices/{id}": lambda: shared("invoice"),
    "POST /v1/invoices/{id}/mark_uncollectible": make_open_invoice,
    "POST /v1/invoices/{id}/pay": make_open_invoice,
    "POST /v1/invoices/{id}/void": make_open_invoice,
    "GET /v1/loyalty/accounts/{id}": lambda: shared("loyalty_account"),
    "GET /v1/loyalty/points/transactions/{id}": lambda: shared("ptx"),
    "GET /v1/loyalty/programs/{id}": lambda: "prog_default",
    "POST /v1/loyalty/programs/{id}": lambda: "prog_default",
    "GET /v1/loyalty/redemptions/{id}": lambda: shared("redemption"),
    "POST /v1/loyalty/redemptions/{id}/cancel": make_redemption,
    "GET /v1/loyalty/rewards/{id}": lambda: shared("reward"),
    "POST /v1/loyalty/rewards/{id}": lambda: shared("editable_reward"),
    "GET /v1/payment_methods/{id}": lambda: shared("payment_method"),
    "POST /v1/payment_methods/{id}/attach": MAKERS["payment_method"],
    "GET /v1/payments/{id}": lambda: shared("payment"),
    "GET /v1/payments/{id}/receipt": lambda: shared("payment"),
    "POST /v1/payments/{id}/adjust": lambda: payment("requires_capture")["id"],
    "POST /v1/payments/{id}/cancel": lambda: payment("requires_capture")["id"],
    "POST /v1/payments/{id}/capture": lambda: payment("requires_capture")["id"],
    "POST /v1/payments/{id}/reverse": lambda: payment("requires_capture")["id"],
    "POST /v1/payments/{id}/refunds": lambda: payment("succeeded")["id"],
    "GET /v1/prices/{id}": lambda: shared("licensed_price"),
    "POST /v1/prices/{id}": lambda: shared("editable_price"),
    "GET /v1/products/{id}": lambda: shared("product"),
    "POST /v1/products/{id}": lambda: shared("editable_product"),
    "GET /v1/refunds/{id}": lambda: shared("refund"),
    "GET /v1/subscriptions/{id}": lambda: shared("subscription")["id"],
    "POST /v1/subscriptions/{id}": lambda: shared("editable_subscription"),
    "DELETE /v1/subscriptions/{id}": lambda: make_subscription()["id"],
    "GET /v1/test_clocks/{id}": lambda: shared("clock"),
    "DELETE /v1/test_clocks/{id}": MAKERS["clock"],
    "POST /v1/test_clocks/{id}/advance": MAKERS["clock"],
    "GET /v1/webhook_endpoints/{id}": lambda: shared("endpoint"),
    "POST /v1/webhook_endpoints/{id}": lambda: shared("editable_endpoint"),
    "DELETE /v1/webhook_endpoints/{id}": MAKERS["endpoint"],
    "GET /v1/webhook_endpoints/{id}/deliveries": lambda: shared("endpoint"),
    "POST /v1/webhook_endpoints/{id}/rotate_secret": lambda: shared("editable_endpoint"),
}

# Fields of a body that name other objects: replaced where present.
BODY_IDS: dict[str, dict[str, Callable[[], str]]] = {
    "POST /v1/loyalty/points/earn": {
        "customer": lambda: customer(),
        "program": lambda: "prog_default",
        "source_payment": lambda: payment("succeeded", customer())["id"],
    },
    "POST /v1/loyalty/points/adjust": {"customer": lambda: customer(), "program": lambda: "prog_default"},
    "POST /v1/loyalty/points/calculate": {"program": lambda: "prog_default"},
    "POST /v1/loyalty/rewards": {"program": lambda: "prog_default"},
    "POST /v1/loyalty/redemptions": {
        "customer": lambda: shared("points_customer"),
        "reward": lambda: shared("reward"),
        "program": lambda: "prog_default",
        "payment": lambda: payment("requires_payment_method", shared("points_customer"))["id"],
    },
    "POST /v1/prices": {"product": lambda: shared("product")},
    "POST /v1/subscriptions": {
        "customer": customer,
        "price": lambda: shared("licensed_price"),
        "default_payment_method": lambda: shared("customer")["card"],
    },
    "POST /v1/usage_records": {
        "subscription_item": metered_item,
        "subscription": lambda: shared("subscription")["id"],
        "price": lambda: shared("metered_price"),
    },
    "POST /v1/refunds": {"payment": lambda: payment("succeeded")["id"]},
    "POST /v1/payment_methods/{id}/attach": {"customer": lambda: customer()},
}


def now() -> int:
    return int(time.time())


def fix_times(label: str, body: Any) -> None:
    """Times the document can only describe, being relative to today: set inside their window."""
    if not isinstance(body, dict):
        return
    card = body.get("card")
    if label == "POST /v1/payment_methods" and isinstance(card, dict) and "exp_year" in card:
        year = datetime.date.today().year
        if not isinstance(card["exp_year"], int) or not year < card["exp_year"] <= year + 50:
            card["exp_year"] = year + 1 + RNG.randrange(40)
    if label == "POST /v1/checkout/sessions" and body.get("expires_at") is not None:
        body["expires_at"] = now() + 3600 + RNG.randrange(86_400 * 20)
    if label == "POST /v1/usage_records" and body.get("timestamp") is not None:
        body["timestamp"] = now()


@schemathesis.hook
def before_call(ctx, case, kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and isinstance(headers[name], str):
            if KEY.match(headers[name]) and len(headers[name]) <= 255:
                headers[name] = f"st-{uuid.uuid4()}"
    meta = case.meta
    if meta is None or meta.generation.mode.value != "positive" or meta.phase.name.value == "stateful":
        return
    label = case.operation.label
    fix_times(label, case.body)
    # A connection id must be new: one generated twice is a 409, so most get a fresh one.
    if label == "POST /v1/acquirer_connections" and isinstance(case.body, dict) and case.body.get("id"):
        if RNG.random() < REAL_ID_SHARE:
            case.body["id"] = f"acq_st{uuid.uuid4().hex[:12]}"
    if RNG.random() >= REAL_ID_SHARE:
        return
    try:
        name_real_objects(case, label)
    except RuntimeError:
        # Schemathesis reuses the ids it sees in answers, so its other cases may have changed
        # or deleted a shared object (a price made inactive): make them all afresh, once.
        SHARED.clear()
        name_real_objects(case, label)


def name_real_objects(case, label: str) -> None:
    make = PATH_IDS.get(label)
    if make is not None and case.path_parameters:
        for name in case.path_parameters:
            case.path_parameters[name] = make()
    if isinstance(case.body, dict):
        for field, make_ref in BODY_IDS.get(label, {}).items():
            if case.body.get(field) is not None:
                case.body[field] = make_ref()
    if isinstance(case.body, dict) and label == "POST /v1/subscriptions":
        for item in case.body.get("items") or []:
            if isinstance(item, dict) and item.get("price") is not None:
                item["price"] = shared("licensed_price")
    if label == "GET /v1/invoices/upcoming" and case.query:
        for name, make_ref in (("subscription", lambda: shared("subscription")["id"]), ("customer", customer)):
            if case.query.get(name) is not None:
                case.query[name] = make_ref()
    if label == "POST /v1/invoices/{id}/pay" and isinstance(case.body, dict):
        if case.body.get("payment_method") is not None:
            case.body["payment_method"] = INVOICE_CARDS.get(case.path_parameters["id"], "")
    if label == "POST /v1/payments/{id}/confirm" and case.path_parameters:
        fresh = payment("requires_confirmation")
        case.path_parameters["id"] = fresh["id"]
        if isinstance(case.body, dict) and case.body.get("client_secret") is not None:
            case.body["client_secret"] = fresh["client_secret"]
        if isinstance(case.body, dict) and case.body.get("payment_method") is not None:
            case.body["payment_method"] = "pm_card_visa"


# VINR_SCHEMATHESIS_LOG=file: one line per call (phase, mode, operation, status, error), to see
# why an operation refuses what the document allows.
LOG = os.environ.get("VINR_SCHEMATHESIS_LOG")


@schemathesis.hook
def after_call(ctx, case, response):
    if not LOG:
        return
    meta = case.meta
    phase = meta.phase.name.value if meta else "?"
    mode = meta.generation.mode.value if meta else "?"
    try:
        err = response.json().get("error", {})
        detail = f"{err.get('code')} {err.get('param')} {err.get('message')}"
    except Exception:
        detail = ""
    body = case.body if mode == "positive" else None
    line = [phase, mode, case.operation.label, response.status_code, detail, body, case.path_parameters]
    with open(LOG, "a") as f:
        f.write(json.dumps(line, default=str) + "\n")
