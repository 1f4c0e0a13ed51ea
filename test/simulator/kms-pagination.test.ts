import {
  DescribeCustomKeyStoresCommand,
  paginateDescribeCustomKeyStores,
} from "@aws-sdk/client-kms";
import { describe, expect, it } from "vitest";
import { kmsClient, simulate } from "../helpers/simulator.js";

const GENERATED = `
accounts:
  - id: "000000000000"
    regions:
      - region: us-east-1
        pageSize: 7
        generate: {count: 2500, type: AWS_CLOUDHSM, state: CONNECTED}
`;

const TWO_REGIONS = `
accounts:
  - id: "000000000000"
    regions:
      - region: us-east-1
        stores:
          - {id: cks-00000000000000001, name: east-store, state: CONNECTED}
      - region: eu-west-1
        stores:
          - id: cks-00000000000000002
            name: west-xks
            type: EXTERNAL_KEY_STORE
            state: FAILED
            errorCode: XKS_PROXY_TIMED_OUT
            creationDate: "2024-01-02T03:04:05Z"
            xks: {connectivity: PUBLIC_ENDPOINT, uriEndpoint: "https://xks.example.com", uriPath: /kms/xks/v1, accessKeyId: AKIAXKS}
`;

describe("DescribeCustomKeyStores through the real KMS client", () => {
  it("pages through 2,500 stores, 7 per page, in exactly 358 calls", async () => {
    const simulator = await simulate(GENERATED);
    const client = kmsClient(simulator);
    const ids: string[] = [];
    for await (const page of paginateDescribeCustomKeyStores({ client }, {})) {
      for (const store of page.CustomKeyStores ?? []) {
        ids.push(store.CustomKeyStoreId ?? "");
        expect(store.CreationDate).toBeInstanceOf(Date);
      }
    }
    expect(ids).toHaveLength(2500);
    expect(new Set(ids).size).toBe(2500);
    expect(ids.every((id) => /^cks-[0-9a-f]{17}$/.test(id))).toBe(true);
    expect(simulator.callCount({ operation: "DescribeCustomKeyStores" })).toBe(Math.ceil(2500 / 7));
  });

  it("caps a page at the client's Limit and sends NextMarker only while truncated", async () => {
    const simulator = await simulate(GENERATED);
    const client = kmsClient(simulator);
    const first = await client.send(new DescribeCustomKeyStoresCommand({ Limit: 3 }));
    expect(first.CustomKeyStores).toHaveLength(3);
    expect(first.Truncated).toBe(true);
    expect(first.NextMarker).toEqual(expect.any(String));
    const one = await client.send(
      new DescribeCustomKeyStoresCommand({ CustomKeyStoreName: "gen-02500" }),
    );
    expect(one.CustomKeyStores?.map((store) => store.CustomKeyStoreName)).toEqual(["gen-02500"]);
    expect(one.Truncated).toBe(false);
    expect(one.NextMarker).toBeUndefined();
  });

  it("takes the region from the signature's credential scope", async () => {
    const simulator = await simulate(TWO_REGIONS);
    const answer = await kmsClient(simulator, "eu-west-1").send(
      new DescribeCustomKeyStoresCommand({}),
    );
    expect(answer.CustomKeyStores).toEqual([
      {
        CustomKeyStoreId: "cks-00000000000000002",
        CustomKeyStoreName: "west-xks",
        CustomKeyStoreType: "EXTERNAL_KEY_STORE",
        ConnectionState: "FAILED",
        ConnectionErrorCode: "XKS_PROXY_TIMED_OUT",
        CreationDate: new Date("2024-01-02T03:04:05Z"),
        XksProxyConfiguration: {
          Connectivity: "PUBLIC_ENDPOINT",
          UriEndpoint: "https://xks.example.com",
          UriPath: "/kms/xks/v1",
          AccessKeyId: "AKIAXKS",
        },
      },
    ]);
    expect(simulator.calls[0]).toMatchObject({ region: "eu-west-1", accountId: "000000000000" });
  });

  it("answers an empty list for a target the scenario does not know", async () => {
    const simulator = await simulate(TWO_REGIONS);
    const answer = await kmsClient(simulator, "ap-south-1").send(
      new DescribeCustomKeyStoresCommand({}),
    );
    expect(answer.CustomKeyStores).toEqual([]);
    expect(answer.Truncated).toBe(false);
  });

  it("replaces a target's stores at runtime", async () => {
    const simulator = await simulate(TWO_REGIONS);
    const client = kmsClient(simulator);
    simulator.setStores("000000000000", "us-east-1", []);
    const answer = await client.send(new DescribeCustomKeyStoresCommand({}));
    expect(answer.CustomKeyStores).toEqual([]);
  });

  it("moves stores along their timeline by the injected clock", async () => {
    let clock = 1_000_000;
    const simulator = await simulate(
      `
accounts:
  - id: "000000000000"
    regions:
      - region: us-east-1
        stores:
          - id: cks-00000000000000001
            name: moving
            state: CONNECTING
            timeline:
              - {at: 30s, state: CONNECTED}
              - {at: 90s, state: FAILED, errorCode: NETWORK_ERRORS}
              - {at: 150s, state: DISCONNECTED}
`,
      { now: () => clock },
    );
    const client = kmsClient(simulator);
    const observe = async () => {
      const [store] =
        (await client.send(new DescribeCustomKeyStoresCommand({}))).CustomKeyStores ?? [];
      return [store?.ConnectionState, store?.ConnectionErrorCode];
    };
    expect(await observe()).toEqual(["CONNECTING", undefined]);
    clock += 30_000;
    expect(await observe()).toEqual(["CONNECTED", undefined]);
    clock += 60_000;
    expect(await observe()).toEqual(["FAILED", "NETWORK_ERRORS"]);
    clock += 60_000;
    expect(await observe()).toEqual(["DISCONNECTED", undefined]);
    expect(simulator.calls.map((record) => record.at)).toEqual([
      1_000_000, 1_030_000, 1_090_000, 1_150_000,
    ]);
  });
});
