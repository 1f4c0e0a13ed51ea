import type { KeyStore, Target } from "../../src/model.js";

/** A plain CONNECTED CloudHSM store; tests override what they are about. */
export function keyStore(overrides: Partial<KeyStore> = {}): KeyStore {
  return {
    id: "cks-0123456789abcdef0",
    name: "plain",
    type: "AWS_CLOUDHSM",
    state: "CONNECTED",
    errorCode: undefined,
    creationTimeSeconds: 1_700_000_000,
    cloudHsmClusterId: "cluster-1a23b4cdefg",
    xksProxyConnectivity: "",
    xksProxyUriEndpoint: "",
    xksProxyUriPath: "",
    xksProxyVpcEndpointServiceName: "",
    ...overrides,
  };
}

export function target(accountId: string, region: string, accountName?: string): Target {
  return { key: `${accountId}/${region}`, accountId, accountName, region };
}
