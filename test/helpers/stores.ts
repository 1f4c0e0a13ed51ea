import type { ClusterHealth } from "../../src/enrichment/cloudhsm/round.js";
import type { XksHealth } from "../../src/enrichment/xks/figures.js";
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

/** An ACTIVE CloudHSM cluster with `active` ACTIVE HSMs (and `others` by state) in `zones` zones. */
export function cluster(
  active: number,
  zones: number,
  others: Record<string, number> = {},
): ClusterHealth {
  return {
    id: "cluster-1a23b4cdefg",
    state: "ACTIVE",
    hsms: { ACTIVE: active, ...others },
    activeAvailabilityZones: zones,
  };
}

export function target(accountId: string, region: string, accountName?: string): Target {
  return { key: `${accountId}/${region}`, accountId, accountName, region };
}

/** The certificate name of `xksHealth`'s one certificate. */
export const PROXY_CERTIFICATE = "proxy.example.com";

/**
 * An external key store's figures for tests: a healthy proxy unless overridden;
 * `certificateDaysToExpire` is the one certificate's days (undefined: no certificate data).
 */
export function xksHealth(
  overrides: Partial<XksHealth> & { certificateDaysToExpire?: number | undefined } = {},
): XksHealth {
  const { certificateDaysToExpire, ...rest } = overrides;
  const days = "certificateDaysToExpire" in overrides ? certificateDaysToExpire : 100;
  return {
    storeId: "cks-x",
    series: 5,
    certificates: days === undefined ? {} : { [PROXY_CERTIFICATE]: days },
    credentialAgeDays: 10,
    errors: {},
    requests: 100,
    latencySeconds: 0.05,
    latencyMaxSeconds: undefined,
    externalKeyManagers: { Active: 2 },
    ...rest,
  };
}
