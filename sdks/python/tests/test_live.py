"""The SDK against a real VINR server (the ``vinr`` binary named by VINR_BIN, which
``make sdk-python`` builds and sets): payments through their life in both call styles, an
idempotent replay, a decline, pagination, and a webhook delivered to a local receiver and
verified."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import vinr

from conftest import needs_server

pytestmark = needs_server

@pytest.fixture
def client(server) -> vinr.VinrClient:
    base, key = server
    with vinr.VinrClient(key, api_base=base) as c:
        yield c


def test_a_payment_through_its_life_create_retrieve_capture_refund_list(client):
    customer = client.customers.create(email="sdk-py@example.com")
    payment = client.payments.create(
        amount=5000,
        currency="EUR",
        payment_method="pm_card_visa",
        capture_method="manual",
        customer=customer.id,
        metadata={"orderId": "A-1"},
    )
    assert payment.status == "requires_capture"
    assert payment.metadata == {"orderId": "A-1"}
    assert client.payments.retrieve(payment.id).id == payment.id
    captured = client.payments.capture(payment.id, amount_to_capture=4000)
    assert captured.status == "succeeded" and captured.amount_received == 4000
    refund = client.refunds.create(payment=payment.id, amount=1000)
    assert refund.amount == 1000
    assert client.payments.retrieve(payment.id).amount_refunded == 1000
    assert client.payments.list(limit=1).data[0].id == payment.id


def test_answers_are_instances_of_their_class_from_the_document(client):
    payment = client.payments.create(amount=700, currency="EUR", payment_method="pm_card_visa")
    assert isinstance(payment, vinr.objects.Payment) and isinstance(payment, vinr.VinrObject)
    expanded = client.payments.retrieve(payment.id, expand=["latest_charge"])
    assert isinstance(expanded.latest_charge, vinr.objects.Charge)
    assert isinstance(client.refunds.create(payment=payment.id, amount=100), vinr.objects.Refund)
    listed = client.payments.list(limit=1)
    assert isinstance(listed, vinr.ListObject) and isinstance(listed.data[0], vinr.objects.Payment)
    # Still dicts of the API's properties, read as keys or attributes.
    assert payment["amount"] == payment.amount == 700
    # The classes' fields are the document's: a type checker reads `payment.amount` as an int.
    assert vinr.objects.Payment.__annotations__["amount"] == "int"


def test_the_module_style_with_settings_from_the_module(server, monkeypatch):
    base, key = server
    monkeypatch.setattr(vinr, "api_key", key)
    monkeypatch.setattr(vinr, "api_base", base)
    payment = vinr.Payment.create(amount=3000, currency="EUR", payment_method="pm_card_visa", capture_method="manual")
    assert vinr.Payment.retrieve(payment.id).status == "requires_capture"
    assert vinr.Payment.cancel(payment.id).status == "canceled"


def test_an_idempotent_replay_a_decline_a_bad_request_and_iteration_across_pages(client):
    first = client.payments.create(amount=700, currency="EUR", idempotency_key="sdk-py-replay-1")
    again = client.payments.create({"amount": 700, "currency": "EUR"}, idempotency_key="sdk-py-replay-1")
    assert again.id == first.id
    with pytest.raises(vinr.CardError) as declined:
        client.payments.create(amount=900, currency="EUR", payment_method="pm_card_chargeDeclined")
    assert declined.value.http_status == 402 and declined.value.decline_code == "generic_decline"
    with pytest.raises(vinr.InvalidRequestError) as bad:
        client.payments.create(currency="EUR")
    assert bad.value.param == "amount" and bad.value.request_id
    made = [client.payments.create(amount=100, currency="EUR").id for _ in range(3)]
    seen = [p.id for p in client.payments.list(limit=2).auto_paging_iter()]
    assert len(set(seen)) == len(seen)
    assert {first.id, *made} <= set(seen)


def test_a_delivered_webhook_verifies_with_the_endpoints_secret(client):
    received: list[tuple[bytes, dict[str, str]]] = []

    class Receiver(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            received.append((body, dict(self.headers.items())))
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

    hooks = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    try:
        endpoint = client.webhook_endpoints.create(
            url=f"http://127.0.0.1:{hooks.server_address[1]}/hooks", enabled_events=["payment.succeeded"]
        )
        payment = client.payments.create(amount=2500, currency="EUR", payment_method="pm_card_visa")
        deadline = time.monotonic() + 20
        delivery = None
        while delivery is None and time.monotonic() < deadline:
            delivery = next((d for d in received if payment.id.encode() in d[0]), None)
            time.sleep(0.1)
        assert delivery is not None, "the payment.succeeded event was delivered"
        body, headers = delivery
        event = client.webhooks.verify(body, headers, endpoint.secret)
        assert event.type == "payment.succeeded" and event.data.object.id == payment.id
        with pytest.raises(vinr.SignatureVerificationError):
            client.webhooks.verify(body.replace(b"2500", b"25000"), headers, endpoint.secret)
    finally:
        hooks.shutdown()
        hooks.server_close()
