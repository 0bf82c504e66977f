// The SDK against a real VINR server (the `vinr` binary named by VINR_BIN, which
// `make sdk-typescript` builds and sets): payments through their life, an idempotent replay, a
// decline, pagination, and a webhook delivered to a local receiver and verified.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { Vinr, VinrCardError, VinrInvalidRequestError } from "../src/index.js";

const bin = process.env.VINR_BIN;
const skip = bin ? false : "VINR_BIN is not set (make sdk-typescript sets it)";
if (!bin && process.env.CI) throw new Error("VINR_BIN must name the vinr binary under CI");

let server: ChildProcess;
let dataDir: string;
let vinr: Vinr;
let receiver: Server;
const received: { body: string; headers: Record<string, string> }[] = [];

before(async () => {
  if (!bin) return;
  dataDir = mkdtempSync(join(tmpdir(), "vinr-sdk-"));
  const port = 3130;
  server = spawn(bin, ["serve"], {
    env: {
      ...process.env,
      VINR_ADDR: `127.0.0.1:${port}`,
      VINR_PUBLIC_URL: `http://127.0.0.1:${port}`,
      VINR_DATA_DIR: dataDir,
      VINR_DATABASE_URL: "",
      VINR_SECRET: "",
      VINR_SANDBOX_LATENCY_MS: "0",
      VINR_DEMO_SHOP_ADDR: "127.0.0.1:3131",
      RUST_LOG: "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  const secretKey = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 60_000);
    server.stdout!.on("data", (chunk) => {
      output += chunk.toString();
      const key = output.match(/Secret key:\s+(\S+)/);
      if (key && /Publishable key:.*\n/.test(output)) {
        clearTimeout(timer);
        resolve(key[1]);
      }
    });
    server.on("exit", (code) => reject(new Error(`the server exited with ${code}:\n${output}`)));
  });
  vinr = new Vinr({ secretKey, baseUrl: `http://127.0.0.1:${port}` });
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ body, headers: req.headers as Record<string, string> });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
});

after(async () => {
  if (!bin) return;
  receiver.close();
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  rmSync(dataDir, { recursive: true, force: true });
});

test("a payment through its life: create, retrieve, capture, refund, list", { skip }, async () => {
  const customer = await vinr.customers.create({ email: "sdk@example.com" });
  const payment = await vinr.payments.create({
    amount: 5000,
    currency: "EUR",
    paymentMethod: "pm_card_visa",
    captureMethod: "manual",
    customer: customer.id,
    metadata: { orderId: "A-1" },
  });
  assert.equal(payment.status, "requires_capture");
  assert.equal(payment.metadata?.orderId, "A-1");
  const same = await vinr.payments.retrieve(payment.id);
  assert.equal(same.id, payment.id);
  const captured = await vinr.payments.capture(payment.id, { amountToCapture: 4000 });
  assert.equal(captured.status, "succeeded");
  assert.equal(captured.amountReceived, 4000);
  const refund = await vinr.refunds.create({ payment: payment.id, amount: 1000 });
  assert.equal(refund.amount, 1000);
  const after = await vinr.payments.retrieve(payment.id);
  assert.equal(after.amountRefunded, 1000);
  const page = await vinr.payments.list({ limit: 1 });
  assert.equal(page.data[0].id, payment.id);
});

test("cancel, an idempotent replay, a decline, and iteration across pages", { skip }, async () => {
  const open = await vinr.payments.create({ amount: 1200, currency: "EUR" });
  const canceled = await vinr.payments.cancel(open.id);
  assert.equal(canceled.status, "canceled");

  const first = await vinr.payments.create({ amount: 700, currency: "EUR" }, { idempotencyKey: "sdk-replay-1" });
  const again = await vinr.payments.create({ amount: 700, currency: "EUR" }, { idempotencyKey: "sdk-replay-1" });
  assert.equal(again.id, first.id);

  await assert.rejects(
    vinr.payments.create({ amount: 900, currency: "EUR", paymentMethod: "pm_card_chargeDeclined" }),
    (e: unknown) => e instanceof VinrCardError && e.statusCode === 402 && e.declineCode === "generic_decline",
  );
  await assert.rejects(
    vinr.payments.create({ currency: "EUR" }),
    (e: unknown) => e instanceof VinrInvalidRequestError && e.param === "amount" && typeof e.requestId === "string",
  );

  const seen = new Set<string>();
  for await (const p of vinr.payments.list({ limit: 2 })) seen.add(p.id);
  for (const id of [open.id, first.id]) assert.ok(seen.has(id), id);
  assert.ok(seen.size >= 4, `${seen.size} payments iterated`);
});

test("a delivered webhook verifies with the endpoint's secret", { skip }, async () => {
  const port = (receiver.address() as AddressInfo).port;
  const endpoint = await vinr.webhookEndpoints.create({
    url: `http://127.0.0.1:${port}/hooks`,
    enabledEvents: ["payment.succeeded"],
  });
  const secret = endpoint.secret!;
  const payment = await vinr.payments.create({ amount: 2500, currency: "EUR", paymentMethod: "pm_card_visa" });
  const deadline = Date.now() + 20_000;
  let delivery;
  while (!(delivery = received.find((d) => d.body.includes(payment.id))) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(delivery, "the payment.succeeded event was delivered");
  const event = vinr.webhooks.verify(delivery.body, delivery.headers, secret);
  assert.equal(event.type, "payment.succeeded");
  assert.equal(event.data.object.id, payment.id);
  assert.equal(vinr.webhooks.verify(delivery.body, delivery.headers["x-vinr-signature"], secret).id, event.id);
  assert.throws(() => vinr.webhooks.verify(delivery!.body.replace("2500", "25000"), delivery!.headers, secret));
});
