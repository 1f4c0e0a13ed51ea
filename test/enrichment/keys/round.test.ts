import type { DescribeKeyCommandOutput, ListKeysCommandOutput } from "@aws-sdk/client-kms";
import { describe, expect, it } from "vitest";
import { TargetRateLimiter } from "../../../src/aws/rate-limit.js";
import { KeyInventory } from "../../../src/enrichment/keys/inventory.js";
import { type KeyCalls, runKeyRound } from "../../../src/enrichment/keys/round.js";
import type { PageAttempt } from "../../../src/enrichment/pages.js";

const STORE = "cks-1";

function awsError(name: string, status = 400): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

/** Fake KMS: pages of keys as given; DescribeKey answers or throws per key. */
function fakeCalls(
  pages: ListKeysCommandOutput[],
  describe: (keyId: string) => DescribeKeyCommandOutput | Error,
) {
  const described: string[] = [];
  const markers: (string | undefined)[] = [];
  const calls: KeyCalls = {
    listKeys: async (marker) => {
      markers.push(marker);
      const page = marker === undefined ? pages[0] : pages[Number(marker)];
      if (!page) throw new Error(`no page ${marker}`);
      return page;
    },
    describeKey: async (keyId) => {
      described.push(keyId);
      const answer = describe(keyId);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { calls, described, markers };
}

const page = (ids: string[], next?: string, truncated = next !== undefined) =>
  ({
    Keys: ids.map((KeyId) => ({ KeyId })),
    Truncated: truncated,
    ...(next ? { NextMarker: next } : {}),
    $metadata: {},
  }) as ListKeysCommandOutput;

/** A DescribeKey answer; `null`: a key in no store (no CustomKeyStoreId). */
const inStore = (state: string, store: string | null = STORE) =>
  ({
    KeyMetadata: {
      KeyId: "x",
      KeyState: state,
      ...(store === null ? {} : { CustomKeyStoreId: store }),
    },
    $metadata: {},
  }) as unknown as DescribeKeyCommandOutput;

function options() {
  const attempts: PageAttempt[] = [];
  const limiters = {
    listKeys: new TargetRateLimiter({ perSecond: 1_000, burst: 1_000 }),
    describeKey: new TargetRateLimiter({ perSecond: 1_000, burst: 1_000 }),
  };
  return {
    attempts,
    limiters,
    round: {
      storeIds: new Set([STORE]),
      signal: new AbortController().signal,
      timeoutMs: 1_000,
      limiters,
      onAttempt: (attempt: PageAttempt) => attempts.push(attempt),
    },
  };
}

describe("runKeyRound", () => {
  it("follows NextMarker while Truncated, and not a marker on the last page", async () => {
    const { calls, markers } = fakeCalls(
      [page(["a"], "1"), page(["b"], "2"), page(["c"], "3", false)],
      () => inStore("Enabled", null),
    );
    const inventory = new KeyInventory();
    await runKeyRound(calls, inventory, options().round);
    expect(markers).toEqual([undefined, "1", "2"]);
  });

  it("counts a refused DescribeKey as undescribed and a vanished key as gone, and goes on", async () => {
    const { calls, described } = fakeCalls([page(["a", "denied", "gone", "b"])], (id) =>
      id === "denied"
        ? awsError("AccessDeniedException")
        : id === "gone"
          ? awsError("NotFoundException")
          : inStore("Enabled"),
    );
    const inventory = new KeyInventory();
    const { round, attempts } = options();
    await runKeyRound(calls, inventory, round);
    expect(described.sort()).toEqual(["a", "b", "denied", "gone"]);
    expect(inventory.undescribed).toBe(1);
    expect(inventory.countsFor([STORE])[0]?.byState).toEqual({ Enabled: 2 });
    expect(
      attempts
        .filter((a) => a.error)
        .map((a) => `${a.operation} ${a.error?.name}`)
        .sort(),
    ).toEqual(["DescribeKey AccessDeniedException", "DescribeKey NotFoundException"]);
  });

  it("ends the round on any other error, keeping what it learnt, and slows a throttled bucket", async () => {
    const { calls } = fakeCalls([page(["a", "b", "c", "d", "e", "f"])], (id) =>
      id === "c" ? awsError("ThrottlingException") : inStore("Enabled", null),
    );
    const inventory = new KeyInventory();
    const { round, limiters } = options();
    await expect(runKeyRound(calls, inventory, round)).rejects.toMatchObject({
      errorName: "ThrottlingException",
    });
    expect(limiters.describeKey.currentRate()).toBeLessThan(1_000);
    expect(limiters.listKeys.currentRate()).toBe(1_000);
    // Keys described before the failure are known to be in no store: not asked again.
    expect(inventory.plan(["a", "b"], new Set([STORE]))).toEqual([]);
  });

  it("refuses a DescribeKey answer without KeyState and a ListKeys entry without KeyId", async () => {
    const noState = fakeCalls([page(["a"])], () => ({ KeyMetadata: {}, $metadata: {} }) as never);
    await expect(
      runKeyRound(noState.calls, new KeyInventory(), options().round),
    ).rejects.toMatchObject({ errorName: "InvalidResponse" });
    const noId = fakeCalls(
      [{ Keys: [{}], Truncated: false, $metadata: {} } as ListKeysCommandOutput],
      () => inStore("Enabled"),
    );
    await expect(
      runKeyRound(noId.calls, new KeyInventory(), options().round),
    ).rejects.toMatchObject({
      errorName: "InvalidResponse",
    });
  });
});
