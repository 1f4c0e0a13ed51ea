import { z } from "zod";
import type { MarkerCodec } from "./markers.js";
import type { StoreSpec } from "./scenario.js";
import { toWireStore, type WireStore } from "./stores.js";

/** The stores of one target as DescribeCustomKeyStores sees them at one instant. */
export interface DescribeView {
  stores: readonly StoreSpec[];
  elapsedMs: number;
  /** Largest page this target returns, whatever Limit the client asks for. */
  pageSize: number;
  markers: MarkerCodec;
  /** A fault that bends the page's `Truncated` / `NextMarker` (see MarkerFault). */
  markerFault?: MarkerFault;
}

/**
 * Answers that break the model's pagination contract, which says NextMarker is "present only
 * if Truncated is true" and is 1–1,024 characters:
 * - `repeat-marker`: a NextMarker that leads back to the same page;
 * - `marker-on-last-page`: the last page says `Truncated: false` and still carries a marker;
 * - `truncated-without-marker`: `Truncated: true` and no NextMarker;
 * - `oversized-marker`: `Truncated: true` with a 1,025-character NextMarker.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeCustomKeyStores.html
 */
export type MarkerFault =
  | "repeat-marker"
  | "marker-on-last-page"
  | "truncated-without-marker"
  | "oversized-marker";

export const MARKER_FAULTS: readonly MarkerFault[] = [
  "repeat-marker",
  "marker-on-last-page",
  "truncated-without-marker",
  "oversized-marker",
];

interface DescribePage {
  CustomKeyStores: WireStore[];
  Truncated: boolean;
  NextMarker?: string;
}

export type DescribeOutcome =
  | { ok: true; page: DescribePage }
  | {
      ok: false;
      error: "ValidationException" | "CustomKeyStoreNotFoundException" | "InvalidMarkerException";
      message: string;
    };

const MAX_LIMIT = 1000;

// Not strict: like KMS, members the simulator does not know are ignored.
const requestSchema = z.object({
  Limit: z.number().int().min(1).max(MAX_LIMIT).optional(),
  Marker: z.string().min(1).optional(),
  CustomKeyStoreId: z.string().min(1).optional(),
  CustomKeyStoreName: z.string().min(1).optional(),
});

function invalid(message: string): DescribeOutcome {
  return { ok: false, error: "ValidationException", message };
}

function selectStores(
  stores: readonly StoreSpec[],
  id: string | undefined,
  name: string | undefined,
): readonly StoreSpec[] | undefined {
  if (id === undefined && name === undefined) return stores;
  const found = stores.filter((store) =>
    id !== undefined ? store.id === id : store.name === name,
  );
  return found.length > 0 ? found : undefined;
}

export function describeCustomKeyStores(request: unknown, view: DescribeView): DescribeOutcome {
  const parsed = requestSchema.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return invalid(
      `1 validation error detected: '${issue?.path.join(".") || "request"}' ${issue?.message}`,
    );
  }
  const {
    Limit: limit,
    Marker: marker,
    CustomKeyStoreId: id,
    CustomKeyStoreName: name,
  } = parsed.data;
  if (id !== undefined && name !== undefined) {
    return invalid("You cannot specify both CustomKeyStoreId and CustomKeyStoreName");
  }
  const selected = selectStores(view.stores, id, name);
  if (selected === undefined) {
    return {
      ok: false,
      error: "CustomKeyStoreNotFoundException",
      message: `Custom key store ${id ?? name} does not exist in this account and Region`,
    };
  }
  let offset = 0;
  if (marker !== undefined) {
    const decoded = view.markers.decode(marker);
    if (decoded === undefined) {
      return { ok: false, error: "InvalidMarkerException", message: "Invalid marker" };
    }
    offset = decoded;
  }
  const size = Math.min(limit ?? MAX_LIMIT, view.pageSize);
  const CustomKeyStores = selected
    .slice(offset, offset + size)
    .map((store) => toWireStore(store, view.elapsedMs));
  const next = offset + size;
  switch (view.markerFault) {
    case "repeat-marker":
      return {
        ok: true,
        page: { CustomKeyStores, Truncated: true, NextMarker: view.markers.encode(offset) },
      };
    case "marker-on-last-page":
      return { ok: true, page: { CustomKeyStores, Truncated: false, NextMarker: "stale-marker" } };
    case "truncated-without-marker":
      return { ok: true, page: { CustomKeyStores, Truncated: true } };
    case "oversized-marker":
      return { ok: true, page: { CustomKeyStores, Truncated: true, NextMarker: "m".repeat(1025) } };
  }
  // The JS paginator follows NextMarker and ignores Truncated, so NextMarker only when truncated.
  return next < selected.length
    ? {
        ok: true,
        page: { CustomKeyStores, Truncated: true, NextMarker: view.markers.encode(next) },
      }
    : { ok: true, page: { CustomKeyStores, Truncated: false } };
}
