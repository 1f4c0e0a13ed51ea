import { escapeHtml } from "../../text/html.js";
import type { KeysStatus } from "./status.js";

/** The status page's words for a store's keys. */
export function keysCell(keys: KeysStatus): string {
  return `<p data-keys="${keys.total}" data-enabled-before-down="${keys.enabledBeforeDown}">${escapeHtml(keys.text)}</p>`;
}
