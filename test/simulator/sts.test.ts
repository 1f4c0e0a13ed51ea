import { DescribeCustomKeyStoresCommand } from "@aws-sdk/client-kms";
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  type STSClientConfig,
} from "@aws-sdk/client-sts";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { describe, expect, it } from "vitest";
import type { Simulator } from "../../src/simulator/index.js";
import { FAKE_CREDENTIALS, kmsClient, simulate } from "../helpers/simulator.js";

const SCENARIO = `
defaultAccountId: "999999999999"
accounts:
  - id: "111111111111"
    regions:
      - region: eu-west-1
        stores: [{id: cks-11111111111111111, name: payments, state: CONNECTED}]
  - id: "222222222222"
    denyAssumeRole: true
    regions:
      - region: eu-west-1
        stores: [{id: cks-22222222222222222, name: analytics, state: CONNECTED}]
`;

function roleCredentials(simulator: Simulator, accountId: string) {
  return fromTemporaryCredentials({
    params: {
      RoleArn: `arn:aws:iam::${accountId}:role/kms-keystore-exporter`,
      ExternalId: "shared-secret",
      RoleSessionName: "exporter",
    },
    masterCredentials: FAKE_CREDENTIALS,
    clientConfig: { endpoint: simulator.url, region: "eu-west-1", maxAttempts: 1 },
  });
}

function stsClient(
  simulator: Simulator,
  credentials: STSClientConfig["credentials"] = FAKE_CREDENTIALS,
) {
  return new STSClient({
    region: "us-east-1",
    endpoint: simulator.url,
    credentials,
    maxAttempts: 1,
  });
}

describe("STS", () => {
  it("assumes a role whose credentials see that account's stores", async () => {
    const simulator = await simulate(SCENARIO);
    const answer = await kmsClient(
      simulator,
      "eu-west-1",
      roleCredentials(simulator, "111111111111"),
    ).send(new DescribeCustomKeyStoresCommand({}));
    expect(answer.CustomKeyStores?.map((store) => store.CustomKeyStoreId)).toEqual([
      "cks-11111111111111111",
    ]);
    expect(simulator.calls.map((record) => record.operation)).toEqual([
      "AssumeRole",
      "DescribeCustomKeyStores",
    ]);
    expect(simulator.calls[0]).toMatchObject({
      accountId: "111111111111",
      region: "eu-west-1",
      status: 200,
      externalId: "shared-secret",
      roleArn: "arn:aws:iam::111111111111:role/kms-keystore-exporter",
    });
    expect(simulator.calls[1]).toMatchObject({ accountId: "111111111111", region: "eu-west-1" });
  });

  it("returns parseable credentials and identities", async () => {
    const simulator = await simulate(SCENARIO);
    const before = Date.now();
    const assumed = await stsClient(simulator).send(
      new AssumeRoleCommand({
        RoleArn: "arn:aws:iam::111111111111:role/ops/reader",
        RoleSessionName: "s1",
        DurationSeconds: 900,
      }),
    );
    const { Credentials: credentials, AssumedRoleUser: user } = assumed;
    expect(credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(credentials?.Expiration?.getTime()).toBeGreaterThanOrEqual(before + 899_000);
    expect(user?.Arn).toBe("arn:aws:sts::111111111111:assumed-role/reader/s1");
    const asRole = await stsClient(simulator, {
      accessKeyId: credentials?.AccessKeyId ?? "",
      secretAccessKey: credentials?.SecretAccessKey ?? "",
      sessionToken: credentials?.SessionToken ?? "",
    }).send(new GetCallerIdentityCommand({}));
    expect(asRole).toMatchObject({
      Account: "111111111111",
      Arn: user?.Arn,
      UserId: user?.AssumedRoleId,
    });
    const asDefault = await stsClient(simulator).send(new GetCallerIdentityCommand({}));
    expect(asDefault.Account).toBe("999999999999");
  });

  it.each([
    ["an account that denies AssumeRole", "arn:aws:iam::222222222222:role/r", "AccessDenied", 403],
    ["an account outside the scenario", "arn:aws:iam::333333333333:role/r", "AccessDenied", 403],
    ["a malformed role ARN", "arn:aws:iam::12345:role/r", "ValidationError", 400],
  ])("refuses %s", async (_, roleArn, name, status) => {
    const simulator = await simulate(SCENARIO);
    const error = await stsClient(simulator)
      .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "s1" }))
      .catch((caught: Error & { $metadata?: { httpStatusCode?: number } }) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe(name);
    expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(
      status,
    );
  });

  it("fails the KMS call when fromTemporaryCredentials is denied", async () => {
    const simulator = await simulate(SCENARIO);
    const error = await kmsClient(
      simulator,
      "eu-west-1",
      roleCredentials(simulator, "222222222222"),
    )
      .send(new DescribeCustomKeyStoresCommand({}))
      .catch((caught: Error) => caught);
    expect((error as Error).name).toBe("AccessDenied");
    expect(simulator.callCount({ operation: "DescribeCustomKeyStores" })).toBe(0);
    expect(simulator.callCount({ operation: "AssumeRole", accountId: "222222222222" })).toBe(1);
  });
});
