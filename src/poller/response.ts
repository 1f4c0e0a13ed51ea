import type { CustomKeyStoresListEntry } from "@aws-sdk/client-kms";
import type { KeyStore } from "../model.js";

/** An answer that parsed but cannot be trusted; the poll fails instead of exporting junk. */
export class InvalidResponseError extends Error {
  override readonly name = "InvalidResponse";
}

function optionalString(value: unknown, field: string, storeId: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw new InvalidResponseError(`store ${storeId}: ${field} is not a string`);
  }
  return value;
}

/** One DescribeCustomKeyStores entry → KeyStore, checking what the exporter relies on. */
export function toKeyStore(entry: CustomKeyStoresListEntry): KeyStore {
  const id = entry.CustomKeyStoreId;
  if (typeof id !== "string" || id === "") {
    throw new InvalidResponseError("a store has no CustomKeyStoreId");
  }
  const state = optionalString(entry.ConnectionState, "ConnectionState", id);
  if (state === undefined || state === "") {
    throw new InvalidResponseError(`store ${id}: no ConnectionState`);
  }
  const created = entry.CreationDate;
  if (created !== undefined && !(created instanceof Date && Number.isFinite(created.getTime()))) {
    throw new InvalidResponseError(`store ${id}: CreationDate is not a date`);
  }
  const xks = entry.XksProxyConfiguration;
  return {
    id,
    name: optionalString(entry.CustomKeyStoreName, "CustomKeyStoreName", id) ?? "",
    // Stores created before XKS existed come without a type; they are CloudHSM stores.
    type: optionalString(entry.CustomKeyStoreType, "CustomKeyStoreType", id) ?? "AWS_CLOUDHSM",
    state,
    errorCode: optionalString(entry.ConnectionErrorCode, "ConnectionErrorCode", id) || undefined,
    creationTimeSeconds: created === undefined ? undefined : created.getTime() / 1000,
    cloudHsmClusterId: optionalString(entry.CloudHsmClusterId, "CloudHsmClusterId", id) ?? "",
    xksProxyConnectivity:
      optionalString(xks?.Connectivity, "XksProxyConfiguration.Connectivity", id) ?? "",
    xksProxyUriEndpoint:
      optionalString(xks?.UriEndpoint, "XksProxyConfiguration.UriEndpoint", id) ?? "",
    xksProxyUriPath: optionalString(xks?.UriPath, "XksProxyConfiguration.UriPath", id) ?? "",
    xksProxyVpcEndpointServiceName:
      optionalString(
        xks?.VpcEndpointServiceName,
        "XksProxyConfiguration.VpcEndpointServiceName",
        id,
      ) ?? "",
  };
}
