import { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@aws-sdk/types";
import type { NodeHttpHandler } from "@smithy/node-http-handler";
import { describe, expect, it } from "vitest";
import { createRequestHandler } from "../../src/aws/clients.js";
import { UNSET_CREDENTIALS } from "../../src/aws/command-credentials.js";
import { assumedRoleCredentials, sharedCredentials } from "../../src/aws/credentials.js";
import { FAKE_CREDENTIALS, simulate } from "../helpers/simulator.js";

const MINUTE = 60_000;

function source(expiresInMs: number | undefined, now: () => number) {
  let calls = 0;
  const provider = async (): Promise<AwsCredentialIdentity> => {
    calls++;
    return {
      accessKeyId: `key-${calls}`,
      secretAccessKey: "secret",
      ...(expiresInMs === undefined ? {} : { expiration: new Date(now() + expiresInMs) }),
    };
  };
  return { provider, calls: () => calls };
}

describe("sharedCredentials", () => {
  it("says while a fetch is under way, and settles that wait even when the fetch fails", async () => {
    let fail: ((error: Error) => void) | undefined;
    const credentials = sharedCredentials(
      () =>
        new Promise<AwsCredentialIdentity>((_resolve, reject) => {
          fail = reject;
        }),
    );
    expect(credentials.pending()).toBeUndefined();
    const fetching = credentials();
    const waiting = credentials.pending();
    expect(waiting).toBeInstanceOf(Promise);
    fail?.(new Error("AccessDenied"));
    await expect(fetching).rejects.toThrow("AccessDenied");
    await expect(waiting).resolves.toBeUndefined();
    expect(credentials.pending()).toBeUndefined();
  });

  it("asks once for concurrent callers and keeps credentials without an expiry", async () => {
    const counted = source(undefined, Date.now);
    const shared = sharedCredentials(counted.provider);
    const [a, b] = await Promise.all([shared(), shared()]);
    expect(a).toBe(b);
    await shared();
    expect(counted.calls()).toBe(1);
  });

  it("asks again only within 5 minutes of expiry", async () => {
    let nowMs = 0;
    const now = () => nowMs;
    const counted = source(60 * MINUTE, now);
    const shared = sharedCredentials(counted.provider, { now });
    await shared();
    nowMs = 54 * MINUTE;
    expect((await shared()).accessKeyId).toBe("key-1");
    nowMs = 55 * MINUTE;
    expect((await shared()).accessKeyId).toBe("key-2");
    expect(counted.calls()).toBe(2);
  });

  it("uses credentials inside the refresh window until refetchAfterMs has passed", async () => {
    let nowMs = 0;
    const now = () => nowMs;
    const counted = source(2 * MINUTE, now);
    const shared = sharedCredentials(counted.provider, { now, refetchAfterMs: 1_000 });
    expect((await shared()).accessKeyId).toBe("key-1");
    nowMs = 999;
    expect((await shared()).accessKeyId).toBe("key-1");
    nowMs = 1_000;
    expect((await shared()).accessKeyId).toBe("key-2");
    expect(counted.calls()).toBe(2);
  });

  it("calls credentials that expired ExpiredToken until refetchAfterMs, without asking again", async () => {
    let nowMs = 0;
    const now = () => nowMs;
    const counted = source(-1, now);
    const shared = sharedCredentials(counted.provider, { now, refetchAfterMs: 1_000 });
    await expect(shared()).rejects.toMatchObject({ name: "ExpiredToken" });
    nowMs = 999;
    await expect(shared()).rejects.toMatchObject({ name: "ExpiredToken" });
    expect(counted.calls()).toBe(1);
    nowMs = 1_000;
    await expect(shared()).rejects.toMatchObject({ name: "ExpiredToken" });
    expect(counted.calls()).toBe(2);
  });

  it("rejects credentials that expire exactly now, and uses ones valid for a millisecond more", async () => {
    let nowMs = 0;
    const now = () => nowMs;
    await expect(sharedCredentials(source(0, now).provider, { now })()).rejects.toMatchObject({
      name: "ExpiredToken",
    });
    const shortLived = source(1, now);
    const shared = sharedCredentials(shortLived.provider, { now, refetchAfterMs: 10 });
    expect((await shared()).accessKeyId).toBe("key-1");
    nowMs = 1;
    await expect(shared()).rejects.toMatchObject({ name: "ExpiredToken" });
  });

  it("answers with a failure for the hold time, then asks again", async () => {
    let nowMs = 0;
    let calls = 0;
    const shared = sharedCredentials(
      async () => {
        calls++;
        throw new Error(`denied ${calls}`);
      },
      { now: () => nowMs, failureHoldMs: 1_000 },
    );
    await expect(shared()).rejects.toThrow("denied 1");
    nowMs = 999;
    await expect(shared()).rejects.toThrow("denied 1");
    nowMs = 1_000;
    await expect(shared()).rejects.toThrow("denied 2");
  });
});

/** A shared regional STS client as the session pool makes it. */
function stsClient(endpoint: string, region: string, requestHandler: NodeHttpHandler): STSClient {
  return new STSClient({
    region,
    endpoint,
    credentials: UNSET_CREDENTIALS,
    requestHandler,
    maxAttempts: 1,
  });
}

describe("assumedRoleCredentials", () => {
  it("assumes the role once with its external id and session length, and reports each call", async () => {
    const simulator = await simulate('accounts:\n  - id: "111111111111"\n    regions: []\n');
    const reported: unknown[] = [];
    const handler = createRequestHandler(
      {
        endpoint: simulator.url,
        baseCredentials: undefined,
        connectTimeoutMs: 1_000,
        requestTimeoutMs: 5_000,
      },
      4,
    );
    const credentials = assumedRoleCredentials({
      roleArn: "arn:aws:iam::111111111111:role/reader",
      externalId: "ext-1",
      baseCredentials: async () => FAKE_CREDENTIALS,
      sts: stsClient(simulator.url, "eu-west-1", handler),
      durationSeconds: 900,
      onCall: (error) => reported.push(error),
    });
    const first = await credentials();
    expect(first.accessKeyId).toMatch(/^ASIA/);
    expect(await credentials()).toBe(first);
    const calls = simulator.calls.filter((call) => call.operation === "AssumeRole");
    expect(calls.map((call) => [call.roleArn, call.externalId, call.region])).toEqual([
      ["arn:aws:iam::111111111111:role/reader", "ext-1", "eu-west-1"],
    ]);
    expect(reported).toEqual([undefined]);
    handler.destroy();
  });

  it("reports a denied role's error", async () => {
    const simulator = await simulate(
      'accounts:\n  - id: "111111111111"\n    denyAssumeRole: true\n    regions: []\n',
    );
    const reported: Array<string | undefined> = [];
    const handler = createRequestHandler(
      {
        endpoint: simulator.url,
        baseCredentials: undefined,
        connectTimeoutMs: 1_000,
        requestTimeoutMs: 5_000,
      },
      4,
    );
    const credentials = assumedRoleCredentials({
      roleArn: "arn:aws:iam::111111111111:role/reader",
      externalId: undefined,
      baseCredentials: async () => FAKE_CREDENTIALS,
      sts: stsClient(simulator.url, "us-east-1", handler),
      durationSeconds: 900,
      onCall: (error) => reported.push((error as Error | undefined)?.name),
    });
    await expect(credentials()).rejects.toThrow(/not authorized/);
    expect(reported).toEqual(["AccessDenied"]);
    expect(
      simulator.calls.filter((call) => call.operation === "AssumeRole")[0]?.externalId,
    ).toBeUndefined();
    handler.destroy();
  });
});
