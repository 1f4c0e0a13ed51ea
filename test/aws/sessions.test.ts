import { DescribeCustomKeyStoresCommand } from "@aws-sdk/client-kms";
import { ListAccountsCommand } from "@aws-sdk/client-organizations";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { AccountSession } from "../../src/aws/account-session.js";
import { stsRegionFor } from "../../src/aws/pool-clients.js";
import { type RoleToAssume, SessionPool, type SessionSettings } from "../../src/aws/sessions.js";
import { type Account, type Target, targetKey } from "../../src/model.js";
import type { Simulator } from "../../src/simulator/index.js";
import { FAKE_CREDENTIALS, simulate } from "../helpers/simulator.js";

const SCENARIO = `accounts:
  - id: "111111111111"
    regions:
      - region: us-east-1
        stores: [{id: cks-1, name: a, state: CONNECTED}]
      - region: eu-west-1
        stores: []
`;

function account(overrides: Partial<Account> = {}): Account {
  return {
    accountId: "111111111111",
    name: "payments",
    roleArn: "arn:aws:iam::111111111111:role/reader-a",
    externalId: undefined,
    regions: ["us-east-1", "eu-west-1"],
    ...overrides,
  };
}

function target(region: string, accountId = "111111111111"): Target {
  return { key: targetKey(accountId, region), accountId, accountName: undefined, region };
}

/** A pool against the simulator (or any endpoint), recording every AssumeRole report. */
function pool(
  simulator: Simulator | { url: string },
  reported: Array<[RoleToAssume, unknown]> = [],
  settings: Partial<SessionSettings> = {},
): SessionPool {
  return new SessionPool({
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
      ...settings,
    },
    now: Date.now,
    reportAssumeRole: (role) => (error) => reported.push([role, error]),
  });
}

const assumedRoles = (simulator: Simulator) =>
  simulator.calls.filter((call) => call.operation === "AssumeRole").map((call) => call.roleArn);

