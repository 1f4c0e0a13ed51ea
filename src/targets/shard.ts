import { createHash } from "node:crypto";
import type { Shard } from "../config/types.js";

/**
 * The shard that polls an account: a hash of the account id, so the split is stable across
 * restarts, replicas and config order, and even for account ids that are not random.
 */
export function shardOfAccount(accountId: string, count: number): number {
  return createHash("sha256").update(accountId).digest().readUInt32BE(0) % count;
}

export function inShard(accountId: string, shard: Shard): boolean {
  return shard.count === 1 || shardOfAccount(accountId, shard.count) === shard.index;
}
