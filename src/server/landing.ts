import type { TargetState } from "../state/state.js";

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

function targetRow(state: TargetState): string {
  const { target } = state;
  const stores = state.stores ?? [];
  const notConnected = stores.filter((store) => store.state !== "CONNECTED").length;
  const status = !state.polled
    ? "pending"
    : state.up
      ? "up"
      : `down: ${state.lastError?.name ?? ""}`;
  const cells = [
    target.accountId,
    target.accountName ?? "",
    target.region,
    status,
    String(stores.length),
    String(notConnected),
    state.lastSuccessMs === undefined ? "never" : new Date(state.lastSuccessMs).toISOString(),
  ];
  return `<tr>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join("")}</tr>`;
}

/** The human landing page: where things are, and which targets answer. */
export function renderLandingPage(
  telemetryPath: string,
  version: string,
  states: Iterable<TargetState>,
): string {
  const rows = [...states].map(targetRow).join("\n");
  const path = escapeHtml(telemetryPath);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>KMS Keystore Exporter</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left}</style>
</head>
<body>
<h1>KMS Keystore Exporter</h1>
<p>Version ${escapeHtml(version)}. Exports the connection state of AWS KMS custom key stores.</p>
<ul>
<li><a href="${path}">Metrics</a> (${path})</li>
<li><a href="/healthz">/healthz</a>: the process is alive</li>
<li><a href="/readyz">/readyz</a>: every target has been polled at least once</li>
</ul>
<h2>Targets</h2>
<table>
<thead><tr><th>Account</th><th>Name</th><th>Region</th><th>Last poll</th><th>Stores</th><th>Not CONNECTED</th><th>Last success</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}
