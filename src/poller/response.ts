import type { CustomKeyStoresListEntry } from "@aws-sdk/client-kms";
import type { KeyStore } from "../model.js";

/** An answer that parsed but cannot be trusted; the poll fails instead of exporting junk. */
export class InvalidResponseError extends Error {
  override readonly name = "InvalidResponse";
}

/**
 * Bounds from the KMS API reference (API_CustomKeyStoresListEntry, API_XksProxyConfigurationType),
 * with headroom where the documented pattern is narrower than what fakes and future formats send.
 * Each keeps one hostile answer from costing memory, CPU or log volume out of proportion.
 */
export const LIMITS = {
  /** CustomKeyStoreId: length 1–64. */
  storeIdLength: 64,
  /** CustomKeyStoreName: length 1–256. */
  storeNameLength: 256,
  /** CloudHsmClusterId: documented `cluster-[2-7a-zA-Z]{11,16}` (19–24); checked loosely. */
  clusterId: /^[A-Za-z0-9-]{1,64}$/,
  /** Enums and XKS fields (documented at most 128): the same headroom for all of them. */
  otherStringLength: 256,
} as const;

export interface PageBounds {
  /** The `Limit` the request sent: KMS never returns more entries. */
  limit: number;
  /** Stores already read from earlier pages of this poll. */
  storesSoFar: number;
  /** The configured cap on stores per target. */
  maxStores: number;
}

/**
 * The entries of one DescribeCustomKeyStores answer, after checking its documented shape:
 * `Truncated` a boolean and `CustomKeyStores` a list of objects. The SDK hands through an
 * empty body, `{}`, a JSON array or a null list as an output without the list, and an empty
 * list would read as "no stores" and drop every series, a FAILED store's included.
 */
export function pageEntries(page: unknown, bounds: PageBounds): CustomKeyStoresListEntry[] {
  if (typeof page !== "object" || page === null) {
    throw new InvalidResponseError("the answer is not a JSON object");
  }
  const { Truncated: truncated, CustomKeyStores: entries } = page as Record<string, unknown>;
  if (typeof truncated !== "boolean") {
    throw new InvalidResponseError("the answer has no boolean Truncated");
  }
  if (!Array.isArray(entries)) {
    throw new InvalidResponseError("the answer has no CustomKeyStores list");
  }
  if (entries.length > bounds.limit) {
    throw new InvalidResponseError(
      `page limit: ${entries.length} stores in a page, more than the Limit of ${bounds.limit} sent`,
    );
  }
  if (bounds.storesSoFar + entries.length > bounds.maxStores) {
    throw new InvalidResponseError(
      `stores per target limit: more than ${bounds.maxStores} stores (maxStoresPerTarget)`,
    );
  }
  for (const entry of entries) {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw new InvalidResponseError("a CustomKeyStores entry is not an object");
    }
  }
  return entries as CustomKeyStoresListEntry[];
}

function optionalString(
  value: unknown,
  field: string,
  storeId: string,
  maxLength = LIMITS.otherStringLength,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw new InvalidResponseError(`store ${storeId}: ${field} is not a string`);
  }
  if (value.length > maxLength) {
    throw new InvalidResponseError(
      `store ${storeId}: ${field} length limit: ${value.length} characters, more than ${maxLength}`,
    );
  }
  return value;
}

function clusterId(value: unknown, storeId: string): string {
  const id = optionalString(value, "CloudHsmClusterId", storeId) ?? "";
  if (id !== "" && !LIMITS.clusterId.test(id)) {
    throw new InvalidResponseError(
      `store ${storeId}: CloudHsmClusterId pattern: not ${LIMITS.clusterId.source}`,
    );
  }
  return id;
}

/** One DescribeCustomKeyStores entry → KeyStore, checking what the exporter relies on. */
export function toKeyStore(entry: CustomKeyStoresListEntry): KeyStore {
  const id = entry.CustomKeyStoreId;
  if (typeof id !== "string" || id === "") {
    throw new InvalidResponseError("a store has no CustomKeyStoreId");
  }
  if (id.length > LIMITS.storeIdLength) {
    throw new InvalidResponseError(
      `CustomKeyStoreId length limit: ${id.length} characters, more than ${LIMITS.storeIdLength}`,
    );
  }
  const state = optionalString(entry.ConnectionState, "ConnectionState", id);
  if (state === undefined || state === "") {
    throw new InvalidResponseError(`store ${id}: no ConnectionState`);
  }
  const created = entry.CreationDate;
  if (created !== undefined && !(created instanceof Date && Number.isFinite(created.getTime()))) {
    throw new InvalidResponseError(`store ${id}: CreationDate is not a date`);
  }
  const xks: unknown = entry.XksProxyConfiguration;
  if (xks !== undefined && xks !== null && (typeof xks !== "object" || Array.isArray(xks))) {
    throw new InvalidResponseError(`store ${id}: XksProxyConfiguration is not an object`);
  }
  const proxy = (xks ?? {}) as Record<string, unknown>;
  return {
    id,
    name:
      optionalString(entry.CustomKeyStoreName, "CustomKeyStoreName", id, LIMITS.storeNameLength) ??
      "",
    // Stores created before XKS existed come without a type; they are CloudHSM stores.
    type: optionalString(entry.CustomKeyStoreType, "CustomKeyStoreType", id) ?? "AWS_CLOUDHSM",
    state,
    errorCode: optionalString(entry.ConnectionErrorCode, "ConnectionErrorCode", id) || undefined,
    creationTimeSeconds: created === undefined ? undefined : created.getTime() / 1000,
    cloudHsmClusterId: clusterId(entry.CloudHsmClusterId, id),
    xksProxyConnectivity:
      optionalString(proxy.Connectivity, "XksProxyConfiguration.Connectivity", id) ?? "",
    xksProxyUriEndpoint:
      optionalString(proxy.UriEndpoint, "XksProxyConfiguration.UriEndpoint", id) ?? "",
    xksProxyUriPath: optionalString(proxy.UriPath, "XksProxyConfiguration.UriPath", id) ?? "",
    xksProxyVpcEndpointServiceName:
      optionalString(
        proxy.VpcEndpointServiceName,
        "XksProxyConfiguration.VpcEndpointServiceName",
        id,
      ) ?? "",
  };
}
