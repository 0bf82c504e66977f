// The generated client as the guides use it (their code, typed), against a local stub.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Vinr } from "../src/index.js";
import { json, stub, type Seen } from "./stub.js";

/** A stub answering 200 with `answer(request, its JSON body)`. */
const answering = (answer: (seen: Seen, body: any) => unknown) =>
  stub([(seen, res) => json(200, answer(seen, seen.body ? JSON.parse(seen.body) : undefined))(seen, res)]);

const sentBody = (seen: Seen) => JSON.parse(seen.body);

test("the guides' calls reach the documented paths and answer typed, camelCase-friendly objects", async () => {
  const s = await answering(({ url }, body) =>
    url.startsWith("/v1/payments")
      ? { id: "pay_1", object: "payment", amount: 5000, status: "requires_payment_method", checkout_url: "http://h/checkout/pay_1", ...body }
      : { id: "ptx_1", object: "points_transaction", points: body?.amount },
  );
  try {
    const vinr = new Vinr({ secretKey: "sk_test_x", baseUrl: s.base });
    const payment = await vinr.payments.create(
      { amount: 5000, currency: "EUR", returnUrl: "https://shop.example/done", metadata: { orderId: "A-1" } },
      { idempotencyKey: "order-A-1" },
    );
    const url: string | null | undefined = payment.checkoutUrl;
    assert.equal(url, "http://h/checkout/pay_1");
    await vinr.payments.capture(payment.id, { amount: 5000 });
    await vinr.payments.retrieve("pay_1");
    const ptx = await vinr.loyalty.points.earn({ programId: "prog_default", customerId: "cust_1", amount: 49, sourcePaymentId: "pay_1" });
    assert.equal(ptx.points, 49);
    assert.deepEqual(
      s.seen.map((r) => `${r.method} ${r.url}`),
      ["POST /v1/payments", "POST /v1/payments/pay_1/capture", "GET /v1/payments/pay_1", "POST /v1/loyalty/points/earn"],
    );
    assert.equal(s.seen[0].headers["idempotency-key"], "order-A-1");
    assert.deepEqual(sentBody(s.seen[0]), { amount: 5000, currency: "EUR", return_url: "https://shop.example/done", metadata: { orderId: "A-1" } });
    assert.deepEqual(sentBody(s.seen[3]), { program_id: "prog_default", customer_id: "cust_1", amount: 49, source_payment_id: "pay_1" });
  } finally {
    s.close();
  }
});

test("webhooks.verify uses the client's secret, and lists await to a page or iterate", async () => {
  const secret = "whsec_" + Buffer.alloc(32, 7).toString("base64");
  const vinr = new Vinr({ secretKey: "sk", webhookSecret: secret, baseUrl: "http://127.0.0.1:9" });
  const body = JSON.stringify({ id: "evt_1", type: "payment.completed", data: { object: { id: "pay_1" } } });
  const headers = vinr.webhooks.generateTestHeaders(body);
  assert.equal(vinr.webhooks.verify(body, headers["x-vinr-signature"]).id, "evt_1");
  assert.throws(() => vinr.webhooks.verify(body, headers["x-vinr-signature"], "whsec_" + Buffer.alloc(32, 1).toString("base64")));

  let n = 0;
  const s = await answering(() => ({ object: "list", data: [{ id: `cust_${++n}` }], has_more: n < 4, url: "/v1/customers" }));
  try {
    const v = new Vinr({ secretKey: "sk", baseUrl: s.base });
    const page = await v.customers.list({ limit: 1 });
    assert.equal(page.data.length, 1);
    const ids: string[] = [];
    for await (const c of v.customers.list({ limit: 1 })) ids.push(c.id);
    assert.deepEqual(ids, ["cust_2", "cust_3", "cust_4"]);
    assert.equal(s.seen.length, 4, "one request per page, none wasted");
  } finally {
    s.close();
  }
});

test("nested parameters take camelCase too, typed, and go out snake_case", async () => {
  const s = await answering((_seen, body) => ({ id: "price_1", object: "price", ...body }));
  try {
    const vinr = new Vinr({ secretKey: "sk_test_x", baseUrl: s.base });
    // Compiled by tsc with the test: a nested camelCase key is a typed parameter, not an error.
    await vinr.prices.create({ productId: "prod_1", amount: 5, currency: "EUR", recurring: { interval: "month", usageType: "metered" } });
    await vinr.checkout.sessions.create({
      order: { amount: 1000, currency: "EUR", items: [{ lineId: "1", description: "Tea", quantity: 1, amount: 1000, vat: 20 }] },
      url: { returnUrl: "https://shop.example/done" },
    });
    assert.deepEqual(sentBody(s.seen[0]), { product_id: "prod_1", amount: 5, currency: "EUR", recurring: { interval: "month", usage_type: "metered" } });
    assert.deepEqual(sentBody(s.seen[1]).order.items[0].line_id, "1");
    assert.deepEqual(sentBody(s.seen[1]).url, { return_url: "https://shop.example/done" });
  } finally {
    s.close();
  }
});
