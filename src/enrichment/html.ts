import { escapeHtml, time, utc } from "../text/html.js";

/** Pieces of the enrichment cells of the status page; each AWS value is escaped. */

/** Fractional days or counts from CloudWatch, at most one decimal (a number: nothing to escape). */
export function amount(value: number): string {
  return String(Number(value.toFixed(1)));
}

export function counts(byState: Record<string, number>): string {
  return Object.entries(byState)
    .map(([state, count]) => `${amount(count)} ${escapeHtml(state)}`)
    .join(", ");
}

/** Words and a symbol, so the flag does not rest on colour. */
export function riskFlag(reasons: string[], runbookUrl: string, runbook: string): string {
  return `<p><strong class="risk"><span aria-hidden="true">⚠</span> at risk</strong>: ${escapeHtml(reasons.join("; "))}. <a href="${escapeHtml(runbookUrl)}">Runbook: ${runbook}</a></p>`;
}

export function asOf(iso: string): string {
  return `<span class="id">as of ${time(iso, utc(iso))}</span>`;
}
