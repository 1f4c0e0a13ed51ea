/**
 * Values from AWS (store names, error messages, ids) can be any length. A log line is cut
 * to a size an operator can read and a log pipeline can carry: each string value at
 * 256 characters, with an ellipsis and its full length, so a cut is never mistaken for
 * the whole value.
 */

export const MAX_LOGGED_CHARACTERS = 256;
/** A message may quote an AWS value among our words: four times a value's room. */
export const MAX_MESSAGE_CHARACTERS = 4 * MAX_LOGGED_CHARACTERS;
/** A stack trace is ours, not AWS's, and worth more room; its message line can still be huge. */
const MAX_STACK_CHARACTERS = 4_096;

export function clip(text: string, max = MAX_LOGGED_CHARACTERS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

function walk(value: unknown, max: number): unknown {
  if (typeof value === "string") return clip(value, max);
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => walk(item, max));
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    copy[key] = walk(inner, key === "stack" ? MAX_STACK_CHARACTERS : max);
  }
  return copy;
}

/**
 * A copy of a log object with every string value clipped. Meant for objects that already
 * went through redactSecrets: plain data, no cycles, bounded depth.
 */
export function clipStrings(object: Record<string, unknown>): Record<string, unknown> {
  return walk(object, MAX_LOGGED_CHARACTERS) as Record<string, unknown>;
}
