// Errors as classes by the contract's `type`, carrying what the API said about them.

/** What every API error carries. */
export interface ErrorDetails {
  type?: string;
  code?: string;
  param?: string;
  decline_code?: string;
  message?: string;
  payment?: unknown;
}

export class VinrError extends Error {
  /** The contract's error type (`invalid_request_error`, `card_error`, …). */
  readonly type: string;
  readonly code?: string;
  readonly param?: string;
  readonly declineCode?: string;
  /** The HTTP status (absent for a connection error). */
  readonly statusCode?: number;
  /** The server's `x-request-id` for this request, to quote when asking about it. */
  readonly requestId?: string;
  /** The error object as the API sent it. */
  readonly raw: ErrorDetails;

  constructor(raw: ErrorDetails, statusCode?: number, requestId?: string) {
    super(raw.message ?? raw.type ?? "VINR request failed");
    this.name = new.target.name;
    this.type = raw.type ?? "api_error";
    this.code = raw.code;
    this.param = raw.param;
    this.declineCode = raw.decline_code;
    this.statusCode = statusCode;
    this.requestId = requestId;
    this.raw = raw;
  }
}

/** A card was declined (402); `payment` is the failed payment. */
export class VinrCardError extends VinrError {
  get payment(): unknown {
    return this.raw.payment;
  }
}
export class VinrInvalidRequestError extends VinrError {}
export class VinrAuthenticationError extends VinrError {}
export class VinrPermissionError extends VinrError {}
export class VinrIdempotencyError extends VinrError {}
export class VinrRateLimitError extends VinrError {}
export class VinrAPIError extends VinrError {}
/** The server could not be reached, or did not answer in time (after the retries). */
export class VinrConnectionError extends VinrError {}

const BY_TYPE: Record<string, typeof VinrError> = {
  card_error: VinrCardError,
  invalid_request_error: VinrInvalidRequestError,
  authentication_error: VinrAuthenticationError,
  permission_error: VinrPermissionError,
  idempotency_error: VinrIdempotencyError,
  rate_limit_error: VinrRateLimitError,
  api_error: VinrAPIError,
};

/** The error for an API answer `{"error": {...}}` with `status`. */
export function errorFromResponse(body: unknown, status: number, requestId?: string): VinrError {
  const raw: ErrorDetails =
    typeof body === "object" && body !== null && "error" in body && typeof body.error === "object" && body.error
      ? (body.error as ErrorDetails)
      : { type: status >= 500 ? "api_error" : "invalid_request_error", message: `HTTP ${status}` };
  const Class = BY_TYPE[raw.type ?? ""] ?? VinrAPIError;
  return new Class(raw, status, requestId);
}
