import { atRiskRow, enrichmentCell, showsEnrichment } from "../enrichment/status-html.js";
import {
  RUNBOOKS_URL,
  type StatusReport,
  type StoreStatus,
  type TargetStatus,
} from "../status/report.js";
import {
  escapeHtml,
  humanDuration,
  runbookBlocks,
  runbookInline,
  STATUS_PAGE_STYLE,
  stateBadge,
  stateClass,
  time,
  utc,
} from "./html.js";

/**
 * Rows beyond this are left out of the page (most urgent first, so nothing broken hides
 * behind healthy stores): a fleet of 50,000 stores would make a page no browser shows
 * well. /status.json and the filters reach every store.
 */
export const MAX_PAGE_ROWS = 1_000;

function accountCell(accountId: string, accountName: string | undefined): string {
  return accountName === undefined
    ? `<td>${escapeHtml(accountId)}</td>`
    : `<td>${escapeHtml(accountName)}<br><span class="id">${escapeHtml(accountId)}</span></td>`;
}

function explanation(store: StoreStatus): string {
  const { error } = store;
  if (error === undefined) {
    if (store.state === "CONNECTED") return "";
    return `<a href="${escapeHtml(store.runbookUrl)}">Runbook for ${escapeHtml(store.state)} stores</a>`;
  }
  const code = `<strong class="code"><a href="${escapeHtml(error.runbookUrl)}">${escapeHtml(error.code)}</a></strong>`;
  if (error.fix === undefined) {
    return `${code}<p>This exporter does not know this error code yet; AWS may have added it. See the <a href="${escapeHtml(error.runbookUrl)}">list of connection error codes</a> and the AWS documentation.</p>`;
  }
  return `${code}<div class="meaning"><span class="label">What it means:</span>${runbookBlocks(error.meaning)}</div><p><span class="label">What to do:</span> ${runbookInline(error.fix)} <a href="${escapeHtml(error.runbookUrl)}">Runbook section</a></p>`;
}

function timeInState(store: StoreStatus): string {
  if (store.stateSince === undefined || store.stateSeconds === undefined) return "—";
  const age = humanDuration(store.stateSeconds);
  const since = time(store.stateSince, utc(store.stateSince));
  const changes = `${store.stateChanges} change${store.stateChanges === 1 ? "" : "s"} seen`;
  return store.stateChangeSeen
    ? `${age}<br><span class="id">since ${since}, ${changes}</span>`
    : `at least ${age}<br><span class="id">first seen ${since}</span>`;
}

function storeRow(store: StoreStatus, enriched: boolean): string {
  return `<tr class="${stateClass(store.state)}${store.atRisk ? " at-risk" : ""}">${accountCell(store.accountId, store.accountName)}<td class="nowrap">${escapeHtml(store.region)}</td><td class="store">${escapeHtml(store.name)}<br><span class="id">${escapeHtml(store.id)}</span></td><td>${escapeHtml(store.type)}</td><td>${stateBadge(store.state)}</td><td class="explanation">${explanation(store)}</td><td>${timeInState(store)}</td><td>${time(store.creationDate, store.creationDate?.slice(0, 10))}</td>${enriched ? enrichmentCell(store) : ""}</tr>`;
}

const TARGET_STATUS: Record<TargetStatus["status"], string> = {
  up: '<span class="state state-connected"><span aria-hidden="true">✔</span> up</span>',
  down: '<span class="state state-failed"><span aria-hidden="true">✖</span> down</span>',
  pending:
    '<span class="state state-connecting"><span aria-hidden="true">…</span> not polled yet</span>',
};

