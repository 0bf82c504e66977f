// The HTTP runtime every resource method goes through: keys, JSON bodies, query strings,
// idempotency keys, retries with jittered backoff, errors as classes, and list pagination.

import { randomUUID } from "node:crypto";
import { camelAliases, snakeKeys } from "./casing.js";
import { VinrConnectionError, errorFromResponse } from "./errors.js";

export interface ClientOptions {
  /** A secret key (`sk_test_…`); default `VINR_SECRET_KEY`. */
  apiKey?: string;
  /** Where the server is; default `VINR_API_BASE`, else http://127.0.0.1:3000. */
  baseUrl?: string;
  /** Retries after the first attempt (connection errors, timeouts, 429, 5xx); default 2. */
  maxRetries?: number;
  /** Milliseconds an attempt may take; default 30 000. */
  timeout?: number;
  /** The endpoint's signing secret for `webhooks.verify`; default `VINR_WEBHOOK_SECRET`. */
  webhookSecret?: string;
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch;
  /** Longest single wait between retries, in milliseconds (default 8 000). */
  maxRetryDelay?: number;
}

export interface RequestOptions {
  /** Sent as `Idempotency-Key` (default: one generated per call, the same for its retries). */
  idempotencyKey?: string;
  maxRetries?: number;
  timeout?: number;
  /** Another key for this call (a connected account's, for instance). */
  apiKey?: string;
}

/** A list page as the API answers it. */
export interface ListPage<T> {
  object: "list";
  data: T[];
  has_more: boolean;
  url: string;
}

type Params = Record<string, unknown>;

function env(name: string): string | undefined {
  return typeof process !== "undefined" ? process.env[name] : undefined;
}

/** `params` as a query string with bracket nesting (`expand[]=customer`, `created[gte]=1`). */
export function queryString(params: Params): string {
  const pairs: string[] = [];
  const add = (key: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) value.forEach((v) => add(`${key}[]`, v));
    else if (typeof value === "object") {
      for (const [k, v] of Object.entries(value as Params)) add(`${key}[${k}]`, v);
    } else pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  };
  for (const [k, v] of Object.entries(snakeKeys(params) as Params)) add(k, v);
  return pairs.join("&");
}

/** Milliseconds before retry `attempt` (1, 2, …): exponential from 500 ms, capped, with
 * jitter (half to all of it) so that many clients do not retry in step; a 429's `Retry-After`
 * (seconds) is honoured when longer. */
export function retryDelay(attempt: number, retryAfter: string | null, cap: number): number {
  const base = Math.min(cap, 500 * 2 ** (attempt - 1));
  const jittered = base * (0.5 + Math.random() / 2);
  const asked = retryAfter !== null && /^\d+(\.\d+)?$/.test(retryAfter.trim()) ? Number(retryAfter) * 1000 : 0;
  return Math.min(Math.max(jittered, asked), Math.max(cap, asked));
}

const idOf = (object: unknown): unknown => (object as { id?: unknown }).id;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class HttpClient {
  readonly apiKey: string;
  readonly baseUrl: string;
  readonly webhookSecret?: string;
  private readonly maxRetries: number;
  private readonly timeout: number;
  private readonly maxRetryDelay: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ClientOptions = {}) {
    this.apiKey = options.apiKey ?? env("VINR_SECRET_KEY") ?? "";
    this.baseUrl = (options.baseUrl ?? env("VINR_API_BASE") ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
    this.webhookSecret = options.webhookSecret ?? env("VINR_WEBHOOK_SECRET");
    this.maxRetries = options.maxRetries ?? 2;
    this.timeout = options.timeout ?? 30_000;
    this.maxRetryDelay = options.maxRetryDelay ?? 8_000;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  /** One API call: `path` below the base URL (`/v1/payments`), `params` as the query of a GET
   * or DELETE, else as the JSON body. */
  async request<T>(method: string, path: string, params: Params = {}, options: RequestOptions = {}): Promise<T> {
    const isBodyless = method === "GET" || method === "DELETE";
    const query = isBodyless ? queryString(params) : "";
    const url = `${this.baseUrl}${path}${query ? `?${query}` : ""}`;
    const headers: Record<string, string> = {
      "x-api-key": options.apiKey ?? this.apiKey,
      accept: "application/json",
      "user-agent": "vinr-node/0.1.0",
    };
    let body: string | undefined;
    if (!isBodyless) {
      headers["content-type"] = "application/json";
      headers["idempotency-key"] = options.idempotencyKey ?? `vinr-node-${randomUUID()}`;
      body = JSON.stringify(snakeKeys(params));
    }
    const retries = options.maxRetries ?? this.maxRetries;
    const timeout = options.timeout ?? this.timeout;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await this.fetchImpl(url, { method, headers, body, signal: AbortSignal.timeout(timeout) });
      } catch (cause) {
        if (attempt < retries) {
          await sleep(retryDelay(attempt + 1, null, this.maxRetryDelay));
          continue;
        }
        const timedOut = cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "AbortError");
        throw new VinrConnectionError({
          type: "connection_error",
          message: timedOut
            ? `No answer from ${this.baseUrl} within ${timeout} ms.`
            : `Could not reach ${this.baseUrl}: ${cause instanceof Error ? cause.message : String(cause)}`,
        });
      }
      const requestId = response.headers.get("x-request-id") ?? undefined;
      if ((response.status === 429 || response.status >= 500) && attempt < retries) {
        await response.body?.cancel();
        await sleep(retryDelay(attempt + 1, response.headers.get("retry-after"), this.maxRetryDelay));
        continue;
      }
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : {};
      } catch {
        parsed = undefined;
      }
      if (!response.ok) throw errorFromResponse(parsed, response.status, requestId);
      if (parsed === undefined) {
        throw errorFromResponse(undefined, response.status >= 500 ? response.status : 502, requestId);
      }
      return camelAliases(parsed as T);
    }
  }

  /** Every object of a list, page after page (`for await (const p of client.list(...))`);
   * `first`, when the first page was asked for already. */
  async *list<T>(
    path: string,
    params: Params = {},
    options: RequestOptions = {},
    first?: Promise<ListPage<T>>,
  ): AsyncGenerator<T> {
    let query: Params = { ...params };
    for (let next = first; ; next = undefined) {
      const page = await (next ?? this.request<ListPage<T>>("GET", path, query, options));
      for (const item of page.data) yield item;
      const last = page.data[page.data.length - 1];
      if (!page.has_more || last === undefined) return;
      // Going backwards when the caller started with ending_before, else forwards.
      query = "ending_before" in query
        ? { ...query, ending_before: idOf(page.data[0]) }
        : { ...query, starting_after: idOf(last) };
    }
  }
}
