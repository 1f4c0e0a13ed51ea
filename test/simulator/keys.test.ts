import { DescribeKeyCommand, ListKeysCommand, paginateListKeys } from "@aws-sdk/client-kms";
import { describe, expect, it } from "vitest";
import { FAKE_CREDENTIALS, kmsClient, simulate } from "../helpers/simulator.js";

const STORE = "cks-0000000000000aaaa";
const XKS = "cks-0000000000000bbbb";

const SCENARIO = `
accounts:
  - id: "000000000000"
    regions:
      - region: us-east-1
        stores:
          - {id: ${STORE}, name: hsm, state: CONNECTED, cloudHsmClusterId: cluster-1a23b4cdefg}
          - {id: ${XKS}, name: xks, type: EXTERNAL_KEY_STORE, state: CONNECTED}
        keys:
          - {store: ${STORE}, state: Enabled, count: 5}
          - {store: ${STORE}, state: Disabled, count: 2}
          - {id: pending-1, store: ${STORE}, state: PendingDeletion}
          - {id: xks-1, store: ${XKS}}
          - {id: secret-1, store: ${STORE}, denyDescribeKey: true}
          - {count: 20}
`;

async function listAll(client: ReturnType<typeof kmsClient>, limit: number) {
  const ids: string[] = [];
  for await (const page of paginateListKeys({ client, pageSize: limit }, {})) {
    for (const key of page.Keys ?? []) ids.push(key.KeyId ?? "");
  }
  return ids;
}

describe("ListKeys and DescribeKey through the real KMS client", () => {
  it("lists every key in pages of Limit, with NextMarker only while truncated", async () => {
    const simulator = await simulate(SCENARIO);
    const client = kmsClient(simulator);
    const ids = await listAll(client, 7);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(simulator.callCount({ operation: "ListKeys" })).toBe(Math.ceil(30 / 7));

    const first = await client.send(new ListKeysCommand({}));
    expect(first.Keys).toHaveLength(30);
    expect(first.Truncated).toBe(false);
    expect(first.NextMarker).toBeUndefined();
    const page = await client.send(new ListKeysCommand({ Limit: 29 }));
    expect(page).toMatchObject({ Truncated: true, NextMarker: expect.any(String) });
    expect(page.Keys?.[0]?.KeyArn).toBe(
      `arn:aws:kms:us-east-1:000000000000:key/${page.Keys?.[0]?.KeyId}`,
    );
  });

  it("refuses a Limit outside 1–1000 and a marker it did not issue", async () => {
    const simulator = await simulate(SCENARIO);
    const client = kmsClient(simulator);
    await expect(client.send(new ListKeysCommand({ Limit: 0 }))).rejects.toMatchObject({
      name: "ValidationException",
    });
    await expect(client.send(new ListKeysCommand({ Limit: 1001 }))).rejects.toMatchObject({
      name: "ValidationException",
    });
    await expect(client.send(new ListKeysCommand({ Marker: "bogus" }))).rejects.toMatchObject({
      name: "InvalidMarkerException",
    });
  });

  it("tells each key's store, by key id or ARN; keys outside stores have none", async () => {
    const simulator = await simulate(SCENARIO);
    const client = kmsClient(simulator);
    const pending = await client.send(new DescribeKeyCommand({ KeyId: "pending-1" }));
    expect(pending.KeyMetadata).toMatchObject({
      KeyId: "pending-1",
      KeyState: "PendingDeletion",
      Enabled: false,
      CustomKeyStoreId: STORE,
      CloudHsmClusterId: "cluster-1a23b4cdefg",
      Origin: "AWS_CLOUDHSM",
    });
    const xks = await client.send(
      new DescribeKeyCommand({ KeyId: "arn:aws:kms:us-east-1:000000000000:key/xks-1" }),
    );
    expect(xks.KeyMetadata).toMatchObject({
      KeyState: "Enabled",
      Enabled: true,
      CustomKeyStoreId: XKS,
      Origin: "EXTERNAL_KEY_STORE",
      XksKeyConfiguration: { Id: "ext-xks-1" },
    });
    const ids = await listAll(client, 1000);
    const outside = await client.send(new DescribeKeyCommand({ KeyId: ids.at(-1) }));
    expect(outside.KeyMetadata?.CustomKeyStoreId).toBeUndefined();
    expect(outside.KeyMetadata?.Origin).toBe("AWS_KMS");
    await expect(client.send(new DescribeKeyCommand({ KeyId: "nope" }))).rejects.toMatchObject({
      name: "NotFoundException",
    });
  });

  it("answers AccessDeniedException for a key whose policy denies DescribeKey", async () => {
    const simulator = await simulate(SCENARIO);
    const error = await kmsClient(simulator)
      .send(new DescribeKeyCommand({ KeyId: "secret-1" }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "AccessDeniedException" });
    expect((error as Error).message).toContain("no resource-based policy allows");
  });

  it("shows Enabled and Disabled keys as Unavailable while their store is not CONNECTED", async () => {
    const simulator = await simulate(SCENARIO);
    const client = kmsClient(simulator);
    simulator.setStores("000000000000", "us-east-1", [
      { id: STORE, name: "hsm", state: "FAILED", errorCode: "NETWORK_ERRORS" },
      { id: XKS, name: "xks", type: "EXTERNAL_KEY_STORE", state: "CONNECTED" },
    ]);
    const states: string[] = [];
    for (const id of await listAll(client, 1000)) {
      if (id === "secret-1") continue;
      const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: id }));
      if (KeyMetadata?.CustomKeyStoreId === STORE) states.push(KeyMetadata.KeyState ?? "");
    }
    expect(states.sort()).toEqual([...Array(7).fill("Unavailable"), "PendingDeletion"].sort());
    const xks = await client.send(new DescribeKeyCommand({ KeyId: "xks-1" }));
    expect(xks.KeyMetadata?.KeyState).toBe("Enabled");
  });

  it("lets a test replace a target's keys, and scripts ListKeys faults by call", async () => {
    const simulator = await simulate(`
accounts:
  - id: "000000000000"
    regions:
      - region: us-east-1
        faults:
          - {kind: throttling, operation: ListKeys, calls: [2]}
`);
    simulator.setKeys("000000000000", "us-east-1", [{ id: "only-1" }]);
    const client = kmsClient(simulator, "us-east-1", FAKE_CREDENTIALS);
    expect((await client.send(new ListKeysCommand({}))).Keys).toEqual([
      { KeyId: "only-1", KeyArn: "arn:aws:kms:us-east-1:000000000000:key/only-1" },
    ]);
    await expect(client.send(new ListKeysCommand({}))).rejects.toMatchObject({
      name: "ThrottlingException",
    });
  });
});
