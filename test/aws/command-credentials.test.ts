import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { DescribeCustomKeyStoresCommand, KMSClient } from "@aws-sdk/client-kms";
import { afterEach, describe, expect, it } from "vitest";
import {
  signedWith,
  UNSET_CREDENTIALS,
  useCredentials,
} from "../../src/aws/command-credentials.js";
import { SessionPool } from "../../src/aws/sessions.js";
import { type Account, targetKey } from "../../src/model.js";
import { FAKE_CREDENTIALS, simulate } from "../helpers/simulator.js";

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A server that answers an empty page and keeps each request's Authorization header. */
async function recordingServer(): Promise<{ url: string; authorizations: string[] }> {
  const authorizations: string[] = [];
  const server = createServer((request, response) => {
    authorizations.push(request.headers.authorization ?? "");
    request.resume();
    request.on("end", () => {
      response.writeHead(200, { "Content-Type": "application/x-amz-json-1.1" });
      response.end('{"CustomKeyStores":[]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => server.close());
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    authorizations,
  };
}

const keyOf = (authorization: string | undefined) =>
  /Credential=([^/]+)\//.exec(authorization ?? "")?.[1];

describe("command credentials", () => {
  it("signs each command with its own credentials on one shared client", async () => {
    const server = await recordingServer();
    const client = new KMSClient({
      region: "eu-west-1",
      endpoint: server.url,
      credentials: UNSET_CREDENTIALS,
      maxAttempts: 1,
    });
    const as = (accessKeyId: string) => async () => ({ accessKeyId, secretAccessKey: "s" });
    await client.send(useCredentials(new DescribeCustomKeyStoresCommand({}), as("AKIAONE")));
    await signedWith(client, as("AKIATWO")).send(new DescribeCustomKeyStoresCommand({}));
    await client.send(new DescribeCustomKeyStoresCommand({}));
    expect(server.authorizations.map(keyOf)).toEqual([
      "AKIAONE",
      "AKIATWO",
      // Forgotten: the shared client's own identity, which no endpoint accepts.
      "UNSET-USE-COMMAND-CREDENTIALS",
    ]);
  });

  it("fails the call, not the process, when the credentials cannot be had", async () => {
    const server = await recordingServer();
    const client = new KMSClient({
      region: "eu-west-1",
      endpoint: server.url,
      credentials: UNSET_CREDENTIALS,
      maxAttempts: 1,
    });
    const denied = () => Promise.reject(new Error("AccessDenied: not allowed"));
    await expect(
      client.send(useCredentials(new DescribeCustomKeyStoresCommand({}), denied)),
    ).rejects.toThrow("AccessDenied");
    expect(server.authorizations).toEqual([]);
  });

  it("lets the pool's accounts share regional clients, each seeing its own stores", async () => {
    const simulator = await simulate(`accounts:
  - id: "111111111111"
    regions: [{region: us-east-1, stores: [{id: cks-a, name: a, state: CONNECTED}]}]
  - id: "222222222222"
    regions: [{region: us-east-1, stores: [{id: cks-b, name: b, state: FAILED}]}]
`);
    const pool = new SessionPool({
      aws: {
        endpoint: simulator.url,
        baseCredentials: async () => FAKE_CREDENTIALS,
        connectTimeoutMs: 1_000,
        requestTimeoutMs: 5_000,
      },
      concurrency: 4,
      settings: {
        rateLimit: { perSecond: 10, burst: 2 },
        sessionDurationSeconds: 900,
        failureHoldMs: 0,
      },
      now: Date.now,
      reportAssumeRole: () => () => {},
    });
    const account = (accountId: string): Account => ({
      accountId,
      name: undefined,
      roleArn: `arn:aws:iam::${accountId}:role/reader`,
      externalId: undefined,
      regions: ["us-east-1"],
    });
    pool.retain([account("111111111111"), account("222222222222")]);
    const storesOf = async (accountId: string) => {
      const target = {
        key: targetKey(accountId, "us-east-1"),
        accountId,
        accountName: undefined,
        region: "us-east-1",
      };
      const answer = await pool
        .session(target)
        ?.kmsClient("us-east-1")
        .send(new DescribeCustomKeyStoresCommand({}));
      return answer?.CustomKeyStores?.map((store) => store.CustomKeyStoreId);
    };
    expect(await storesOf("111111111111")).toEqual(["cks-a"]);
    expect(await storesOf("222222222222")).toEqual(["cks-b"]);
    expect(simulator.callCount({ operation: "AssumeRole" })).toBe(2);
    pool.destroy();
  });
});
