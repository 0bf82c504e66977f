"""The runtime against a local stub server: what it sends, when it retries, what it raises,
pagination, and both call styles."""

from __future__ import annotations

import json

import pytest

import vinr
from vinr._api import HttpClient, query_string, retry_delay

from conftest import SILENT, answer


def client(base: str, **extra) -> HttpClient:
    return HttpClient("sk_test_x", base, max_retry_delay=0.001, **extra)


def test_a_post_is_json_with_snake_case_keys_metadata_kept_and_an_idempotency_key(stub):
    s = stub([answer(200, {"id": "pay_1", "object": "payment"})])
    client(s.base).request("POST", "/v1/payments", {"amount": 5000, "paymentMethod": "pm_card_visa", "metadata": {"orderId": "42"}})
    (req,) = s.seen
    assert req["headers"]["x-api-key"] == "sk_test_x"
    assert req["headers"]["content-type"] == "application/json"
    assert req["headers"]["idempotency-key"].startswith("vinr-python-")
    assert json.loads(req["body"]) == {"amount": 5000, "payment_method": "pm_card_visa", "metadata": {"orderId": "42"}}


def test_5xx_and_429_are_retried_with_the_same_idempotency_key_the_callers_key_used(stub):
    s = stub([
        answer(500, {"error": {"type": "api_error"}}),
        answer(429, {"error": {"type": "rate_limit_error"}}, {"retry-after": "0"}),
        answer(200, {"id": "pay_1"}),
    ])
    out = client(s.base).request("POST", "/v1/payments", {"amount": 1}, idempotency_key="order-42")
    assert out.id == "pay_1"
    assert [r["headers"]["idempotency-key"] for r in s.seen] == ["order-42"] * 3


def test_a_generated_idempotency_key_is_reused_across_retries(stub):
    s = stub([answer(503, {}), answer(200, {"id": "pay_1"})])
    client(s.base).request("POST", "/v1/payments", {"amount": 1})
    keys = {r["headers"]["idempotency-key"] for r in s.seen}
    assert len(s.seen) == 2 and len(keys) == 1


def test_a_4xx_is_not_retried_and_raises_its_class_with_code_param_status_and_request_id(stub):
    s = stub([answer(400, {"error": {"type": "invalid_request_error", "code": "parameter_missing", "param": "amount", "message": "amount is required"}})])
    with pytest.raises(vinr.InvalidRequestError) as caught:
        client(s.base).request("POST", "/v1/payments", {})
    e = caught.value
    assert (e.code, e.param, e.http_status, e.request_id, str(e)) == ("parameter_missing", "amount", 400, "req_123", "amount is required")
    assert len(s.seen) == 1


def test_a_decline_is_a_card_error_with_its_decline_code_and_payment(stub):
    s = stub([answer(402, {"error": {"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds", "payment": {"id": "pay_9"}}})])
    with pytest.raises(vinr.CardError) as caught:
        client(s.base).request("POST", "/v1/payments", {})
    assert caught.value.decline_code == "insufficient_funds"
    assert caught.value.payment == {"id": "pay_9"}


@pytest.mark.parametrize(
    "kind,cls",
    [
        ("authentication_error", vinr.AuthenticationError),
        ("permission_error", vinr.PermissionError),
        ("idempotency_error", vinr.IdempotencyError),
        ("something_new", vinr.APIError),
    ],
)
def test_each_error_type_has_its_class(stub, kind, cls):
    s = stub([answer(409, {"error": {"type": kind, "message": "no"}})])
    with pytest.raises(cls):
        client(s.base).request("GET", "/v1/payments")


def test_rate_limiting_past_the_retries_raises_rate_limit_error(stub):
    s = stub([answer(429, {"error": {"type": "rate_limit_error", "message": "slow down"}}, {"retry-after": "0"})])
    with pytest.raises(vinr.RateLimitError):
        client(s.base, max_retries=1).request("GET", "/v1/payments")
    assert len(s.seen) == 2


