"""The guides' merchant code: where each snippet is in the seeds, what state it needs, and what
running it must produce. `run.py` extracts, runs and checks them.

A snippet is one or more line ranges of a seed (``lines``, 1-based, inclusive), kept verbatim in
``extracted/<id>.<ext>``. Before it runs, the guide's example ids (``pay_3Nx8a2Lk``,
``cust_8aZ2``…) are replaced by ids of objects made for it (``fixture``), since a server makes
its own ids; nothing else in the text changes, except in the guides' curl lines, whose
``https://api.vinr.com`` becomes ``$VINR_API_BASE`` (the SDKs take the base URL from the
environment too; the key is already ``$VINR_SECRET_KEY`` there). Free variables the guide leaves to the reader
(``paymentId``, ``order``, ``payload``…) are declared by a prelude, and an epilogue prints what
the snippet made, for ``check``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

Check = Callable[[Any, dict], Optional[str]]


@dataclass
class Snippet:
    id: str
    seed: str
    lines: list[tuple[int, int]]
    lang: str  # "ts", "python", "ruby" or "sh" (the guides' curl lines, run with bash)
    fixture: Optional[str]  # a function of run.Fixtures
    result: str  # what the epilogue prints: an expression in the snippet's language
    check: Check
    prelude: str = ""  # declarations of the guide's free variables ({name} from the fixture)
    # Wrap the snippet in a function (it ends with a top-level `return`, as a route handler's
    # body would); `result` is then an expression of `out`, what the function returned.
    as_function: bool = False
    # TypeScript errors the guide's text is known to have, by code, with why.
    known_type_errors: dict[str, str] = field(default_factory=dict)
    # A README of ours instead of a seed (path below sdks/): its block under "Every resource,
    # one example each", read as it is (``seed`` and ``lines`` unused).
    readme: Optional[str] = None


def filled(expected: Any, ctx: dict) -> Any:
    """``expected`` with each ``{name}`` string read from the fixture, inside lists too."""
    if isinstance(expected, list):
        return [filled(e, ctx) for e in expected]
    return expected.format(**ctx) if isinstance(expected, str) else expected


def equal(path: str, expected: Any) -> Check:
    """The result's ``path`` (dotted) equals ``expected`` (a ``{name}`` string is read from the
    fixture)."""

    def check(result: Any, ctx: dict) -> Optional[str]:
        value = result
        for part in path.split(".") if path else []:
            value = value[int(part)] if isinstance(value, list) else (value or {}).get(part)
        want = filled(expected, ctx)
        return None if value == want else f"{path or 'result'} is {value!r}, expected {want!r}"

    return check


def all_of(*checks: Check) -> Check:
    def check(result: Any, ctx: dict) -> Optional[str]:
        for c in checks:
            problem = c(result, ctx)
            if problem:
                return problem
        return None

    return check


def contains(path: str, text: str) -> Check:
    def check(result: Any, ctx: dict) -> Optional[str]:
        value = result
        for part in path.split(".") if path else []:
            value = (value or {}).get(part)
        want = text.format(**ctx)
        return None if isinstance(value, str) and want in value else f"{path} is {value!r}, expected it to contain {want!r}"

    return check


def in_list(path: str, expected: str) -> Check:
    """Some element of the result's list ``path`` has the id ``expected``."""

    def check(result: Any, ctx: dict) -> Optional[str]:
        items = (result or {}).get(path) or []
        want = expected.format(**ctx)
        return None if any(i.get("id") == want for i in items) else f"{want} is not in {path} ({len(items)} items)"

    return check


SEED_000 = "000_70d0980820404822.txt"
SEED_001 = "001_07fbedc59f2d0255.txt"
SEED_004 = "004_89e61f0a3e13c6b2.txt"

succeeded = equal("status", "succeeded")

