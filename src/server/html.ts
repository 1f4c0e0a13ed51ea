import type { RunbookBlock } from "../status/error-codes.js";
import { RUNBOOKS_URL, stateSymbol } from "../status/report.js";
import { escapeHtml } from "../text/html.js";

/** HTML building blocks of the status page: runbook text, times, states. */

export { escapeHtml, time, utc } from "../text/html.js";

/** The runbook's inline Markdown (`code`, [text](#anchor)), from the repository's own docs. */
export function runbookInline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(
      /\[([^\]]+)\]\(#([\w-]+)\)/g,
      (_whole, label: string, anchor: string) => `<a href="${RUNBOOKS_URL}#${anchor}">${label}</a>`,
    );
}

export function runbookBlocks(blocks: readonly RunbookBlock[]): string {
  return blocks
    .map((block) =>
      typeof block === "string"
        ? `<p>${runbookInline(block)}</p>`
        : `<ul>${block.map((item) => `<li>${runbookInline(item)}</li>`).join("")}</ul>`,
    )
    .join("");
}

/** "1h 2m", "3m 4s", "5s": a person's reading of an age. */
export function humanDuration(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  const rest = Math.floor(seconds % 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m ${rest}s`;
  return `${rest}s`;
}

/** The symbol makes the state readable without colour; the word says it in full. */
export function stateClass(state: string): string {
  return `state-${stateSymbol(state) === undefined ? "unknown" : state.toLowerCase()}`;
}

export function stateBadge(state: string): string {
  const symbol = stateSymbol(state) ?? "?";
  return `<span class="state ${stateClass(state)}"><span aria-hidden="true">${symbol}</span> ${escapeHtml(state)}</span>`;
}

export const STATUS_PAGE_STYLE = `
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1a1a1a;background:#fff;line-height:1.4}
h1{margin:0 0 .25rem}h2{margin-top:2rem}
nav ul{list-style:none;padding:0;display:flex;gap:1.25rem;flex-wrap:wrap}
a{color:#0645ad}
table{border-collapse:collapse;margin:.5rem 0}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th{background:#e8e8e8}
.summary{display:flex;gap:2rem;flex-wrap:wrap;align-items:flex-start}
.id{font-family:ui-monospace,monospace;font-size:.85em;color:#444}
.state{font-weight:700;white-space:nowrap}
.state-failed .state,.state.state-failed{color:#8a0000}
.state-connected .state,.state.state-connected{color:#0a5c1d}
.state-connecting .state,.state-disconnecting .state,.state-unknown .state,.state.state-connecting{color:#6b4700}
.state-disconnected .state{color:#333}
tr.state-failed td,tr.state-failed th{background:#fdecec}
tr.state-unknown td,tr.state-connecting td,tr.state-disconnecting td{background:#fff6dd}
tr.state-disconnected td{background:#f1f1f1}
tr.target-down td{background:#fdecec}
tr.state-connected.at-risk td,tfoot tr.at-risk td,tfoot tr.at-risk th{background:#fff6dd}
.risk{color:#6b4700;font-weight:700}.critical{color:#8a0000;font-weight:700}
.enrichment{min-width:14rem;max-width:20rem}.enrichment p{margin:.2rem 0}
.explanation{min-width:20rem;max-width:42rem}.explanation p{margin:.3rem 0}
.label{font-weight:600;margin-right:.3em}
.nowrap{white-space:nowrap}
.meaning p:first-of-type{display:inline}
.filters{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap;margin:.5rem 0}
code{background:#f3f3f3;padding:0 .2em}
`;