def test_an_unreachable_server_and_a_silent_one_are_connection_errors(stub):
    s = stub([answer(200, {})])
    base = s.base
    s.close()
    with pytest.raises(vinr.APIConnectionError):
        client(base, max_retries=1).request("GET", "/v1/payments")
    silent = stub([SILENT])
    with pytest.raises(vinr.APIConnectionError, match="within 0.1 s"):
        client(silent.base, max_retries=0, timeout=0.1).request("GET", "/v1/payments")


def page(ids, more):
    return answer(200, {"object": "list", "data": [{"id": i} for i in ids], "has_more": more, "url": "/v1/payments"})


def test_lists_iterate_across_pages_with_starting_after(stub):
    s = stub([page(["pay_3", "pay_2"], True), page(["pay_1"], False)])
    c = vinr.VinrClient("sk_test_x", api_base=s.base)
    first = c.payments.list(limit=2, expand=["customer"])
    assert [p.id for p in first] == ["pay_3", "pay_2"]
    assert [p.id for p in first.auto_paging_iter()] == ["pay_3", "pay_2", "pay_1"]
    assert s.seen[0]["url"] == "/v1/payments?limit=2&expand%5B%5D=customer"
    assert s.seen[1]["url"] == "/v1/payments?limit=2&expand%5B%5D=customer&starting_after=pay_2"


def test_responses_keep_snake_case_with_attribute_access(stub):
    body = {"id": "pay_1", "checkout_url": "http://x/c", "customer": "cust_1", "metadata": {"order_id": "42"}}
    s = stub([answer(200, body)])
    p = vinr.VinrClient("sk_test_x", api_base=s.base).payments.retrieve("pay_1")
    assert p.checkout_url == "http://x/c" and p["checkout_url"] == "http://x/c"
    assert p.metadata.order_id == "42"
    with pytest.raises(AttributeError):
        p.checkoutUrl
    assert json.loads(json.dumps(p)) == body


def test_methods_put_ids_in_the_path_and_options_in_headers(stub):
    s = stub([answer(200, {"id": "pay_1"})])
    c = vinr.VinrClient("sk_test_x", api_base=s.base)
    c.payments.capture("pay_1/x", {"amountToCapture": 3000}, idempotency_key="cap-1", api_key="sk_test_other")
    (req,) = s.seen
    assert (req["method"], req["url"]) == ("POST", "/v1/payments/pay_1%2Fx/capture")
    assert json.loads(req["body"]) == {"amount_to_capture": 3000}
    assert req["headers"]["idempotency-key"] == "cap-1"
    assert req["headers"]["x-api-key"] == "sk_test_other"


def test_the_module_style_uses_the_module_settings(stub, monkeypatch):
    s = stub([answer(200, {"id": "pay_1", "status": "succeeded"})])
    monkeypatch.setattr(vinr, "api_key", "sk_test_module")
    monkeypatch.setattr(vinr, "api_base", s.base)
    p = vinr.Payment.create(amount=5000, currency="EUR", payment_method="pm_card_visa")
    assert p.status == "succeeded"
    assert s.seen[0]["headers"]["x-api-key"] == "sk_test_module"
    assert vinr.LoyaltyPoints.earn is not None and vinr.Usage.record is not None


def test_query_strings_nest_with_brackets_and_retry_delays_grow_jitter_and_honour_retry_after():
    assert query_string({"createdAt": {"gte": 1}, "expand": ["a", "b"], "live": True}) == (
        "created_at%5Bgte%5D=1&expand%5B%5D=a&expand%5B%5D=b&live=true"
    )
    for _ in range(50):
        assert 0.25 <= retry_delay(1, None, 8) <= 0.5
        assert 1 <= retry_delay(3, None, 8) <= 2
        assert retry_delay(10, None, 8) <= 8
    assert retry_delay(1, "3", 8) >= 3


def test_the_generated_resources_are_what_the_document_makes():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "generate.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
