/**
 * HTML building blocks shared by the status page and the enrichments' cells in it:
 * escaping and times.
 */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** For text and attribute values alike; every value that came from AWS goes through it. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

export function time(isoText: string | undefined, text = isoText): string {
  if (isoText === undefined || text === undefined) return "—";
  return `<time datetime="${escapeHtml(isoText)}">${escapeHtml(text)}</time>`;
}

/** ISO 8601 as "2026-12-01 14:03:07 UTC". */
export function utc(isoText: string): string {
  return `${isoText.slice(0, 10)} ${isoText.slice(11, 19)} UTC`;
}
