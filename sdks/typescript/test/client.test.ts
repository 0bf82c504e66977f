// The runtime against a local stub server: what it sends, when it retries, and what it throws.

import { test } from "node:test";
import assert from "node:assert/strict";
import { HttpClient, queryString, retryDelay } from "../src/client.js";
import {
  VinrCardError,
  VinrConnectionError,
  VinrInvalidRequestError,
  VinrRateLimitError,
} from "../src/errors.js";
import { json, stub, type Answer } from "./stub.js";

const client = (base: string, extra = {}) =>
  new HttpClient({ apiKey: "sk_test_x", baseUrl: base, maxRetryDelay: 1, ...extra });

test("a POST is JSON with snake_case keys (metadata's own keys kept) and an idempotency key", async () => {
  const s = await stub([json(200, { id: "pay_1", object: "payment" })]);
  try {
    await client(s.base).request("POST", "/v1/payments", {
      amount: 5000,
      paymentMethod: "pm_card_visa",
      metadata: { orderId: "42" },
    });
    const [req] = s.seen;
    assert.equal(req.headers["x-api-key"], "sk_test_x");
    assert.equal(req.headers["content-type"], "application/json");
    assert.match(String(req.headers["idempotency-key"]), /^vinr-node-/);
    assert.deepEqual(JSON.parse(req.body), { amount: 5000, payment_method: "pm_card_visa", metadata: { orderId: "42" } });
  } finally {
    s.close();
  }
});

test("5xx and 429 are retried with the same idempotency key; the caller's key is used", async () => {
  const s = await stub([json(500, { error: { type: "api_error" } }), json(429, { error: { type: "rate_limit_error" } }, { "retry-after": "0" }), json(200, { id: "pay_1" })]);
  try {
    const out = await client(s.base).request<{ id: string }>("POST", "/v1/payments", { amount: 1 }, { idempotencyKey: "order-42" });
    assert.equal(out.id, "pay_1");
    assert.equal(s.seen.length, 3);
    assert.deepEqual(s.seen.map((r) => r.headers["idempotency-key"]), ["order-42", "order-42", "order-42"]);
  } finally {
    s.close();
  }
});

test("a 4xx is not retried and throws its class with code, param, status and request id", async () => {
  const s = await stub([json(400, { error: { type: "invalid_request_error", code: "parameter_missing", param: "amount", message: "amount is required" } })]);
  try {
    await assert.rejects(client(s.base).request("POST", "/v1/payments", {}), (e: unknown) => {
      assert.ok(e instanceof VinrInvalidRequestError);
      assert.equal(e.code, "parameter_missing");
      assert.equal(e.param, "amount");
      assert.equal(e.statusCode, 400);
      assert.equal(e.requestId, "req_123");
      assert.equal(e.message, "amount is required");
      return true;
    });
    assert.equal(s.seen.length, 1);
  } finally {
    s.close();
  }
});

test("a decline is a VinrCardError with its decline code and payment", async () => {
  const s = await stub([json(402, { error: { type: "card_error", code: "card_declined", decline_code: "insufficient_funds", payment: { id: "pay_9" } } })]);
  try {
    await assert.rejects(client(s.base).request("POST", "/v1/payments", {}), (e: unknown) => {
      assert.ok(e instanceof VinrCardError);
      assert.equal(e.declineCode, "insufficient_funds");
      assert.deepEqual(e.payment, { id: "pay_9" });
      return true;
    });
  } finally {
    s.close();
  }
});

test("rate limiting past the retries throws VinrRateLimitError", async () => {
  const s = await stub([json(429, { error: { type: "rate_limit_error", message: "slow down" } }, { "retry-after": "0" })]);
  try {
    await assert.rejects(client(s.base, { maxRetries: 1 }).request("GET", "/v1/payments"), VinrRateLimitError);
    assert.equal(s.seen.length, 2);
  } finally {
    s.close();
  }
});

test("an unreachable server and a silent one are connection errors", async () => {
  const s = await stub([json(200, {})]);
  const base = s.base;
  s.close();
  await assert.rejects(client(base, { maxRetries: 1 }).request("GET", "/v1/payments"), VinrConnectionError);
  const silent = await stub([() => {}]);
  try {
    await assert.rejects(
      client(silent.base, { maxRetries: 0, timeout: 100 }).request("GET", "/v1/payments"),
      (e: unknown) => e instanceof VinrConnectionError && /within 100 ms/.test(e.message),
    );
  } finally {
    silent.close();
  }
});

test("lists iterate across pages with starting_after", async () => {
  const page = (ids: string[], more: boolean): Answer => json(200, { object: "list", data: ids.map((id) => ({ id })), has_more: more, url: "/v1/payments" });
  const s = await stub([page(["pay_3", "pay_2"], true), page(["pay_1"], false)]);
  try {
    const ids: string[] = [];
    for await (const p of client(s.base).list<{ id: string }>("/v1/payments", { limit: 2, expand: ["customer"] })) ids.push(p.id);
    assert.deepEqual(ids, ["pay_3", "pay_2", "pay_1"]);
    assert.equal(s.seen[0].url, "/v1/payments?limit=2&expand%5B%5D=customer");
    assert.equal(s.seen[1].url, "/v1/payments?limit=2&expand%5B%5D=customer&starting_after=pay_2");
  } finally {
    s.close();
  }
});

test("responses keep snake_case and also answer to camelCase, metadata untouched", async () => {
  const body = { id: "pay_1", checkout_url: "http://x/c", customer: "cust_1", metadata: { order_id: "42" } };
  const s = await stub([json(200, body)]);
  try {
    const p = await client(s.base).request<any>("GET", "/v1/payments/pay_1");
    assert.equal(p.checkout_url, "http://x/c");
    assert.equal(p.checkoutUrl, "http://x/c");
    assert.equal(p.customerId, "cust_1");
    assert.equal(p.metadata.order_id, "42");
    assert.equal(p.metadata.orderId, undefined);
    assert.deepEqual(JSON.parse(JSON.stringify(p)), body);
  } finally {
    s.close();
  }
});

test("query strings nest with brackets; retry delays grow, jitter and honour Retry-After", () => {
  assert.equal(queryString({ createdAt: { gte: 1 }, expand: ["a", "b"] }), "created_at%5Bgte%5D=1&expand%5B%5D=a&expand%5B%5D=b");
  for (let i = 0; i < 50; i++) {
    const first = retryDelay(1, null, 8000);
    assert.ok(first >= 250 && first <= 500, String(first));
    const third = retryDelay(3, null, 8000);
    assert.ok(third >= 1000 && third <= 2000, String(third));
    assert.ok(retryDelay(10, null, 8000) <= 8000);
  }
  assert.ok(retryDelay(1, "3", 8000) >= 3000);
});
