export {
  DEFAULT_TOLERANCE_SECONDS,
  SignatureVerificationError,
  generateTestHeaders,
  verify,
  verifySignature,
} from "./webhooks.js";
export type { HeaderSource, VerifyOptions } from "./webhooks.js";
export { HttpClient, queryString, retryDelay } from "./client.js";
export type { ClientOptions, ListPage, RequestOptions } from "./client.js";
export {
  VinrAPIError,
  VinrAuthenticationError,
  VinrCardError,
  VinrConnectionError,
  VinrError,
  VinrIdempotencyError,
  VinrInvalidRequestError,
  VinrPermissionError,
  VinrRateLimitError,
  errorFromResponse,
} from "./errors.js";
export { Vinr } from "./vinr.js";
export type { VinrOptions } from "./vinr.js";
export type * from "./generated.js";
export type { Camel, ListResult, Params, VinrObject } from "./runtime.js";
