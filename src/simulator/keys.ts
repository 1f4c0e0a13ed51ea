import { createHash } from "node:crypto";
import { z } from "zod";
import { partitionOfRegion } from "../aws/partition.js";
import type { MarkerCodec } from "./markers.js";
import type { KeySpec, StoreSpec } from "./scenario.js";
import { stateAt } from "./stores.js";

/**
 * KMS keys as ListKeys and DescribeKey show them, modelled on the AWS KMS API Reference:
 * - ListKeys (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeys.html):
 *   `Limit` 1–1000, default 100; `Keys` of `{KeyId, KeyArn}`; `Truncated`, and `NextMarker`
 *   only while truncated; a marker KMS did not issue is InvalidMarkerException.
 * - DescribeKey (https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html):
 *   `KeyId` is a key id or key ARN; `KeyMetadata` with KeyId, Arn, AWSAccountId, KeyState,
 *   Enabled, Origin, CustomKeyStoreId, CloudHsmClusterId (CloudHSM key stores) and
 *   XksKeyConfiguration (external key stores); an unknown key is NotFoundException.
 * - Key states (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html): a key
 *   in a custom key store is `Unavailable` while its store is disconnected; a key scheduled
 *   for deletion stays `PendingDeletion`.
 * - A key policy can deny kms:DescribeKey although IAM allows it: AccessDeniedException
 *   naming the resource-based policy.
 */

/** One key of a target, expanded from the scenario. */
export interface SimKey {
  id: string;
  /** The custom key store that holds it; undefined: a key outside every store. */
  store: string | undefined;
  /** Its own state; a store that is not CONNECTED shows Enabled and Disabled as Unavailable. */
  state: string;
  denyDescribeKey: boolean;
}

const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;
/** States a disconnected store hides behind Unavailable; PendingDeletion and others stay. */
const HIDDEN_WHILE_DISCONNECTED = new Set(["Enabled", "Disabled"]);

/** A UUID-shaped key id from a seed, so reruns of a scenario list the same keys. */
function keyIdOf(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The scenario's key entries as single keys; an entry with `count` stands for that many. */
export function expandKeys(accountId: string, region: string, specs: readonly KeySpec[]): SimKey[] {
  return specs.flatMap((spec, entry) =>
    Array.from({ length: spec.count }, (_, n) => ({
      id: spec.id ?? keyIdOf(`${accountId}/${region}/key/${entry}/${n}`),
      store: spec.store,
      state: spec.state,
      denyDescribeKey: spec.denyDescribeKey,
    })),
  );
}

export function keyArn(accountId: string, region: string, keyId: string): string {
  return `arn:${partitionOfRegion(region)}:kms:${region}:${accountId}:key/${keyId}`;
}

export interface KeysView {
  accountId: string;
  region: string;
  keys: readonly SimKey[];
  stores: readonly StoreSpec[];
  elapsedMs: number;
  markers: MarkerCodec;
  callerArn: string;
}

export type KeysOutcome =
  | { ok: true; body: unknown }
  | { ok: false; error: string; message: string };

const listKeysRequest = z.object({
  Limit: z.number().int().min(1).max(MAX_LIMIT).optional(),
  Marker: z.string().min(1).max(1024).optional(),
});

const describeKeyRequest = z.object({
  KeyId: z.string().min(1).max(2048),
  GrantTokens: z.array(z.string()).optional(),
});

function validationError(error: z.ZodError): KeysOutcome {
  const issue = error.issues[0];
  return {
    ok: false,
    error: "ValidationException",
    message: `1 validation error detected: '${issue?.path.join(".") || "request"}' ${issue?.message}`,
  };
}

export function listKeys(request: unknown, view: KeysView): KeysOutcome {
  const parsed = listKeysRequest.safeParse(request);
  if (!parsed.success) return validationError(parsed.error);
  let offset = 0;
  if (parsed.data.Marker !== undefined) {
    const decoded = view.markers.decode(parsed.data.Marker);
    if (decoded === undefined) {
      return { ok: false, error: "InvalidMarkerException", message: "Invalid marker" };
    }
    offset = decoded;
  }
  const next = offset + (parsed.data.Limit ?? DEFAULT_LIMIT);
  const Keys = view.keys.slice(offset, next).map((key) => ({
    KeyId: key.id,
    KeyArn: keyArn(view.accountId, view.region, key.id),
  }));
  return next < view.keys.length
    ? { ok: true, body: { Keys, Truncated: true, NextMarker: view.markers.encode(next) } }
    : { ok: true, body: { Keys, Truncated: false } };
}

/** The state DescribeKey reports now: the key's own, or Unavailable while its store is down. */
export function keyStateNow(key: SimKey, stores: readonly StoreSpec[], elapsedMs: number): string {
  if (key.store === undefined || !HIDDEN_WHILE_DISCONNECTED.has(key.state)) return key.state;
  const store = stores.find((candidate) => candidate.id === key.store);
  if (store === undefined) return key.state;
  return stateAt(store, elapsedMs).state === "CONNECTED" ? key.state : "Unavailable";
}

function findKey(view: KeysView, keyId: string): SimKey | undefined {
  const prefix = `arn:${partitionOfRegion(view.region)}:kms:${view.region}:${view.accountId}:key/`;
  const id = keyId.startsWith(prefix) ? keyId.slice(prefix.length) : keyId;
  return view.keys.find((key) => key.id === id);
}

function originOf(store: StoreSpec | undefined): string {
  if (store === undefined) return "AWS_KMS";
  return store.type === "EXTERNAL_KEY_STORE" ? "EXTERNAL_KEY_STORE" : "AWS_CLOUDHSM";
}

export function describeKey(request: unknown, view: KeysView): KeysOutcome {
  const parsed = describeKeyRequest.safeParse(request);
  if (!parsed.success) return validationError(parsed.error);
  const key = findKey(view, parsed.data.KeyId);
  if (key === undefined) {
    return {
      ok: false,
      error: "NotFoundException",
      message: `Key '${parsed.data.KeyId}' does not exist`,
    };
  }
  const arn = keyArn(view.accountId, view.region, key.id);
  if (key.denyDescribeKey) {
    return {
      ok: false,
      error: "AccessDeniedException",
      message: `User: ${view.callerArn} is not authorized to perform: kms:DescribeKey on resource: ${arn} because no resource-based policy allows the kms:DescribeKey action`,
    };
  }
  const store = view.stores.find((candidate) => candidate.id === key.store);
  const state = keyStateNow(key, view.stores, view.elapsedMs);
  const metadata: Record<string, unknown> = {
    AWSAccountId: view.accountId,
    KeyId: key.id,
    Arn: arn,
    CreationDate: Date.parse("2024-01-02T03:04:05Z") / 1000,
    Enabled: state === "Enabled",
    Description: "",
    KeyUsage: "ENCRYPT_DECRYPT",
    KeyState: state,
    Origin: originOf(store),
    KeyManager: "CUSTOMER",
    CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
    KeySpec: "SYMMETRIC_DEFAULT",
    EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
    MultiRegion: false,
  };
  if (key.store !== undefined) metadata.CustomKeyStoreId = key.store;
  if (store?.cloudHsmClusterId !== undefined) metadata.CloudHsmClusterId = store.cloudHsmClusterId;
  if (store?.type === "EXTERNAL_KEY_STORE") metadata.XksKeyConfiguration = { Id: `ext-${key.id}` };
  return { ok: true, body: { KeyMetadata: metadata } };
}
