/**
 * One custom key store as the exporter keeps it: only what it exports. Secrets in the API
 * answer (TrustAnchorCertificate, the XKS proxy's AccessKeyId) are never copied in here.
 */
export interface KeyStore {
  id: string;
  name: string;
  type: string;
  state: string;
  errorCode: string | undefined;
  creationTimeSeconds: number | undefined;
  cloudHsmClusterId: string;
  xksProxyConnectivity: string;
  xksProxyUriEndpoint: string;
  xksProxyUriPath: string;
  xksProxyVpcEndpointServiceName: string;
}

/** The connection states AWS documents; any other value is exported as it comes. */
export const KNOWN_CONNECTION_STATES = [
  "CONNECTED",
  "CONNECTING",
  "FAILED",
  "DISCONNECTED",
  "DISCONNECTING",
] as const;

/** A `stores` pattern as compiled by config/store-pattern.ts (RE2 semantics, linear time). */
export interface StorePattern {
  readonly source: string;
  test(text: string): boolean;
}

/** Which of a target's stores are exported; every field omitted: all of them. */
export interface StoreFilter {
  /** A store is kept when one of these matches its name or id (unanchored); omitted: all. */
  include?: StorePattern[];
  /** Applied after include: a store one of these matches is dropped. */
  exclude?: StorePattern[];
  /** Store types kept (AWS_CLOUDHSM, EXTERNAL_KEY_STORE); omitted: both. */
  types?: string[];
}

/** One account whose id is known, with the regions to poll in it. */
export interface Account {
  accountId: string;
  name: string | undefined;
  /** Undefined: the default credentials are this account's. */
  roleArn: string | undefined;
  externalId: string | undefined;
  regions: string[];
  /** This account's own store filter; undefined: the config's global one. */
  stores?: StoreFilter;
}

/** One account × one region: the unit that is polled, timed out and reported on. */
export interface Target {
  key: string;
  accountId: string;
  accountName: string | undefined;
  region: string;
}

export function targetKey(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}
