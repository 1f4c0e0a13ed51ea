import type { RunbookBlock } from "./error-codes.js";
import { type StatusReport, type StoreStatus, stateSymbol, type TargetStatus } from "./report.js";

/** Longer names are cut in the table; --output=json has them whole. */
const MAX_CELL = 48;

/**
 * Store names and error messages come from AWS and users: control characters (terminal
 * escape sequences) and bidirectional overrides are shown as escapes, never sent raw.
 */
export function terminalSafe(text: string): string {
  return text.replace(
    /[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function cell(text: string): string {
  const safe = terminalSafe(text);
  return safe.length > MAX_CELL ? `${safe.slice(0, MAX_CELL - 1)}…` : safe;
}

function columns(header: string[], rows: string[][]): string {
  // A loop, not Math.max(...widths): a fleet's rows are too many arguments for one call.
  const widths = header.map((title, index) =>
    rows.reduce((widest, row) => Math.max(widest, (row[index] ?? "").length), title.length),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((text, index) => (index === row.length - 1 ? text : text.padEnd(widths[index] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function account(item: { accountId: string; accountName: string | undefined }): string {
  return item.accountName === undefined
    ? item.accountId
    : `${cell(item.accountName)} ${item.accountId}`;
}

function storeRow(store: StoreStatus, withKeys: boolean): string[] {
  return [
    `${stateSymbol(store.state) ?? "?"} ${cell(store.state)}`,
    account(store),
    cell(store.region),
    cell(store.name),
    cell(store.id),
    cell(store.error?.code ?? ""),
    ...(withKeys ? [store.keys?.text ?? ""] : []),
  ];
}

function targetRow(target: TargetStatus): string[] {
  return [
    account(target),
    cell(target.region),
    target.status,
    String(target.stores),
    target.pollDurationSeconds === undefined ? "" : `${target.pollDurationSeconds.toFixed(2)} s`,
    target.lastError === undefined
      ? ""
      : terminalSafe(`${target.lastError.name}: ${target.lastError.message}`),
  ];
}

/** The runbook's inline Markdown as plain text. */
function plain(text: string): string {
  return text.replace(/\[([^\]]+)\]\(#[\w-]+\)/g, "$1").replace(/`([^`]+)`/g, "$1");
}

function blocks(meaning: readonly RunbookBlock[]): string {
  return meaning
    .map((block) =>
      typeof block === "string"
        ? plain(block)
        : block.map((item) => `  - ${plain(item)}`).join("\n"),
    )
    .join("\n");
}

/** What each error code in the table means and what to do, once per code. */
function explanations(stores: StoreStatus[]): string[] {
  const seen = new Map<string, StoreStatus["error"]>();
  for (const store of stores) if (store.error) seen.set(store.error.code, store.error);
  return [...seen.values()].map((error) => {
    if (error === undefined) return "";
    const what =
      error.fix === undefined
        ? "This exporter does not know this error code yet; AWS may have added it."
        : `${blocks(error.meaning)}\n  What to do: ${plain(error.fix)}`;
    return `${cell(error.code)}: ${what}\n  ${error.runbookUrl}`;
  });
}

/**
 * The result of `--once` for a person: the counts, every store that is not CONNECTED with
 * what its error code means, and the targets that could not be polled. CONNECTED stores and
 * healthy targets are only counted: a fleet of thousands would bury the problems.
 */
export function renderTable(report: StatusReport, complete: boolean): string {
  const { summary } = report;
  const states = Object.entries(summary.storesByState)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => `${count} ${terminalSafe(state)}`);
  const targets = [
    `${summary.targetsUp} up`,
    summary.targetsDown > 0 ? `${summary.targetsDown} down` : "",
    summary.targetsPending > 0 ? `${summary.targetsPending} not polled` : "",
  ].filter((part) => part !== "");
  const lines = [
    `${summary.stores} stores${states.length > 0 ? `: ${states.join(", ")}` : ""}`,
    `${summary.targets} targets: ${targets.join(", ")}`,
  ];
  if (summary.keysAffected !== undefined) {
    lines.push(
      `${summary.keysAffected} keys in stores not CONNECTED (${summary.enabledKeysAffected ?? 0} Enabled before they went down)`,
    );
  }
  if (!complete) lines.push("Not every target could be polled in time (see the log above).");
  const notConnected = report.stores.filter((store) => store.state !== "CONNECTED");
  const withKeys = summary.keysAffected !== undefined;
  if (notConnected.length > 0) {
    lines.push(
      "",
      columns(
        ["STATE", "ACCOUNT", "REGION", "STORE", "ID", "ERROR CODE", ...(withKeys ? ["KEYS"] : [])],
        notConnected.map((store) => storeRow(store, withKeys)),
      ),
    );
    const explained = explanations(notConnected);
    if (explained.length > 0) lines.push("", explained.join("\n\n"));
  }
  const failing = report.targets.filter((target) => target.status !== "up");
  if (failing.length > 0) {
    lines.push(
      "",
      columns(
        ["ACCOUNT", "REGION", "STATUS", "STORES", "POLL", "LAST ERROR"],
        failing.map(targetRow),
      ),
    );
  }
  return `${lines.join("\n")}\n`;
}
