export {
  DEFAULT_TOLERANCE_SECONDS,
  SignatureVerificationError,
  generateTestHeaders,
  verify,
  verifySignature,
} from "./webhooks.js";
export type { HeaderSource, VerifyOptions } from "./webhooks.js";
