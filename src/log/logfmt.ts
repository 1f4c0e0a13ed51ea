/**
 * logfmt, the Prometheus ecosystem's default log format (`ts=… level=info msg="…" k=v`).
 * The npm `logfmt` package leaves newlines unescaped, so a hostile store name could forge
 * a log line; this small formatter escapes every control character instead.
 */

const BARE = /^[^\s"=\\\p{Cc}]+$/u;

function quote(text: string): string {
  return `"${text.replace(/[\\"\p{Cc}]/gu, (character) => {
    switch (character) {
      case "\\":
        return "\\\\";
      case '"':
        return '\\"';
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      case "\t":
        return "\\t";
      default:
        return `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`;
    }
  })}"`;
}

function formatValue(value: unknown): string {
  const text =
    typeof value === "string"
      ? value
      : value === null || value === undefined
        ? ""
        : typeof value === "object"
          ? JSON.stringify(value)
          : String(value);
  return BARE.test(text) ? text : quote(text);
}

/** Keys come from logged objects (header names, too): anything but a plain name becomes _. */
function formatKey(key: string): string {
  const clean = key.replace(/[^\w.\-/:]/g, "_");
  return clean === "" ? "_" : clean;
}

/** Nested objects become dotted keys (err.name=…); arrays stay whole, as JSON. */
function flatten(prefix: string, value: unknown, out: [string, unknown][]): void {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0 && prefix !== "") out.push([prefix, ""]);
    for (const [key, inner] of entries) flatten(prefix ? `${prefix}.${key}` : key, inner, out);
    return;
  }
  out.push([prefix, value]);
}

/** One pino JSON line → one logfmt line: ts, level and msg first, then the rest in order. */
export function jsonLineToLogfmt(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `level=error msg=${quote("unparseable log line")} line=${quote(line.trimEnd())}\n`;
  }
  const { time, level, msg, ...rest } = record;
  const pairs: [string, unknown][] = [
    ["ts", typeof time === "number" ? new Date(time).toISOString() : time],
    ["level", level],
  ];
  if (msg !== undefined) pairs.push(["msg", msg]);
  flatten("", rest, pairs);
  return `${pairs.map(([key, value]) => `${formatKey(key)}=${formatValue(value)}`).join(" ")}\n`;
}
