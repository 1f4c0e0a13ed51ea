import { awsErrorName } from "./error-label.js";

export interface ClassifiedError {
  /** The `error` label: the AWS exception name, or what kind of transport failure it was. */
  name: string;
  retryable: boolean;
  /** The service asked us to slow down (the rate limiter backs off). */
  throttled?: boolean;
}

const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
]);
const TIMEOUTS = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);
const CONNECTION_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ERR_STREAM_PREMATURE_CLOSE",
]);
/** Names that say nothing about the failure; the HTTP status says more. */
const VAGUE_NAMES = new Set(["Error", "UnknownError", "Unknown", "SyntaxError", "TypeError"]);

interface SdkLikeError {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Decides the error label and whether a retry can help. Retryable: throttling, KMS internal
 * errors and other 5xx, timeouts, connection failures. Everything else (access, validation,
 * bodies that do not parse) fails the poll at once, because asking again gives the same.
 */
export function classifyError(error: unknown): ClassifiedError {
  const sdkError = (typeof error === "object" && error !== null ? error : {}) as SdkLikeError;
  // The name comes from the answer: a made-up one (any length, any characters) is `Other`.
  const rawName = typeof sdkError.name === "string" ? awsErrorName(sdkError.name) : "UnknownError";
  const code = typeof sdkError.code === "string" ? sdkError.code : undefined;
  const status = sdkError.$metadata?.httpStatusCode;

  // Checked first: the SDK names a reset connection TimeoutError so that it is retried.
  if (code !== undefined && CONNECTION_CODES.has(code)) return { name: code, retryable: true };
  if (TIMEOUTS.has(rawName) || code === "ETIMEDOUT")
    return { name: "TimeoutError", retryable: true };
  if (THROTTLING.has(rawName) || status === 429) {
    return {
      name: THROTTLING.has(rawName) ? rawName : "ThrottlingException",
      retryable: true,
      throttled: true,
    };
  }
  if (status !== undefined && status >= 500) {
    return {
      name: VAGUE_NAMES.has(rawName) ? `HTTP${status}` : rawName,
      retryable: status !== 501,
    };
  }
  // A 2xx that failed to deserialize (the SDK throws `TypeError: Expected real number` on an
  // ISO CreationDate) is a bad answer, not a bug of ours.
  const answered = status !== undefined && status >= 200 && status < 300;
  if (
    rawName === "SyntaxError" ||
    rawName === "InvalidResponse" ||
    (answered && VAGUE_NAMES.has(rawName))
  ) {
    return { name: "InvalidResponse", retryable: false };
  }
  return { name: rawName, retryable: false };
}
