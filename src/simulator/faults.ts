import type { FaultSpec } from "./scenario.js";

/** A region's faults that script `operation` (faults without one script DescribeCustomKeyStores). */
export function faultsFor(faults: readonly FaultSpec[], operation: string): FaultSpec[] {
  return faults.filter((fault) => (fault.operation ?? "DescribeCustomKeyStores") === operation);
}

/**
 * The first scripted fault that applies to the `callNumber`-th (1-based) DescribeCustomKeyStores
 * call on a target. Random numbers are drawn only for probabilistic faults that are reached,
 * so a seeded run replays the same fault sequence.
 */
export function pickFault(
  faults: readonly FaultSpec[],
  callNumber: number,
  random: () => number,
): FaultSpec | undefined {
  return faults.find((fault) => {
    if (fault.calls !== undefined) return fault.calls.includes(callNumber);
    if (fault.probability !== undefined) return random() < fault.probability;
    return true;
  });
}

/** A DescribeCustomKeyStores page as the simulator would send it, before a fault bends it. */
export interface WirePage {
  CustomKeyStores: Array<Record<string, unknown>>;
  Truncated: boolean;
  NextMarker?: string;
}

/** Larger than any answer the exporter accepts (its body limit is 8 MiB). */
const HUGE_BODY_BYTES = 9 * 1024 * 1024;
/** A name far past the documented 256 characters, to show it never reaches a log line whole. */
const HUGE_NAME_CHARACTERS = 1024 * 1024;

/**
 * 200 answers that KMS never sends but a broken proxy, a fake or a bug might: each turns the
 * page the simulator would have sent into the body that goes on the wire. The documented
 * shape (API_DescribeCustomKeyStores: `CustomKeyStores` list, `Truncated` boolean, entries
 * per API_CustomKeyStoresListEntry) is what each of them breaks.
 */
export const MALFORMED_PAGES = {
  "empty-body": () => "",
  "empty-object": () => "{}",
  "null-list": (page: WirePage) => JSON.stringify({ ...page, CustomKeyStores: null }),
  "array-body": (page: WirePage) => JSON.stringify(page.CustomKeyStores),
  "object-list": (page: WirePage) =>
    JSON.stringify({ ...page, CustomKeyStores: { ...page.CustomKeyStores } }),
  "null-entry": (page: WirePage) =>
    JSON.stringify({ ...page, CustomKeyStores: [...page.CustomKeyStores, null] }),
  "iso-creation-date": (page: WirePage) =>
    JSON.stringify({
      ...page,
      CustomKeyStores: page.CustomKeyStores.map((store) => ({
        ...store,
        CreationDate: new Date(Number(store.CreationDate) * 1000).toISOString(),
      })),
    }),
  "huge-name": (page: WirePage) =>
    JSON.stringify({
      ...page,
      CustomKeyStores: page.CustomKeyStores.map((store) => ({
        ...store,
        CustomKeyStoreName: "n".repeat(HUGE_NAME_CHARACTERS),
      })),
    }),
  /** One entry more than the request's Limit, each with an id of its own. */
  "over-limit": (page: WirePage, limit: number) =>
    JSON.stringify({
      ...page,
      CustomKeyStores: Array.from({ length: limit + 1 }, (_, index) => ({
        ...page.CustomKeyStores[index % Math.max(1, page.CustomKeyStores.length)],
        CustomKeyStoreId: `cks-${String(index).padStart(17, "0")}`,
      })),
    }),
  /** Valid JSON (trailing whitespace), just too large. */
  "huge-body": (page: WirePage) => JSON.stringify(page).padEnd(HUGE_BODY_BYTES, " "),
} satisfies Record<string, (page: WirePage, limit: number) => string>;

export type MalformedPageKind = keyof typeof MALFORMED_PAGES;

export function isMalformedPage(kind: string): kind is MalformedPageKind {
  return Object.hasOwn(MALFORMED_PAGES, kind);
}

/**
 * Error answers with names KMS never uses: a new name on every call (`callNumber`), or one
 * 64 KiB long (with a 1 MiB message). The exporter must bound the `error` label values and
 * the log lines they become.
 */
export function strangeErrorName(
  kind: "distinct-error-names" | "huge-error-name",
  callNumber: number,
): string {
  return kind === "distinct-error-names"
    ? `Strange${callNumber}Exception`
    : `Huge${"X".repeat(64 * 1024)}Exception`;
}
