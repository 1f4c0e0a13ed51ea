import { describe, expect, it } from "vitest";
import type { KeyStore } from "../../src/model.js";
import { pollTarget } from "../../src/poller/poll.js";
import { kmsClient, simulate } from "../helpers/simulator.js";

/** Two pages of 2 stores (pageSize 2, 4 stores); `fault` bends the answer to call `call`. */
function scenario(fault: string, call: number): string {
  return `
accounts:
  - id: "000000000000"
    regions:
      - region: us-east-1
        pageSize: 2
        generate: {count: 4}
        faults: [{kind: ${fault}, calls: [${call}]}]
`;
}

async function pollOnce(yaml: string) {
  const simulator = await simulate(yaml);
  const ignored: string[] = [];
  const result = await pollTarget({
    client: kmsClient(simulator),
    retry: { maxAttempts: 1, minDelayMs: 0, maxDelayMs: 0 },
    timeoutMs: 10_000,
    maxPages: 10,
    maxStores: 10_000,
    onAttempt: () => {},
    onIgnoredMarker: (marker) => ignored.push(marker),
  }).then(
    (stores): { stores?: KeyStore[]; error?: Error } => ({ stores }),
    (error: Error): { stores?: KeyStore[]; error?: Error } => ({ error }),
  );
  return {
    ...result,
    ignored,
    calls: simulator.callCount({ operation: "DescribeCustomKeyStores" }),
  };
}

describe("DescribeCustomKeyStores pagination follows the AWS model (real SDK, simulator)", () => {
  it("stops at Truncated false even when the page carries a NextMarker, and reports it", async () => {
    const { stores, ignored, calls } = await pollOnce(scenario("marker-on-last-page", 1));
    expect(stores).toHaveLength(2);
    expect(ignored).toEqual(["stale-marker"]);
    expect(calls).toBe(1);
  });

  it("fails as InvalidResponse when Truncated is true and no NextMarker comes", async () => {
    const { error, calls } = await pollOnce(scenario("truncated-without-marker", 2));
    expect(error).toMatchObject({
      errorName: "InvalidResponse",
      message: "Truncated is true but the page has no NextMarker",
    });
    expect(calls).toBe(2);
  });

  it("fails as InvalidResponse when NextMarker is over the API's 1,024 characters", async () => {
    const { error, calls } = await pollOnce(scenario("oversized-marker", 1));
    expect(error).toMatchObject({
      errorName: "InvalidResponse",
      message: "NextMarker is 1025 characters, over the API's limit of 1024",
    });
    expect(calls).toBe(1);
  });

  it("reads both pages of a well-formed answer", async () => {
    const { stores, ignored, calls } = await pollOnce(
      scenario("slow", 99).replace("kind: slow", "kind: slow, delay: 1ms"),
    );
    expect(stores).toHaveLength(4);
    expect(ignored).toEqual([]);
    expect(calls).toBe(2);
  });
});
