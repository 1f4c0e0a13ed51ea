import { createHash } from "node:crypto";
import type { GenerateSpec, StoreSpec } from "./scenario.js";

/** One entry of `CustomKeyStores` exactly as KMS puts it on the wire (absent fields omitted). */
export interface WireStore {
  CustomKeyStoreId: string;
  CustomKeyStoreName: string;
  CustomKeyStoreType: string;
  ConnectionState: string;
  ConnectionErrorCode?: string;
  /** Epoch seconds as a JSON number: the SDK rejects an ISO string here. */
  CreationDate: number;
  CloudHsmClusterId?: string;
  TrustAnchorCertificate?: string;
  XksProxyConfiguration?: Record<string, string>;
}

const DEFAULT_CREATION_DATE = "2024-01-02T03:04:05Z";

/** Ids derive from the target and index so that reruns of a scenario produce the same stores. */
function syntheticHex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

export function generateStores(accountId: string, region: string, spec: GenerateSpec): StoreSpec[] {
  return Array.from({ length: spec.count }, (_, index) => {
    const seed = `${accountId}/${region}/${index}`;
    const base: StoreSpec = {
      id: `cks-${syntheticHex(seed, 17)}`,
      name: `gen-${String(index + 1).padStart(5, "0")}`,
      type: spec.type,
      state: spec.state,
      errorCode: spec.errorCode,
    };
    if (spec.type === "EXTERNAL_KEY_STORE") {
      return {
        ...base,
        xks: {
          connectivity: "PUBLIC_ENDPOINT",
          uriEndpoint: `https://xks-${index + 1}.example.com`,
          uriPath: "/kms/xks/v1",
        },
      };
    }
    return { ...base, cloudHsmClusterId: `cluster-${syntheticHex(`${seed}/cluster`, 11)}` };
  });
}

/** The state a store shows `elapsedMs` after simulator start: the latest timeline step reached. */
export function stateAt(
  store: StoreSpec,
  elapsedMs: number,
): { state: string; errorCode?: string } {
  let current: { state: string; errorCode?: string } = {
    state: store.state,
    errorCode: store.errorCode,
  };
  let reachedAt = Number.NEGATIVE_INFINITY;
  for (const step of store.timeline ?? []) {
    if (step.at <= elapsedMs && step.at >= reachedAt) {
      current = { state: step.state, errorCode: step.errorCode };
      reachedAt = step.at;
    }
  }
  return current;
}

function xksToWire(xks: NonNullable<StoreSpec["xks"]>): Record<string, string> {
  const fields: Record<string, string | undefined> = {
    Connectivity: xks.connectivity,
    AccessKeyId: xks.accessKeyId,
    UriEndpoint: xks.uriEndpoint,
    UriPath: xks.uriPath,
    VpcEndpointServiceName: xks.vpcEndpointServiceName,
    VpcEndpointServiceOwner: xks.vpcEndpointServiceOwner,
  };
  return Object.fromEntries(
    Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

export function toWireStore(store: StoreSpec, elapsedMs: number): WireStore {
  const { state, errorCode } = stateAt(store, elapsedMs);
  const wire: WireStore = {
    CustomKeyStoreId: store.id,
    CustomKeyStoreName: store.name,
    CustomKeyStoreType: store.type ?? "AWS_CLOUDHSM",
    ConnectionState: state,
    CreationDate: Date.parse(store.creationDate ?? DEFAULT_CREATION_DATE) / 1000,
  };
  if (errorCode !== undefined) wire.ConnectionErrorCode = errorCode;
  if (store.cloudHsmClusterId !== undefined) wire.CloudHsmClusterId = store.cloudHsmClusterId;
  if (store.trustAnchorCertificate !== undefined) {
    wire.TrustAnchorCertificate = store.trustAnchorCertificate;
  }
  if (store.xks !== undefined) wire.XksProxyConfiguration = xksToWire(store.xks);
  return wire;
}