SNIPPETS: list[Snippet] = [
    # 000 · Quick start: hosted checkout
    Snippet(
        "000-create", SEED_000, [(28, 47)], "ts", None,
        "await (await POST(new Request('http://shop.test/api/checkout', { method: 'POST', body: JSON.stringify({ orderId: '{order_id}' }) }))).json()",
        contains("checkoutUrl", "/checkout/"),
    ),
    Snippet(
        "000-redirect", SEED_000, [(57, 62)], "ts", None,
        "{ href: window.location.href }",
        contains("href", "/checkout/"),
        # The browser's side: its fetch reaches the merchant's route of 000-create, in-process.
        prelude=(
            "import { POST } from './000-create.js';\n"
            "const window = { location: { href: '' } };\n"
            "const fetch = (path: string, init: RequestInit) => POST(new Request(`http://shop.test${path}`, init));\n"
        ),
    ),
    Snippet(
        "000-confirm", SEED_000, [(70, 73)], "ts", "payment",
        "payment",
        succeeded,
        # The guide's `status === 'completed'` is never true: a paid payment's status is
        # 'succeeded' (payment.completed is the webhook event's name); sdks/README.md says so.
        prelude="const paymentId = '{payment}';\n",
        known_type_errors={
            "TS2367": "status is typed as the API's statuses, and 'completed' is not one (a paid payment is 'succeeded'), so TypeScript flags the guide's comparison",
        },
    ),
    Snippet(
        "000-webhook", SEED_000, [(81, 96)], "ts", "payment_completed_delivery",
        "{ status: (await POST(new Request('http://shop.test/webhooks', { method: 'POST', body: {body}, headers: { 'x-vinr-signature': {signature} } }))).status, fulfilled }",
        all_of(equal("status", 200), equal("fulfilled", ["{order_id}"])),
        prelude=(
            "const fulfilled: string[] = [];\n"
            "const fulfillOrder = async (orderId: string) => { fulfilled.push(orderId); };\n"
            "const notifyCustomer = async (_orderId: string) => {};\n"
        ),
    ),
    # 001 · Payments reference: the same calls in JavaScript, Python and Ruby
    *[
        Snippet(f"001-{name}-{lang}", SEED_001, [lines], lang, fixture, var, check)
        for name, fixture, var, check, by_lang in [
            ("create", "customer", "payment", all_of(succeeded, equal("customer", "{customer}")),
             {"sh": (36, 41), "ts": (45, 54), "python": (58, 65), "ruby": (69, 74)}),
            ("retrieve", "payment", "payment", equal("id", "{payment}"),
             {"sh": (124, 125), "ts": (129, 133), "python": (137, 139), "ruby": (143, 143)}),
            ("capture", "manual_payment", "payment", all_of(succeeded, equal("amount_received", 5000)),
             {"sh": (166, 167), "ts": (171, 175), "python": (179, 181), "ruby": (185, 185)}),
            ("cancel", "manual_payment", "payment", equal("status", "canceled"),
             {"sh": (229, 230), "ts": (234, 238), "python": (242, 244), "ruby": (248, 248)}),
            ("list", "customer_payment", "payments", in_list("data", "{payment}"),
             {"sh": (276, 277), "ts": (281, 288), "python": (292, 297), "ruby": (301, 304)}),
            ("adjust", "manual_payment", "payment", all_of(equal("amount", 6500), equal("status", "requires_capture")),
             {"sh": (333, 335), "ts": (339, 345), "python": (349, 354), "ruby": (358, 361)}),
            ("reverse", "manual_payment", "payment", equal("status", "canceled"),
             {"sh": (400, 401), "ts": (405, 409), "python": (413, 415), "ruby": (419, 419)}),
        ]
        for lang, lines in by_lang.items()
    ],
    Snippet(
        "001-create-advanced", SEED_001, [(101, 111)], "ts", "routed",
        "auth",
        all_of(equal("status", "requires_capture"), equal("acquirer", "acq_eu_1")),
        prelude="const order = { id: '{order_id}' };\n",
    ),
    Snippet(
        "001-partial-capture", SEED_001, [(206, 206)], "ts", "manual_payment",
        "await vinr.payments.retrieve('{payment}')",
        all_of(succeeded, equal("amount_received", 3000)),
    ),
    Snippet(
        "001-3ds-confirm", SEED_001, [(213, 215)], "ts", "challenged_payment",
        "await vinr.payments.retrieve('{payment}')",
        succeeded,
        prelude=(
            "const payment = await vinr.payments.retrieve('{payment}');\n"
            "// What the customer's 3-D Secure challenge came back with.\n"
            "const challengeResult: { challenge: 'completed' | 'failed' } = { challenge: 'completed' };\n"
        ),
    ),
    Snippet(
        "001-partial-reverse", SEED_001, [(441, 442)], "ts", "manual_payment",
        "await vinr.payments.retrieve('{payment}')",
        all_of(equal("status", "requires_capture"), equal("amount_capturable", 3000)),
    ),
    # 004 · Choosing a path: payments, billing and engagement
    Snippet(
        "004-hosted", SEED_004, [(26, 37)], "ts", None,
        "{ status: out.status, location: out.headers.get('location') }",
        all_of(equal("status", 302), contains("location", "/checkout/")),
        as_function=True,
        known_type_errors={
            "TS2345": "checkout_url is typed string | null (a payment paid through the API has none), so "
            "under strictNullChecks Response.redirect(payment.checkoutUrl) needs a `!`",
        },
    ),
    Snippet(
        "004-elements", SEED_004, [(41, 45)], "ts", None,
        "session",
        contains("client_secret", "_secret"),
    ),
    Snippet(
        "004-api-direct", SEED_004, [(49, 54)], "ts", "tokenized_card",
        "payment",
        all_of(succeeded, equal("payment_method", "{payment_method}")),
    ),
    Snippet(
        "004-subscribe", SEED_004, [(64, 69), (73, 76)], "ts", "billing_customer",
        "subscription",
        all_of(equal("status", "active"), equal("customer", "{customer}")),
    ),
    Snippet(
        "004-invoice-paid", SEED_004, [(82, 85)], "ts", "invoice_paid_delivery",
        "granted",
        equal("", ["{customer}"]),
        prelude=(
            "const payload = {body};\n"
            "const signature = {signature};\n"
            "const granted: string[] = [];\n"
            "const grantAccess = async (customerId: string) => { granted.push(customerId); };\n"
        ),
    ),
    Snippet(
        "004-loyalty-earn", SEED_004, [(93, 102)], "ts", "payment_completed_delivery",
        "(await vinr.loyalty.points.transactions.list({ source: '{payment}' })).data",
        all_of(equal("0.type", "earn"), equal("0.points", 49)),
        prelude="const payload = {body};\nconst signature = {signature};\n",
    ),
    # The TypeScript SDK's README (the Python and Ruby READMEs run in their SDKs' own tests).
    Snippet(
        "readme-typescript", "", [], "ts", None,
        "{ payment: await vinr.payments.retrieve(payment.id), challenged: await vinr.payments.retrieve(challenged.id),"
        " subscription: await vinr.subscriptions.retrieve(subscription.id) }",
        all_of(
            equal("payment.amount_refunded", 1500),
            equal("challenged.status", "succeeded"),
            equal("subscription.status", "canceled"),
        ),
        readme="typescript/README.md",
    ),
]
