import { describe, expect, it } from "vitest";
import {
  clusterIdsOf,
  describeStoreClusters,
  toClusterHealth,
} from "../../../src/enrichment/cloudhsm/round.js";
import type { PageAttempt } from "../../../src/enrichment/pages.js";
import type { KeyStore } from "../../../src/model.js";
import { keyStore } from "../../helpers/stores.js";

const store = (id: string, type: string, cluster: string): KeyStore =>
  keyStore({ id, name: id, type, creationTimeSeconds: undefined, cloudHsmClusterId: cluster });

const options = (attempts: PageAttempt[] = []) => ({
  signal: new AbortController().signal,
  timeoutMs: 1_000,
  maxPages: 3,
  onAttempt: (event: PageAttempt) => attempts.push(event),
});

describe("CloudHSM clusters", () => {
  it("asks for each cluster behind a CloudHSM store once", () => {
    expect(
      clusterIdsOf([
        store("a", "AWS_CLOUDHSM", "cluster-b"),
        store("b", "AWS_CLOUDHSM", "cluster-a"),
        store("c", "AWS_CLOUDHSM", "cluster-b"),
        store("d", "EXTERNAL_KEY_STORE", ""),
        store("e", "AWS_CLOUDHSM", ""),
      ]),
    ).toEqual(["cluster-a", "cluster-b"]);
  });

  it("counts HSMs by state and the zones with an ACTIVE one", () => {
    expect(
      toClusterHealth({
        ClusterId: "cluster-a",
        State: "ACTIVE",
        Hsms: [
          { AvailabilityZone: "z1", State: "ACTIVE" },
          { AvailabilityZone: "z1", State: "ACTIVE" },
          { AvailabilityZone: "z2", State: "DEGRADED" },
          { AvailabilityZone: "z3" },
        ],
      }),
    ).toEqual({
      id: "cluster-a",
      state: "ACTIVE",
      hsms: { ACTIVE: 2, DEGRADED: 1, UNKNOWN: 1 },
      activeAvailabilityZones: 1,
    });
    expect(() => toClusterHealth({ State: "ACTIVE" })).toThrow(/no ClusterId/);
    expect(() => toClusterHealth({ ClusterId: "cluster-a" })).toThrow(/no State/);
  });

  it("makes no call without clusters, and stops a token that repeats", async () => {
    const sent: unknown[] = [];
    const client = {
      describeClusters: async (input: unknown) => {
        sent.push(input);
        return { Clusters: [{ ClusterId: "cluster-a", State: "ACTIVE" }], NextToken: "same" };
      },
    };
    expect(await describeStoreClusters(client, [], options())).toEqual([]);
    expect(sent).toHaveLength(0);
    const attempts: PageAttempt[] = [];
    await expect(
      describeStoreClusters(client, ["cluster-a"], options(attempts)),
    ).rejects.toMatchObject({ errorName: "RepeatedMarker" });
    expect(sent).toHaveLength(2);
    expect(attempts.map((a) => a.operation)).toEqual(["DescribeClusters", "DescribeClusters"]);
  });

  it("gives up after maxPages and names a failed page by its exception", async () => {
    let page = 0;
    const endless = {
      describeClusters: async () => ({ Clusters: [], NextToken: `t${page++}` }),
    };
    await expect(describeStoreClusters(endless, ["cluster-a"], options())).rejects.toMatchObject({
      errorName: "TooManyPages",
    });
    const denied = {
      describeClusters: async () => {
        throw Object.assign(new Error("no"), {
          name: "CloudHsmAccessDeniedException",
          $metadata: { httpStatusCode: 400 },
        });
      },
    };
    const attempts: PageAttempt[] = [];
    await expect(
      describeStoreClusters(denied, ["cluster-a"], options(attempts)),
    ).rejects.toMatchObject({
      errorName: "CloudHsmAccessDeniedException",
    });
    expect(attempts[0]?.error?.name).toBe("CloudHsmAccessDeniedException");
  });

  it("ends a hung call at its deadline as a TimeoutError", async () => {
    const hung = {
      describeClusters: (_input: unknown, { abortSignal }: { abortSignal: AbortSignal }) =>
        new Promise<never>((_resolve, reject) =>
          abortSignal.addEventListener("abort", () => reject(abortSignal.reason)),
        ),
    };
    await expect(
      describeStoreClusters(hung, ["cluster-a"], { ...options(), timeoutMs: 50 }),
    ).rejects.toMatchObject({ errorName: "TimeoutError" });
  });
});