describe("SessionPool", () => {
  it("shares one session and one AssumeRole between the regions of an account", async () => {
    const simulator = await simulate(SCENARIO);
    const reported: Array<[RoleToAssume, unknown]> = [];
    const sessions = pool(simulator, reported);
    sessions.retain([account()]);
    const east = sessions.session(target("us-east-1"));
    const west = sessions.session(target("eu-west-1"));
    expect(east).toBeInstanceOf(AccountSession);
    expect(west).toBe(east);
    await east?.credentials?.();
    await west?.credentials?.();
    expect(assumedRoles(simulator)).toEqual(["arn:aws:iam::111111111111:role/reader-a"]);
    expect(reported.map(([role, error]) => [role.roleArn, role.region, error])).toEqual([
      ["arn:aws:iam::111111111111:role/reader-a", "us-east-1", undefined],
    ]);
    sessions.destroy();
  });

  it("drops the session when the role changes, so the next poll assumes the new role", async () => {
    const simulator = await simulate(SCENARIO);
    const sessions = pool(simulator);
    sessions.retain([account()]);
    const before = sessions.session(target("us-east-1"));
    await before?.kmsClient("us-east-1").send(new DescribeCustomKeyStoresCommand({}));
    sessions.retain([account({ roleArn: "arn:aws:iam::111111111111:role/reader-b" })]);
    expect(before && sessions.isCurrent(before)).toBe(false);
    const after = sessions.session(target("us-east-1"));
    expect(after).not.toBe(before);
    // Its KMS client is signed with the new role's keys: using it assumes role b.
    await after?.kmsClient("us-east-1").send(new DescribeCustomKeyStoresCommand({}));
    expect(assumedRoles(simulator)).toEqual([
      "arn:aws:iam::111111111111:role/reader-a",
      "arn:aws:iam::111111111111:role/reader-b",
    ]);
    sessions.destroy();
  });

  it("drops the session when only the external id changes", async () => {
    const simulator = await simulate(SCENARIO);
    const sessions = pool(simulator);
    sessions.retain([account({ externalId: "one" })]);
    const before = sessions.session(target("us-east-1"));
    sessions.retain([account({ externalId: "two" })]);
    expect(sessions.session(target("us-east-1"))).not.toBe(before);
    sessions.destroy();
  });

  it("keeps the session and its clients through a rename, with the new name", async () => {
    const simulator = await simulate(SCENARIO);
    const sessions = pool(simulator);
    sessions.retain([account()]);
    const before = sessions.session(target("us-east-1"));
    const client = before?.kmsClient("us-east-1");
    expect(before?.kmsClient("us-east-1")).toBe(client);
    sessions.retain([account({ name: "renamed" })]);
    const after = sessions.session(target("us-east-1"));
    expect(after).toBe(before);
    expect(after && sessions.isCurrent(after)).toBe(true);
    expect(after?.account.name).toBe("renamed");
    expect(after?.kmsClient("us-east-1")).toBe(client);
    sessions.destroy();
  });

  it("has no session for a target whose account or region went, and forgets its client", async () => {
    const simulator = await simulate(SCENARIO);
    const sessions = pool(simulator);
    sessions.retain([account()]);
    const session = sessions.session(target("eu-west-1"));
    const westClient = session?.kmsClient("eu-west-1");
    sessions.retain([account({ regions: ["us-east-1"] })]);
    expect(sessions.session(target("eu-west-1"))).toBeUndefined();
    expect(sessions.session(target("us-east-1"))).toBe(session);
    sessions.retain([account()]);
    expect(sessions.session(target("eu-west-1"))?.kmsClient("eu-west-1")).not.toBe(westClient);
    expect(sessions.session(target("us-east-1", "222222222222"))).toBeUndefined();
    sessions.retain([]);
    expect(sessions.session(target("us-east-1"))).toBeUndefined();
    sessions.destroy();
  });

  it("uses the default credentials for an account without a role", async () => {
    const simulator = await simulate(SCENARIO);
    const sessions = pool(simulator);
    sessions.retain([account({ roleArn: undefined })]);
    const session = sessions.session(target("us-east-1"));
    expect(await session?.credentials?.()).toEqual(FAKE_CREDENTIALS);
    await session?.kmsClient("us-east-1").send(new DescribeCustomKeyStoresCommand({}));
    expect(assumedRoles(simulator)).toEqual([]);
    expect(await sessions.clientOptions("us-east-1").credentials?.()).toEqual(FAKE_CREDENTIALS);
    sessions.destroy();
  });

  it("keeps one rate limiter per target while it stays, and a new one after it went", async () => {
    const simulator = await simulate(SCENARIO);
    const sessions = pool(simulator);
    sessions.retain([account()]);
    const limiter = sessions.limiter(target("us-east-1"));
    expect(sessions.limiter(target("us-east-1"))).toBe(limiter);
    expect(sessions.limiter(target("eu-west-1"))).not.toBe(limiter);
    sessions.retain([account({ regions: ["eu-west-1"] })]);
    expect(sessions.limiter(target("us-east-1"))).not.toBe(limiter);
    sessions.destroy();
  });

  it("applies a new rate limit to the limiters it has", async () => {
    const simulator = await simulate(SCENARIO);
    const sessions = pool(simulator);
    sessions.configure({
      rateLimit: { perSecond: 0.5, burst: 1 },
      sessionDurationSeconds: 900,
      failureHoldMs: 0,
    });
    sessions.retain([account()]);
    const limiter = sessions.limiter(target("us-east-1"));
    const signal = new AbortController().signal;
    // The burst's token: at once (a loaded machine may tick a millisecond meanwhile).
    expect(await limiter.acquire(signal)).toBeLessThan(50);
    // At 0.5/s the next token is 2 s away; at 1,000/s it is a millisecond away.
    sessions.configure({
      rateLimit: { perSecond: 1_000, burst: 5 },
      sessionDurationSeconds: 900,
      failureHoldMs: 0,
    });
    expect(await limiter.acquire(signal)).toBeLessThan(1_000);
    sessions.destroy();
  });
});

