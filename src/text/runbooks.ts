/** Where the status page, /status.json and `--once` send people for the full runbooks. */
export const RUNBOOKS_URL =
  "https://github.com/kms-keystore-exporter/kms-keystore-exporter/blob/main/docs/runbooks.md";

/** A section of the runbooks by its anchor (GitHub's: the heading in lower case). */
export function runbookSection(anchor: string): string {
  return `${RUNBOOKS_URL}#${anchor}`;
}