function targetRow(target: TargetStatus): string {
  const lastSuccess =
    target.lastSuccess === undefined || target.lastSuccessSeconds === undefined
      ? "never"
      : `${time(target.lastSuccess, `${humanDuration(target.lastSuccessSeconds)} ago`)}`;
  const duration =
    target.pollDurationSeconds === undefined ? "—" : `${target.pollDurationSeconds.toFixed(2)} s`;
  const error =
    target.lastError === undefined
      ? ""
      : `<strong>${escapeHtml(target.lastError.name)}</strong>: ${escapeHtml(target.lastError.message)}`;
  return `<tr class="target-${target.status}">${accountCell(target.accountId, target.accountName)}<td class="nowrap">${escapeHtml(target.region)}</td><td>${TARGET_STATUS[target.status]}</td><td>${target.stores}</td><td>${lastSuccess}</td><td>${duration}</td><td>${error}</td></tr>`;
}

function options(values: [value: string, label: string][], selected: string[]): string {
  return values
    .map(
      ([value, label]) =>
        `<option value="${escapeHtml(value)}"${selected.includes(value) ? " selected" : ""}>${escapeHtml(label)}</option>`,
    )
    .join("");
}

function filterForm(report: StatusReport): string {
  const states = Object.keys(report.summary.storesByState);
  const accounts = new Map<string, string>();
  const regions = new Set<string>();
  for (const target of report.targets) {
    accounts.set(
      target.accountId,
      target.accountName === undefined
        ? target.accountId
        : `${target.accountName} (${target.accountId})`,
    );
    regions.add(target.region);
  }
  const { filters } = report;
  return `<form method="get" action="/" class="filters" aria-label="Filter the key stores">
<label for="filter-state">State</label>
<select id="filter-state" name="state"><option value="">any</option>${options(
    states.map((state) => [state, state]),
    filters.states,
  )}</select>
<label for="filter-account">Account</label>
<select id="filter-account" name="account"><option value="">any</option>${options(
    [...accounts].sort((a, b) => a[1].localeCompare(b[1])),
    filters.accounts,
  )}</select>
<label for="filter-region">Region</label>
<select id="filter-region" name="region"><option value="">any</option>${options(
    [...regions].sort().map((region) => [region, region]),
    filters.regions,
  )}</select>
<button type="submit">Filter</button> <a href="/">Show all</a>
</form>`;
}

function filterDescription(report: StatusReport): string {
  const { filters } = report;
  const parts = [
    filters.states.length > 0 ? `state ${filters.states.join(" or ")}` : "",
    filters.accounts.length > 0 ? `account ${filters.accounts.join(" or ")}` : "",
    filters.regions.length > 0 ? `region ${filters.regions.join(" or ")}` : "",
  ].filter((part) => part !== "");
  const shown = Math.min(report.stores.length, MAX_PAGE_ROWS);
  const cut =
    report.stores.length > MAX_PAGE_ROWS
      ? ` The first ${MAX_PAGE_ROWS} are shown; use the filters or /status.json for the rest.`
      : "";
  return `<p id="stores-shown">${report.stores.length} of ${report.summary.stores} stores${parts.length > 0 ? `, filtered by ${escapeHtml(parts.join(", "))}` : ""}; not CONNECTED first.${cut}</p>${shown === 0 ? '<p class="empty">No store matches.</p>' : ""}`;
}

function summary(report: StatusReport): string {
  const { summary: counts } = report;
  const stateRows = Object.entries(counts.storesByState)
    .map(
      ([state, count]) =>
        `<tr class="${count > 0 ? stateClass(state) : ""}"><th scope="row">${stateBadge(state)}</th><td data-state-count="${escapeHtml(state)}">${count}</td></tr>`,
    )
    .join("");
  const lastSuccess =
    counts.lastSuccess === undefined
      ? "no successful poll yet"
      : `last successful poll ended ${time(counts.lastSuccess, utc(counts.lastSuccess))}`;
  const oldest =
    counts.oldestSuccess === undefined
      ? ""
      : `; the oldest target data is from ${time(counts.oldestSuccess, utc(counts.oldestSuccess))}`;
  return `<section aria-labelledby="summary-heading">
<h2 id="summary-heading">Summary</h2>
<div class="summary">
<table>
<caption>Stores by state (${counts.stores} in all)</caption>
<thead><tr><th scope="col">State</th><th scope="col">Stores</th></tr></thead>
<tbody>${stateRows}</tbody>
<tfoot>${atRiskRow(report)}</tfoot>
</table>
<table>
<caption>Targets (account and region)</caption>
<thead><tr><th scope="col">Status</th><th scope="col">Targets</th></tr></thead>
<tbody>
<tr${counts.targetsUp > 0 ? ' class="state-connected"' : ""}><th scope="row">${TARGET_STATUS.up}</th><td data-target-count="up">${counts.targetsUp}</td></tr>
<tr${counts.targetsDown > 0 ? ' class="state-failed"' : ""}><th scope="row">${TARGET_STATUS.down}</th><td data-target-count="down">${counts.targetsDown}</td></tr>
<tr><th scope="row">${TARGET_STATUS.pending}</th><td data-target-count="pending">${counts.targetsPending}</td></tr>
</tbody>
</table>
</div>
<p>Polled every ${report.intervalSeconds} s: ${lastSuccess}${oldest}. Version ${escapeHtml(report.version)}.</p>
</section>`;
}

