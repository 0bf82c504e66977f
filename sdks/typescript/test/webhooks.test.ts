// The shared vectors (made by the server's signing code) verify here exactly as on the server.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SignatureVerificationError, generateTestHeaders, verify, verifySignature } from "../src/index.js";

interface Case {
  name: string;
  secret: string;
  body: string;
  headers: Record<string, string>;
  valid: boolean;
  error: string | null;
}

const vectors = JSON.parse(
  readFileSync(fileURLToPath(new URL("../../../testdata/webhook-signatures.json", import.meta.url)), "utf8"),
) as { now: number; tolerance: number; cases: Case[] };

for (const c of vectors.cases) {
  test(`vector: ${c.name}`, () => {
    const check = () =>
      verifySignature(c.body, c.headers, c.secret, { now: vectors.now, tolerance: vectors.tolerance });
    if (c.valid) {
      check();
    } else {
      assert.throws(check, (e: unknown) => e instanceof SignatureVerificationError && e.code === c.error);
    }
  });
}

test("fetch Headers, Node's header object and a bare x-vinr-signature value all work", () => {
  const c = vectors.cases.find((c) => c.name === "both header styles")!;
  const opts = { now: vectors.now };
  verifySignature(c.body, new Headers(c.headers), c.secret, opts);
  const upper = Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k.toUpperCase(), v]));
  verifySignature(c.body, upper, c.secret, opts);
  verifySignature(c.body, c.headers["x-vinr-signature"], c.secret, opts);
  assert.equal(verify(c.body, c.headers, c.secret, opts).type, "payment.completed");
});

test("generated test headers verify, and fail for another body", () => {
  const secret = vectors.cases[0].secret;
  const body = JSON.stringify({ id: "evt_1", type: "payment.completed" });
  const headers = generateTestHeaders(body, secret);
  assert.equal(verify(body, headers, secret).id, "evt_1");
  assert.throws(() => verify(body + " ", headers, secret), SignatureVerificationError);
  assert.throws(() => verify(body, {}, secret), (e: unknown) => (e as SignatureVerificationError).code === "missing_headers");
  // What `req.headers.get("x-vinr-signature")` answers when the header is absent.
  assert.throws(() => verify(body, null, secret), (e: unknown) => (e as SignatureVerificationError).code === "missing_headers");
});

test("the vectors' Standard Webhooks signatures are what the published standardwebhooks package makes", async () => {
  const { Webhook } = await import("standardwebhooks");
  const signed = vectors.cases.filter((c) => c.valid && c.headers["webhook-signature"]);
  assert.ok(signed.length >= 4);
  for (const c of signed) {
    const theirs = new Webhook(c.secret).sign(
      c.headers["webhook-id"],
      new Date(Number(c.headers["webhook-timestamp"]) * 1000),
      c.body,
    );
    assert.ok(c.headers["webhook-signature"].split(" ").includes(theirs), c.name);
  }
});

test("a verified event reads as the guides read it: event.data.customerId, event.data.metadata", () => {
  const secret = vectors.cases[0].secret;
  const payment = { id: "pay_1", object: "payment", amount: 4999, customer: "cust_1", metadata: { order_id: "42" } };
  const body = JSON.stringify({ id: "evt_1", object: "event", type: "payment.completed", data: { object: payment } });
  const event = verify(body, generateTestHeaders(body, secret), secret);
  assert.equal(event.data.object.id, "pay_1");
  assert.equal(event.data.id, "pay_1");
  assert.equal(event.data.amount, 4999);
  assert.equal(event.data.customerId, "cust_1");
  assert.equal(event.data.metadata.order_id, "42");
  assert.equal(event.data.metadata.orderId, undefined);
  assert.equal(event.data.nothing, undefined);
  assert.equal(JSON.stringify(event), body);
});
