/**
 * Secrets must never reach a log line, whatever object a caller passes along and however
 * deep (an SDK error can carry the request and its credentials, a config the role's
 * external id, an HTTP request its Authorization header). A walk over every logged
 * object, at every level, replaces values under secret-naming keys; path lists (pino's
 * redact) only catch the depths someone thought of.
 */

export const REDACTED = "[redacted]";

/** Key names, lower case without separators, whose values are secret. */
const SECRET_KEYS = new Set([
  "accesskeyid",
  "secretaccesskey",
  "sessiontoken",
  "securitytoken",
  "xamzsecuritytoken",
  "credentials",
  "externalid",
  "memberexternalid",
  "password",
  "passwd",
  "secret",
  "token",
  "authorization",
  "proxyauthorization",
  "cookie",
  "setcookie",
  "privatekey",
]);

/** AWS access key ids (long-term AKIA…, temporary ASIA…) wherever they appear in text. */
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;

const MAX_DEPTH = 8;

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase().replace(/[^a-z0-9]/g, ""));
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === "string") return value.replace(ACCESS_KEY_ID, REDACTED);
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[circular]";
  if (depth >= MAX_DEPTH) return "[too deep]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, seen));
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  const source: Record<string, unknown> =
    value instanceof Error
      ? { ...value, type: value.name, message: value.message, stack: value.stack }
      : (value as Record<string, unknown>);
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(source)) {
    copy[key] = isSecretKey(key) ? REDACTED : walk(inner, depth + 1, seen);
  }
  return copy;
}

/** A copy of a log object with every secret replaced; the original is left alone. */
export function redactSecrets(object: Record<string, unknown>): Record<string, unknown> {
  return walk(object, 0, new WeakSet()) as Record<string, unknown>;
}
