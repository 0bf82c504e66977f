"""The shared vectors (made by the server's signing code) verify here exactly as on the
server, and agree with the published standardwebhooks package."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

import vinr
from vinr.webhooks import generate_test_headers, verify, verify_signature

VECTORS = json.loads((Path(__file__).resolve().parents[2] / "testdata" / "webhook-signatures.json").read_text())


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["name"] for c in VECTORS["cases"]])
def test_vector(case):
    def check():
        verify_signature(case["body"], case["headers"], case["secret"], VECTORS["tolerance"], now=VECTORS["now"])

    if case["valid"]:
        check()
    else:
        with pytest.raises(vinr.SignatureVerificationError) as caught:
            check()
        assert caught.value.code == case["error"]


def test_header_mappings_of_any_case_and_a_bare_signature_value_work():
    c = next(c for c in VECTORS["cases"] if c["name"] == "both header styles")
    now = VECTORS["now"]
    verify_signature(c["body"], {k.upper(): v for k, v in c["headers"].items()}, c["secret"], now=now)
    verify_signature(c["body"], c["headers"]["x-vinr-signature"], c["secret"], now=now)
    verify_signature(c["body"].encode(), c["headers"], c["secret"], now=now)
    event = verify(c["body"], c["headers"], c["secret"], now=now)
    assert event.type == "payment.completed"


def test_generated_test_headers_verify_and_fail_for_another_body(monkeypatch):
    secret = VECTORS["cases"][0]["secret"]
    body = json.dumps({"id": "evt_1", "type": "payment.completed"})
    headers = generate_test_headers(body, secret)
    assert verify(body, headers, secret).id == "evt_1"
    with pytest.raises(vinr.SignatureVerificationError):
        verify(body + " ", headers, secret)
    with pytest.raises(vinr.SignatureVerificationError) as caught:
        verify(body, {}, secret)
    assert caught.value.code == "missing_headers"
    with pytest.raises(vinr.SignatureVerificationError) as caught:
        verify(body, None, secret)
    assert caught.value.code == "missing_headers"
    # Without a secret argument: the module setting, else VINR_WEBHOOK_SECRET.
    monkeypatch.setattr(vinr, "webhook_secret", None)
    monkeypatch.setenv("VINR_WEBHOOK_SECRET", secret)
    assert vinr.webhooks.verify(body, headers).id == "evt_1"
    assert vinr.VinrClient("sk_test_x").webhooks.verify(body, headers).id == "evt_1"


def test_the_vectors_standard_webhooks_signatures_are_what_the_published_package_makes():
    from standardwebhooks.webhooks import Webhook

    signed = [c for c in VECTORS["cases"] if c["valid"] and "webhook-signature" in c["headers"]]
    assert len(signed) >= 4
    for c in signed:
        when = datetime.fromtimestamp(int(c["headers"]["webhook-timestamp"]), tz=timezone.utc)
        theirs = Webhook(c["secret"]).sign(c["headers"]["webhook-id"], when, c["body"])
        assert theirs in c["headers"]["webhook-signature"].split(" "), c["name"]


def test_a_verified_event_reads_as_the_guides_read_it():
    secret = VECTORS["cases"][0]["secret"]
    payment = {"id": "pay_1", "object": "payment", "amount": 4999, "customer": "cust_1", "metadata": {"order_id": "42"}}
    body = json.dumps({"id": "evt_1", "object": "event", "type": "payment.completed", "data": {"object": payment}})
    event = verify(body, generate_test_headers(body, secret), secret)
    assert event.data.object.id == "pay_1"
    assert (event.data.id, event.data.amount, event.data.customer) == ("pay_1", 4999, "cust_1")
    assert event.data.metadata.order_id == "42"
    with pytest.raises(AttributeError):
        event.data.nothing
    assert json.loads(json.dumps(event)) == json.loads(body)
