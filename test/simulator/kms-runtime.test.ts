import {
  DescribeCustomKeyStoresCommand,
  type KMSClient,
  paginateDescribeCustomKeyStores,
} from "@aws-sdk/client-kms";
import { describe, expect, it } from "vitest";
import { kmsClient, simulate } from "../helpers/simulator.js";

async function outcome(client: KMSClient): Promise<string> {
  return client.send(new DescribeCustomKeyStoresCommand({})).then(
    () => "ok",
    (error: Error) => error.name,
  );
}

async function outcomes(client: KMSClient, count: number): Promise<string[]> {
  const seen: string[] = [];
  for (let call = 0; call < count; call += 1) seen.push(await outcome(client));
  return seen;
}

const repeat = (value: string, count: number) => Array.from({ length: count }, () => value);

describe("rate limit (KMS quota emulation)", () => {
  const LIMITED = `
accounts:
  - id: "000000000000"
    regions:
      - region: us-east-1
        rateLimit: {perSecond: 5, burst: 5}
        stores: [{id: cks-00000000000000001, name: one, state: CONNECTED}]
      - region: eu-west-1
        rateLimit: {perSecond: 5, burst: 5}
`;

  it("throttles past the burst and refills at perSecond on the injected clock", async () => {
    let clock = 5_000_000;
    const simulator = await simulate(LIMITED, { now: () => clock });
    const client = kmsClient(simulator);
    expect(await outcomes(client, 6)).toEqual([...repeat("ok", 5), "ThrottlingException"]);
    const refused = simulator.calls.at(-1);
    expect(refused).toMatchObject({ status: 400, fault: "rate-limit" });
    clock += 199;
    expect(await outcome(client)).toBe("ThrottlingException");
    clock += 1;
    expect(await outcomes(client, 2)).toEqual(["ok", "ThrottlingException"]);
    clock += 10_000;
    expect(await outcomes(client, 6)).toEqual([...repeat("ok", 5), "ThrottlingException"]);
  });

  it("takes no token for a refused call", async () => {
    let clock = 0;
    const simulator = await simulate(LIMITED, { now: () => clock });
    const client = kmsClient(simulator);
    await outcomes(client, 5);
    expect(await outcomes(client, 10)).toEqual(repeat("ThrottlingException", 10));
    clock += 400;
    expect(await outcomes(client, 3)).toEqual(["ok", "ok", "ThrottlingException"]);
  });

  it("answers the SDK's ThrottlingException shape: HTTP 400, Rate exceeded", async () => {
    const simulator = await simulate(LIMITED, { now: () => 0 });
    const client = kmsClient(simulator);
    await outcomes(client, 5);
    const error = await client
      .send(new DescribeCustomKeyStoresCommand({}))
      .catch((caught: Error & { $metadata: { httpStatusCode?: number } }) => caught);
    expect(error).toMatchObject({
      name: "ThrottlingException",
      message: "Rate exceeded",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("keeps one bucket per account × region", async () => {
    const simulator = await simulate(LIMITED, { now: () => 0 });
    expect(await outcomes(kmsClient(simulator, "us-east-1"), 6)).toContain("ThrottlingException");
    expect(await outcomes(kmsClient(simulator, "eu-west-1"), 5)).toEqual(repeat("ok", 5));
  });

  it("applies a top-level rateLimit to every target, unknown ones included; a region's own wins", async () => {
    const simulator = await simulate(
      `
rateLimit: {perSecond: 1, burst: 2}
accounts:
  - id: "000000000000"
    regions:
      - region: us-east-1
        rateLimit: {perSecond: 10, burst: 4}
`,
      { now: () => 0 },
    );
    expect(await outcomes(kmsClient(simulator, "us-east-1"), 5)).toEqual([
      ...repeat("ok", 4),
      "ThrottlingException",
    ]);
    expect(await outcomes(kmsClient(simulator, "ap-south-1"), 3)).toEqual([
      "ok",
      "ok",
      "ThrottlingException",
    ]);
  });

  it("counts refused calls for `calls` faults, which the limiter answers first", async () => {
    const simulator = await simulate(
      `
accounts:
  - id: "000000000000"
    regions:
      - region: us-east-1
        rateLimit: {perSecond: 1, burst: 1}
        faults: [{kind: internal-error, calls: [3]}]
`,
      { now: () => 0 },
    );
    await outcomes(kmsClient(simulator), 3);
    expect(simulator.calls.map((record) => record.fault)).toEqual([
      undefined,
      "rate-limit",
      "rate-limit",
    ]);
  });

  it("without rateLimit, nothing is limited", async () => {
    const simulator = await simulate(`accounts: [{id: "000000000000"}]`, { now: () => 0 });
    expect(await outcomes(kmsClient(simulator), 30)).toEqual(repeat("ok", 30));
  });
});

describe("stores that disappear and come back", () => {
  const SCENARIO = `
accounts:
  - id: "000000000000"
    regions:
      - region: us-east-1
        stores:
          - {id: cks-00000000000000001, name: one, state: CONNECTED}
          - {id: cks-00000000000000002, name: two, state: CONNECTED}
      - region: eu-west-1
        generate: {count: 4}
`;

  const names = async (client: KMSClient) =>
    ((await client.send(new DescribeCustomKeyStoresCommand({}))).CustomKeyStores ?? []).map(
      (store) => store.CustomKeyStoreName,
    );

  it("empties a target that had stores, then restores them", async () => {
    const simulator = await simulate(SCENARIO);
    const client = kmsClient(simulator);
    expect(await names(client)).toEqual(["one", "two"]);
    simulator.setStores("000000000000", "us-east-1", []);
    expect(await names(client)).toEqual([]);
    simulator.setStores("000000000000", "us-east-1", [
      { id: "cks-00000000000000002", name: "two", state: "DISCONNECTED" },
    ]);
    expect(await names(client)).toEqual(["two"]);
  });

  it("empties a generated target", async () => {
    const simulator = await simulate(SCENARIO);
    const client = kmsClient(simulator, "eu-west-1");
    expect(await names(client)).toHaveLength(4);
    simulator.setStores("000000000000", "eu-west-1", []);
    expect(await names(client)).toEqual([]);
  });

  it("creates a target the scenario did not have, empty or not", async () => {
    const simulator = await simulate(SCENARIO);
    simulator.setStores("000000000000", "ap-south-1", []);
    expect(await names(kmsClient(simulator, "ap-south-1"))).toEqual([]);
    simulator.setStores("000000000000", "sa-east-1", [
      { id: "cks-00000000000000009", name: "late", state: "CONNECTING" },
    ]);
    expect(await names(kmsClient(simulator, "sa-east-1"))).toEqual(["late"]);
  });

  it("creates a target for an account the scenario does not list", async () => {
    const simulator = await simulate(`defaultAccountId: "777777777777"\n${SCENARIO}`);
    const client = kmsClient(simulator);
    simulator.setStores("777777777777", "us-east-1", []);
    expect(await names(client)).toEqual([]);
    simulator.setStores("777777777777", "us-east-1", [
      { id: "cks-00000000000000007", name: "other", state: "CONNECTED" },
    ]);
    expect(await names(client)).toEqual(["other"]);
    expect(simulator.callCount({ accountId: "777777777777" })).toBe(2);
  });
});

describe("invalid-marker by call number", () => {
  it("fails the second page of a paginated listing", async () => {
    const simulator = await simulate(`
accounts:
  - id: "000000000000"
    regions:
      - region: us-east-1
        pageSize: 2
        generate: {count: 5}
        faults: [{kind: invalid-marker, calls: [2]}]
`);
    const client = kmsClient(simulator);
    const pages: number[] = [];
    const error = await (async () => {
      for await (const page of paginateDescribeCustomKeyStores({ client }, {})) {
        pages.push(page.CustomKeyStores?.length ?? 0);
      }
    })().catch((caught: Error & { $metadata?: { httpStatusCode?: number } }) => caught);
    expect(pages).toEqual([2]);
    expect(error).toMatchObject({
      name: "InvalidMarkerException",
      $metadata: { httpStatusCode: 400 },
    });
    expect(simulator.calls.map((record) => [record.status, record.fault])).toEqual([
      [200, undefined],
      [400, "invalid-marker"],
    ]);
    // Past the fault, the whole listing pages through: 3 more calls.
    let total = 0;
    for await (const page of paginateDescribeCustomKeyStores({ client }, {})) {
      total += page.CustomKeyStores?.length ?? 0;
    }
    expect(total).toBe(5);
    expect(simulator.callCount()).toBe(5);
  });
});
