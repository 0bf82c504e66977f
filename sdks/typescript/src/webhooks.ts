// Verifying VINR's webhook deliveries: synchronous, constant-time, either signature style.
//
// Every delivery is signed twice with HMAC-SHA256 under the endpoint secret's decoded bytes
// (`whsec_<base64>`): `x-vinr-signature: t=<unix>,v1=<hex of HMAC("<t>.<body>")>` and the
// Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
// `webhook-signature: v1,<base64 of HMAC("<id>.<t>.<body>")>`). During a secret's rotation
// each carries one signature per active secret, so either secret verifies.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { camelAliases } from "./casing.js";

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Why a delivery was refused. */
export class SignatureVerificationError extends Error {
  readonly type = "signature_verification_error";
  constructor(
    /** `bad_secret`, `missing_headers`, `malformed`, `timestamp` or `mismatch`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "SignatureVerificationError";
  }
}

/** Headers as a fetch `Headers`, a plain object (Node's `req.headers`) or a map. */
export type HeaderSource =
  | { get(name: string): string | null | undefined }
  | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** Seconds a timestamp may be from now, either way (default 300). */
  tolerance?: number;
  /** Now, in Unix seconds (default the system clock): for tests and replays. */
  now?: number;
}

function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  const key = Buffer.from(encoded.trim(), "base64");
  if (key.length === 0) {
    throw new SignatureVerificationError("bad_secret", "The secret is not a whsec_ secret with a base64 key.");
  }
  return key;
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null | undefined }).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value.join(",") : value;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function checkTimestamp(t: string, now: number, tolerance: number): void {
  if (!/^\d+$/.test(t.trim())) {
    throw new SignatureVerificationError("malformed", "The signature's timestamp is not a number.");
  }
  if (Math.abs(now - Number(t.trim())) > tolerance) {
    throw new SignatureVerificationError("timestamp", "The timestamp is too far from now (replayed or clock skew).");
  }
}

/**
 * Checks a delivery's signature and returns the parsed event. `signature` is the
 * `x-vinr-signature` value or all the request's headers (then the Standard Webhooks headers are
 * checked when present). Throws `SignatureVerificationError`. The event answers to camelCase
 * names like any response, and its `data` also for its object's properties
 * (`event.data.customerId`, as the guides write it, is `event.data.object.customer`).
 */
export function verify(
  payload: string | Buffer,
  signature: string | HeaderSource | null | undefined,
  secret: string,
  options: VerifyOptions = {},
): any {
  verifySignature(payload, signature, secret, options);
  return camelAliases(JSON.parse(payload.toString()));
}

/** `verify` without parsing the body. */
export function verifySignature(
  payload: string | Buffer,
  signature: string | HeaderSource | null | undefined,
  secret: string,
  options: VerifyOptions = {},
): void {
  const key = secretKey(secret);
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, "utf8");
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE_SECONDS;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  // null or undefined, as `req.headers.get("x-vinr-signature")` answers without the header:
  // refused below as missing.
  const headers: HeaderSource =
    typeof signature === "string" ? { "x-vinr-signature": signature } : (signature ?? {});
  const id = header(headers, "webhook-id");
  const t = header(headers, "webhook-timestamp");
  const sigs = header(headers, "webhook-signature");
  if (id !== undefined && t !== undefined && sigs !== undefined) {
    checkTimestamp(t, now, tolerance);
    const expected = createHmac("sha256", key)
      .update(`${id}.${t.trim()}.`)
      .update(body)
      .digest();
    const matched = sigs
      .split(/\s+/)
      .filter((s) => s.startsWith("v1,"))
      .some((s) => sameBytes(expected, Buffer.from(s.slice(3), "base64")));
    if (!matched) throw new SignatureVerificationError("mismatch", "No signature matches (wrong secret or altered body).");
    return;
  }
  const value = header(headers, "x-vinr-signature");
  if (value === undefined) {
    throw new SignatureVerificationError("missing_headers", "No signature headers (webhook-signature or x-vinr-signature).");
  }
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const part of value.split(",")) {
    const at = part.indexOf("=");
    if (at < 0) continue;
    const [name, v] = [part.slice(0, at).trim(), part.slice(at + 1).trim()];
    if (name === "t") timestamp = v;
    if (name === "v1") signatures.push(v);
  }
  if (timestamp === undefined) throw new SignatureVerificationError("malformed", "The signature has no timestamp.");
  checkTimestamp(timestamp, now, tolerance);
  const expected = createHmac("sha256", key).update(`${timestamp}.`).update(body).digest();
  const matched = signatures
    .filter((s) => /^[0-9a-f]{64}$/i.test(s))
    .some((s) => sameBytes(expected, Buffer.from(s, "hex")));
  if (!matched) throw new SignatureVerificationError("mismatch", "No signature matches (wrong secret or altered body).");
}

/**
 * Headers as VINR would send them for `payload`, for testing a webhook handler: both styles,
 * signed with `secret` at `timestamp` (default now).
 */
export function generateTestHeaders(
  payload: string | Buffer,
  secret: string,
  options: { timestamp?: number; id?: string } = {},
): Record<string, string> {
  const key = secretKey(secret);
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, "utf8");
  const t = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const id = options.id ?? `msg_${randomBytes(12).toString("hex")}`;
  const hex = createHmac("sha256", key).update(`${t}.`).update(body).digest("hex");
  const b64 = createHmac("sha256", key).update(`${id}.${t}.`).update(body).digest("base64");
  return {
    "x-vinr-signature": `t=${t},v1=${hex}`,
    "webhook-id": id,
    "webhook-timestamp": t,
    "webhook-signature": `v1,${b64}`,
  };
}