describe("SessionPool details", () => {
  it("keeps a target's limiter through a retain that keeps the target", async () => {
    const simulator = await simulate(SCENARIO);
    const sessions = pool(simulator);
    sessions.retain([account()]);
    const limiter = sessions.limiter(target("us-east-1"));
    sessions.retain([account({ name: "renamed" })]);
    expect(sessions.limiter(target("us-east-1"))).toBe(limiter);
    sessions.retain([account({ accountId: "222222222222" })]);
    expect(sessions.limiter(target("us-east-1"))).not.toBe(limiter);
    sessions.destroy();
  });

  it("asks STS in the account's first region", async () => {
    const simulator = await simulate(SCENARIO);
    const reported: Array<[RoleToAssume, unknown]> = [];
    const sessions = pool(simulator, reported);
    sessions.retain([account({ regions: ["eu-west-1", "us-east-1"] })]);
    await sessions.session(target("us-east-1"))?.credentials();
    expect(reported.map(([role]) => role)).toEqual([
      {
        accountId: "111111111111",
        accountName: "payments",
        roleArn: "arn:aws:iam::111111111111:role/reader-a",
        externalId: undefined,
        region: "eu-west-1",
      },
    ]);
    sessions.destroy();
  });

  it("assumes roles again in the new STS region or with the new lifetime after a reload", async () => {
    const simulator = await simulate(SCENARIO);
    const sessions = pool(simulator);
    const settings = {
      rateLimit: { perSecond: 10, burst: 2 },
      sessionDurationSeconds: 900,
      failureHoldMs: 0,
    };
    sessions.retain([account()]);
    const first = sessions.session(target("us-east-1"));
    await first?.credentials();
    sessions.configure({ ...settings, rateLimit: { perSecond: 5, burst: 1 } });
    expect(sessions.session(target("us-east-1"))).toBe(first);
    sessions.configure({ ...settings, stsRegion: "eu-west-1" });
    const second = sessions.session(target("us-east-1"));
    expect(second).not.toBe(first);
    await second?.credentials();
    sessions.configure({ ...settings, stsRegion: "eu-west-1", sessionDurationSeconds: 1_800 });
    const third = sessions.session(target("us-east-1"));
    expect(third).not.toBe(second);
    await third?.credentials();
    const calls = simulator.calls.filter((call) => call.operation === "AssumeRole");
    expect(calls.map((call) => call.region)).toEqual(["us-east-1", "eu-west-1", "eu-west-1"]);
    sessions.destroy();
  });

  it("tells a role and external id apart from a longer role name without one", async () => {
    const simulator = await simulate(SCENARIO);
    const sessions = pool(simulator);
    sessions.retain([
      account({ roleArn: "arn:aws:iam::111111111111:role/reader", externalId: "-b" }),
    ]);
    const before = sessions.session(target("us-east-1"));
    sessions.retain([account({ roleArn: "arn:aws:iam::111111111111:role/reader-b" })]);
    expect(sessions.session(target("us-east-1"))).not.toBe(before);
    sessions.destroy();
  });

  it("answers a failed AssumeRole from memory for failureHoldMs", async () => {
    const reported: Array<[RoleToAssume, unknown]> = [];
    // Nothing listens on port 1: every STS call fails at once.
    const sessions = pool({ url: "http://127.0.0.1:1" }, reported, { failureHoldMs: 60_000 });
    sessions.retain([account()]);
    const credentials = sessions.session(target("us-east-1"))?.credentials;
    await expect(credentials?.()).rejects.toThrow();
    await expect(credentials?.()).rejects.toThrow();
    expect(reported).toHaveLength(1);
    sessions.destroy();
  });

  it("has no current session after destroy", async () => {
    const simulator = await simulate(SCENARIO);
    const sessions = pool(simulator);
    sessions.retain([account()]);
    const session = sessions.session(target("us-east-1"));
    sessions.destroy();
    expect(session && sessions.isCurrent(session)).toBe(false);
  });
});

describe("SessionPool's other clients", () => {
  it("reads the STS region rule once: sts.region, else the first region named, else us-east-1", () => {
    expect(stsRegionFor("eu-central-1", "eu-west-1")).toBe("eu-central-1");
    expect(stsRegionFor(undefined, undefined, "eu-west-1", "ap-south-1")).toBe("eu-west-1");
    expect(stsRegionFor(undefined)).toBe("us-east-1");
  });

  it("keeps one caller-identity STS client per region, signed with the default credentials", async () => {
    const simulator = await simulate('defaultAccountId: "123456789012"\n');
    const sessions = pool(simulator, [], { stsRegion: "eu-west-1" });
    const client = sessions.callerIdentityClient(sessions.stsRegion("us-east-1"));
    expect(sessions.callerIdentityClient("eu-west-1")).toBe(client);
    const identity = await client.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe("123456789012");
    expect(simulator.calls.at(-1)).toMatchObject({
      operation: "GetCallerIdentity",
      region: "eu-west-1",
    });
    sessions.destroy();
  });

  it("keeps an Organizations client per role, through its role's session in the STS region", async () => {
    const simulator = await simulate(`
organizations: {managementAccountId: "111111111111"}
accounts: [{id: "111111111111"}, {id: "222222222222"}]
`);
    const reported: Array<[RoleToAssume, unknown]> = [];
    const sessions = pool(simulator, reported);
    const access = {
      region: "us-east-1",
      roleArn: "arn:aws:iam::111111111111:role/org-reader",
      externalId: "ext",
      roleAccountId: "111111111111",
    };
    const client = sessions.organizationsClient(access);
    expect(sessions.organizationsClient({ ...access })).toBe(client);
    expect(sessions.organizationsClient({ region: "us-east-1" })).not.toBe(client);
    const listed = await client.send(new ListAccountsCommand({}));
    expect(listed.Accounts?.map((member) => member.Id)).toEqual(["111111111111", "222222222222"]);
    expect(assumedRoles(simulator)).toEqual([access.roleArn]);
    expect(reported.map(([role]) => [role.accountId, role.region])).toEqual([
      ["111111111111", "us-east-1"],
    ]);
    sessions.configure({
      rateLimit: { perSecond: 10, burst: 2 },
      sessionDurationSeconds: 900,
      failureHoldMs: 0,
      stsRegion: "eu-west-1",
    });
    expect(sessions.organizationsClient(access)).not.toBe(client);
    sessions.destroy();
  });
});
