// The client merchants use: `new Vinr({ secretKey })`, then `vinr.payments.create(...)`.

import { HttpClient, type ClientOptions } from "./client.js";
import { resources } from "./generated.js";
import {
  DEFAULT_TOLERANCE_SECONDS,
  generateTestHeaders,
  verify,
  type HeaderSource,
} from "./webhooks.js";

export interface VinrOptions extends ClientOptions {
  /** The guides' name for `apiKey`. */
  secretKey?: string;
}

type Resources = ReturnType<typeof resources>;

// The resource namespaces are generated; the class takes their shape.
export interface Vinr extends Resources {}

export class Vinr {
  /** The HTTP runtime, for an endpoint the SDK has no method for yet. */
  readonly http: HttpClient;
  readonly webhooks: {
    /** Verifies a delivery (the x-vinr-signature value or all headers) with the client's
     * `webhookSecret` unless `secret` is given; returns the event. */
    verify(payload: string | Buffer, signature: string | HeaderSource | null | undefined, secret?: string, tolerance?: number): any;
    /** Headers as VINR would sign `payload`, for testing a handler. */
    generateTestHeaders(payload: string | Buffer, secret?: string): Record<string, string>;
  };

  constructor(options: VinrOptions | string = {}) {
    const opts: VinrOptions = typeof options === "string" ? { apiKey: options } : options;
    this.http = new HttpClient({ ...opts, apiKey: opts.apiKey ?? opts.secretKey });
    Object.assign(this, resources(this.http));
    const secretOf = (secret?: string): string => {
      const s = secret ?? this.http.webhookSecret;
      if (!s) throw new Error("No webhook secret: pass one, or set webhookSecret / VINR_WEBHOOK_SECRET.");
      return s;
    };
    this.webhooks = {
      verify: (payload, signature, secret, tolerance = DEFAULT_TOLERANCE_SECONDS) =>
        verify(payload, signature, secretOf(secret), { tolerance }),
      generateTestHeaders: (payload, secret) => generateTestHeaders(payload, secretOf(secret)),
    };
  }
}
