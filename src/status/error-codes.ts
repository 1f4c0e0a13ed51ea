// Generated from docs/runbooks.md by scripts/generate-error-codes.mjs (npm run generate).
// Edit the runbook's "Connection error codes" sections and regenerate; a test fails when this
// file is out of date.

/** A paragraph, or the items of a bullet list; inline Markdown: `code` and [text](#anchor). */
export type RunbookBlock = string | readonly string[];

export interface ErrorCodeHelp {
  meaning: readonly RunbookBlock[];
  /** The first paragraph of the runbook's Fix: what to do, in short. */
  fix: string;
}

export const ERROR_CODE_HELP: Readonly<Record<string, ErrorCodeHelp>> = {
  INTERNAL_ERROR: {
    meaning: [
      "KMS failed inside itself while connecting. Nothing on your side is known to be wrong.",
    ],
    fix: "Disconnect, then connect again. If it fails with `INTERNAL_ERROR` again, open an AWS Support case with the store id, region and the time of the attempts.",
  },
  NETWORK_ERRORS: {
    meaning: [
      "KMS could not reach the backing key store over the network. For an AWS CloudHSM key store, KMS talks to the HSMs through network interfaces it places in the cluster's subnets and security group; something there blocks the traffic.",
    ],
    fix: "Restore the security group rules or network ACL entries that were removed, then disconnect and connect.",
  },
  INVALID_CREDENTIALS: {
    meaning: [
      [
        "AWS CloudHSM key store: the key store password that KMS holds is not the password of the `kmsuser` crypto user in the cluster (someone changed one of them).",
        "External key store: the proxy does not accept the proxy authentication credential (access key id and secret) that KMS holds, typically after a rotation on the proxy only.",
      ],
    ],
    fix: "Give KMS and the cluster (or the proxy) the same credential again, with the store disconnected, then connect.",
  },
  CLUSTER_NOT_FOUND: {
    meaning: ["The CloudHSM cluster that the store is associated with does not exist any more."],
    fix: "The store's key material lives only in that cluster and its backups: restore a backup into a new cluster, give it an HSM, and associate the store with it while it is disconnected. Without any backup, the keys of this store cannot be recovered.",
  },
  INSUFFICIENT_CLOUDHSM_HSMS: {
    meaning: [
      "The cluster has no active HSM. KMS needs at least one to connect (and two in different Availability Zones to create keys).",
    ],
    fix: "Add HSMs, preferably two in different Availability Zones, wait until they are `ACTIVE`, then disconnect and connect.",
  },
  INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET: {
    meaning: [
      "A private subnet of the cluster has no free IP address. KMS needs one free address in each of the cluster's subnets to connect, and two are better.",
    ],
    fix: "Free addresses in every subnet that has none (delete unused network interfaces, move other workloads out), then disconnect and connect. A subnet cannot grow: if it is too small for good, restore the cluster from a backup into larger subnets, as for [SUBNET_NOT_FOUND](#subnet_not_found).",
  },
  SUBNET_NOT_FOUND: {
    meaning: [
      "A subnet of the cluster's configuration was deleted. KMS connects only when it finds every one of them.",
    ],
    fix: "A cluster's subnets cannot be replaced: create a new cluster from a recent backup of this one, in subnets that exist, add an HSM, associate the store with it while it is disconnected, and connect.",
  },
  USER_LOCKED_OUT: {
    meaning: [
      "The `kmsuser` crypto user is locked out of the cluster after too many failed logins. Often the key store password was wrong for a while ([INVALID_CREDENTIALS](#invalid_credentials)), or someone tried to log in as `kmsuser`.",
    ],
    fix: "Disconnect; as a cluster admin, set a new `kmsuser` password (`user change-password --username kmsuser --role crypto-user`); give KMS the same password; connect.",
  },
  USER_LOGGED_IN: {
    meaning: [
      "`kmsuser` is logged in to the cluster. KMS needs to change its password and log in as it when connecting, and cannot while another session holds it.",
    ],
    fix: 'Disconnect; end the session logged in as `kmsuser` (`logout` in that CloudHSM CLI session, or stop the client that holds it). If you changed the `kmsuser` password to log in, give KMS the new one (`aws kms update-custom-key-store --custom-key-store-id "$STORE" --key-store-password …`). Then connect. Do not log in as `kmsuser` while the store is connected.',
  },
  USER_NOT_FOUND: {
    meaning: ["The cluster has no `kmsuser` crypto user, which KMS needs to manage keys in it."],
    fix: "Disconnect; as a cluster admin, create the user (`user create --username kmsuser --role crypto-user`); give KMS its password; connect.",
  },
  XKS_PROXY_ACCESS_DENIED: {
    meaning: [
      "The external key store proxy refuses KMS: its authorization rules do not allow requests made for this key store.",
    ],
    fix: "Change the proxy's authorization rules (see its vendor's documentation) so that they allow KMS to act for this key store, then disconnect and connect.",
  },
  XKS_PROXY_INVALID_CONFIGURATION: {
    meaning: [
      "The store's proxy settings do not fit the proxy; most often the URI path (`XksProxyUriPath`) is wrong.",
    ],
    fix: "Disconnect, set the right path, connect.",
  },
  XKS_PROXY_INVALID_RESPONSE: {
    meaning: [
      "KMS could not make sense of what the proxy answered. The proxy does not follow the XKS proxy API as KMS expects it.",
    ],
    fix: "Roll back the recent change to the proxy, or upgrade it; if the code persists, take it to the proxy's vendor. Then disconnect and connect.",
  },
  XKS_PROXY_INVALID_TLS_CONFIGURATION: {
    meaning: [
      "KMS cannot set up TLS with the proxy. The proxy must offer TLS 1.2 or 1.3 with a certificate that has not expired, that matches the host name of `XksProxyUriEndpoint`, and that is issued by a certificate authority KMS trusts for XKS (the list is published in the `aws-kms-xksproxy-api-spec` repository on GitHub).",
    ],
    fix: "Install a valid certificate for that host name from a trusted authority, or enable TLS 1.2 or 1.3 on the proxy or the load balancer in front of it. Then disconnect and connect.",
  },
  XKS_PROXY_NOT_REACHABLE: {
    meaning: [
      "KMS cannot talk to the proxy at all: the endpoint or path is wrong, the proxy is down or unreachable, or the proxy reports that none of the external key manager's instances is available.",
    ],
    fix: "Bring the proxy and key manager back, or correct the endpoint and path (`aws kms update-custom-key-store --xks-proxy-uri-endpoint … --xks-proxy-uri-path …` while disconnected). Then connect.",
  },
  XKS_PROXY_TIMED_OUT: {
    meaning: [
      "KMS reaches the proxy, but the proxy does not answer in the time KMS allows. The proxy or the external key manager behind it is overloaded, slow, or far away.",
    ],
    fix: "Remove the cause of the latency (scale the proxy, fix the key manager, move the proxy closer to the AWS region). If the code keeps coming back, take it to the proxy's vendor. Then disconnect and connect.",
  },
  XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION: {
    meaning: [
      "The Amazon VPC endpoint service that KMS uses to reach the proxy does not meet what an external key store needs:",
      [
        "an endpoint service for interface endpoints, in the account that owns it;",
        "a Network Load Balancer in at least two subnets, in different Availability Zones;",
        "`cks.kms.<region>.amazonaws.com` among its allowed principals;",
        "no acceptance of connection requests;",
        "a private DNS name, unique in the region, whose domain is verified;",
        "a TLS certificate for that private DNS name on the proxy.",
      ],
    ],
    fix: "Set up in the endpoint service whatever the checks show missing, then disconnect and connect.",
  },
  XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND: {
    meaning: [
      "KMS cannot find the VPC endpoint service named in the store: the name is wrong, the service was deleted, or KMS is not allowed to use it.",
    ],
    fix: "Allow `cks.kms.<region>.amazonaws.com` on the service (as in the previous section), or point the store at the right service while it is disconnected; then connect.",
  },
};