/** The human status page: what is broken first, what each error means, and how fresh it is. */
export function renderStatusPage(report: StatusReport, telemetryPath: string): string {
  const counts = report.summary.storesByState;
  const title = `${counts.FAILED ?? 0} FAILED, ${report.summary.storesNotConnected} not CONNECTED of ${report.summary.stores} KMS key stores`;
  const query = new URLSearchParams();
  for (const state of report.filters.states) query.append("state", state);
  for (const account of report.filters.accounts) query.append("account", account);
  for (const region of report.filters.regions) query.append("region", region);
  const json = `/status.json${query.size > 0 ? `?${query}` : ""}`;
  const metrics = escapeHtml(telemetryPath);
  const enriched = showsEnrichment(report);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${Math.max(1, Math.round(report.intervalSeconds))}">
<title>${escapeHtml(title)} · kms-keystore-exporter</title>
<style>${STATUS_PAGE_STYLE}</style>
</head>
<body>
<header>
<h1>KMS custom key stores</h1>
<p>kms-keystore-exporter ${escapeHtml(report.version)}. This page was made at ${time(report.generatedAt, utc(report.generatedAt))} from the last polls (never from a call to AWS) and reloads itself every ${report.intervalSeconds} s.</p>
<nav aria-label="Other pages"><ul>
<li><a href="${metrics}">Metrics (${metrics})</a></li>
<li><a href="${escapeHtml(json)}">This data as JSON (/status.json)</a></li>
<li><a href="${RUNBOOKS_URL}">Runbooks</a></li>
<li><a href="/healthz">/healthz</a></li>
<li><a href="/readyz">/readyz</a></li>
</ul></nav>
</header>
<main>
${summary(report)}
<section aria-labelledby="stores-heading">
<h2 id="stores-heading">Key stores</h2>
${filterForm(report)}
${filterDescription(report)}
<table id="stores">
<caption>Custom key stores, not CONNECTED first</caption>
<thead><tr><th scope="col">Account</th><th scope="col">Region</th><th scope="col">Store</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Error code: what it means and what to do</th><th scope="col">Time in state</th><th scope="col">Created</th>${enriched ? '<th scope="col">Keys, CloudHSM cluster or XKS proxy</th>' : ""}</tr></thead>
<tbody>
${report.stores
  .slice(0, MAX_PAGE_ROWS)
  .map((store) => storeRow(store, enriched))
  .join("\n")}
</tbody>
</table>
</section>
<section aria-labelledby="targets-heading">
<h2 id="targets-heading">Targets</h2>
<table id="targets">
<caption>Each account and region the exporter polls, failing ones first</caption>
<thead><tr><th scope="col">Account</th><th scope="col">Region</th><th scope="col">Last poll</th><th scope="col">Stores</th><th scope="col">Last success</th><th scope="col">Poll duration</th><th scope="col">Last error</th></tr></thead>
<tbody>
${report.targets.map(targetRow).join("\n")}
</tbody>
</table>
</section>
</main>
</body>
</html>
`;
}
