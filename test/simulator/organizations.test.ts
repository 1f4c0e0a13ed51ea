import { DescribeCustomKeyStoresCommand } from "@aws-sdk/client-kms";
import {
  type Account,
  ListAccountsCommand,
  type ListAccountsCommandInput,
  type OrganizationsClient,
  paginateListAccounts,
} from "@aws-sdk/client-organizations";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { describe, expect, it, vi } from "vitest";
import type { AccountSpec, Simulator } from "../../src/simulator/index.js";
import {
  asFetch,
  FAKE_CREDENTIALS,
  kmsClient,
  organizationsClient,
  signedRequest,
  simulate,
} from "../helpers/simulator.js";
import { untilTurns } from "../helpers/wait.js";

interface SdkError extends Error {
  code?: string;
  Reason?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const MANAGEMENT = "100000000000";

function accountId(index: number): string {
  return String(100_000_000_000 + index);
}

/** `count` members; the first is the management account, which is the default caller. */
function organization(count: number, extra = ""): string {
  const accounts = Array.from(
    { length: count },
    (_, index) => `  - {id: "${accountId(index)}", name: member-${index}}`,
  ).join("\n");
  return `
defaultAccountId: "${MANAGEMENT}"
organizations:
  managementAccountId: "${MANAGEMENT}"
${extra}
accounts:
${accounts}
`;
}

async function listAll(client: OrganizationsClient, input: ListAccountsCommandInput = {}) {
  const accounts: Account[] = [];
  for await (const page of paginateListAccounts({ client }, input)) {
    accounts.push(...(page.Accounts ?? []));
  }
  return accounts;
}

async function failure(client: OrganizationsClient, input: ListAccountsCommandInput = {}) {
  return client.send(new ListAccountsCommand(input)).then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: SdkError) => error,
  );
}

function roleCredentials(simulator: Simulator, account: string) {
  return fromTemporaryCredentials({
    params: {
      RoleArn: `arn:aws:iam::${account}:role/org-reader`,
      RoleSessionName: "discovery",
    },
    masterCredentials: FAKE_CREDENTIALS,
    clientConfig: { endpoint: simulator.url, region: "us-east-1", maxAttempts: 1 },
  });
}

describe("Organizations ListAccounts through the real SDK", () => {
  it("pages 45 members 20 at a time: 3 calls, every id once", async () => {
    const simulator = await simulate(organization(45, "  pageSize: 20"));
    const accounts = await listAll(organizationsClient(simulator));
    expect(accounts.map((account) => account.Id)).toEqual(
      Array.from({ length: 45 }, (_, index) => accountId(index)),
    );
    expect(simulator.callCount({ operation: "ListAccounts" })).toBe(3);
    expect(simulator.calls.map((record) => [record.operation, record.accountId])).toEqual(
      Array.from({ length: 3 }, () => ["ListAccounts", MANAGEMENT]),
    );
  });

  it("puts every member field on the wire in the SDK's shape", async () => {
    const simulator = await simulate(`
defaultAccountId: "${MANAGEMENT}"
organizations: {managementAccountId: "${MANAGEMENT}"}
accounts:
  - {id: "${MANAGEMENT}", name: management}
  - {id: "200000000000", email: ops@example.org, status: SUSPENDED}
  - {id: "300000000000", status: PENDING_CLOSURE}
`);
    const answer = await organizationsClient(simulator).send(new ListAccountsCommand({}));
    expect(answer.NextToken).toBeUndefined();
    const [management, suspended, closing] = answer.Accounts ?? [];
    expect(management).toMatchObject({
      Id: MANAGEMENT,
      Name: "management",
      Email: `aws+${MANAGEMENT}@example.com`,
      Status: "ACTIVE",
      State: "ACTIVE",
      JoinedTimestamp: new Date("2021-06-01T00:00:00Z"),
    });
    expect(management?.Arn).toMatch(
      new RegExp(`^arn:aws:organizations::${MANAGEMENT}:account/o-[a-z0-9]{10}/${MANAGEMENT}$`),
    );
    expect(suspended).toMatchObject({
      Id: "200000000000",
      Name: "account-200000000000",
      Email: "ops@example.org",
      Status: "SUSPENDED",
      JoinedMethod: "CREATED",
    });
    expect(closing?.Status).toBe("PENDING_CLOSURE");
  });

  it.each([
    [7, undefined, [7, 7, 6]],
    [undefined, 8, [8, 8, 4]],
    [5, 8, [5, 5, 5, 5]],
  ])("pages by min(MaxResults %s, pageSize %s)", async (maxResults, pageSize, sizes) => {
    const simulator = await simulate(organization(20, pageSize ? `  pageSize: ${pageSize}` : ""));
    const sizesSeen: number[] = [];
    for await (const page of paginateListAccounts(
      { client: organizationsClient(simulator), pageSize: maxResults },
      {},
    )) {
      sizesSeen.push(page.Accounts?.length ?? 0);
    }
    expect(sizesSeen).toEqual(sizes);
  });

  it.each([0, 21])("rejects MaxResults %i with InvalidInputException", async (maxResults) => {
    const simulator = await simulate(organization(3));
    const error = await failure(organizationsClient(simulator), { MaxResults: maxResults });
    expect(error.name).toBe("InvalidInputException");
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it("rejects a token it did not issue", async () => {
    const simulator = await simulate(organization(3));
    const error = await failure(organizationsClient(simulator), { NextToken: "forged" });
    expect(error.name).toBe("InvalidInputException");
    expect(error.Reason).toBe("INVALID_NEXT_TOKEN");
  });

  it("denies a caller from a member account, recording the caller's account", async () => {
    const simulator = await simulate(organization(3));
    const client = organizationsClient(simulator, roleCredentials(simulator, accountId(1)));
    const error = await failure(client);
    expect(error.name).toBe("AccessDeniedException");
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(simulator.calls.at(-1)).toMatchObject({
      operation: "ListAccounts",
      accountId: accountId(1),
      status: 400,
    });
  });

  it("serves the management account's assumed role", async () => {
    const simulator = await simulate(organization(3).replace(/^defaultAccountId.*$/m, ""));
    const client = organizationsClient(simulator, roleCredentials(simulator, MANAGEMENT));
    expect(await listAll(client)).toHaveLength(3);
    expect(simulator.calls.at(-1)).toMatchObject({ operation: "ListAccounts", status: 200 });
  });

  it("answers AWSOrganizationsNotInUseException without an `organizations` key", async () => {
    const simulator = await simulate(`accounts: [{id: "${MANAGEMENT}"}]`);
    const error = await failure(organizationsClient(simulator));
    expect(error.name).toBe("AWSOrganizationsNotInUseException");
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it("answers an unimplemented Organizations operation with UnknownOperationException", async () => {
    const simulator = await simulate(organization(1));
    const request = await signedRequest(simulator.url, {
      service: "organizations",
      target: "AWSOrganizationsV20161128.DescribeOrganization",
    });
    const response = await fetch(simulator.url, asFetch(request));
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toBe("UnknownOperationException");
  });
});

describe("Organizations faults", () => {
  const faulty = (fault: string) => organization(5, `  faults: [${fault}]`);

  it.each([
    ["internal-error", "ServiceException", 500],
    ["throttling", "TooManyRequestsException", 400],
    ["access-denied", "AccessDeniedException", 400],
    ["invalid-marker", "InvalidInputException", 400],
    ["html-5xx", "SyntaxError", 503],
    ["truncated-json", "SyntaxError", 200],
  ])("%s surfaces as %s with HTTP %i", async (kind, name, status) => {
    const simulator = await simulate(faulty(`{kind: ${kind}}`));
    const error = await failure(organizationsClient(simulator));
    expect(error.name).toBe(name);
    expect(error.$metadata?.httpStatusCode).toBe(status);
    expect(simulator.calls[0]).toMatchObject({ operation: "ListAccounts", fault: kind, status });
  });

  it("reset surfaces as a connection error", async () => {
    const simulator = await simulate(faulty("{kind: reset}"));
    const error = await failure(organizationsClient(simulator));
    expect(error.code).toBe("ECONNRESET");
  });

  it("hang holds the call until the abort signal fires", async () => {
    const simulator = await simulate(faulty("{kind: hang}"));
    const error = await organizationsClient(simulator)
      .send(new ListAccountsCommand({}), { abortSignal: AbortSignal.timeout(150) })
      .catch((caught: SdkError) => caught);
    expect((error as SdkError).name).toBe("AbortError");
    expect(simulator.calls[0]?.fault).toBe("hang");
  });

  it("slow answers after the delay", async () => {
    const simulator = await simulate(faulty("{kind: slow, delay: 120ms}"));
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      let answered = false;
      const answer = organizationsClient(simulator)
        .send(new ListAccountsCommand({}))
        .finally(() => {
          answered = true;
        });
      await untilTurns(() => simulator.calls.length === 1);
      await vi.advanceTimersByTimeAsync(119);
      await untilTurns(() => answered, 1_000).catch(() => undefined);
      expect(answered).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect((await answer).Accounts).toHaveLength(5);
    } finally {
      vi.useRealTimers();
    }
  });

  it("counts ListAccounts calls for `calls`: the second page fails", async () => {
    const simulator = await simulate(
      organization(5, "  pageSize: 2\n  faults: [{kind: internal-error, calls: [2]}]"),
    );
    const client = organizationsClient(simulator);
    const error = await listAll(client).then(
      () => undefined,
      (caught: SdkError) => caught,
    );
    expect(error?.name).toBe("ServiceException");
    expect(simulator.calls.map((record) => record.status)).toEqual([200, 500]);
    // The third call is past the fault: a fresh listing pages through.
    expect(await listAll(client)).toHaveLength(5);
  });

  it("the SDK's standard retry rides out one TooManyRequestsException", async () => {
    const simulator = await simulate(faulty("{kind: throttling, calls: [1]}"));
    const client = organizationsClient(simulator, FAKE_CREDENTIALS, { maxAttempts: 3 });
    const answer = await client.send(new ListAccountsCommand({}));
    expect(answer.Accounts).toHaveLength(5);
    expect(answer.$metadata.attempts).toBe(2);
  });

  it("repeat-marker hands back a token that leads to the same page", async () => {
    const simulator = await simulate(faulty("{kind: repeat-marker}"));
    const client = organizationsClient(simulator);
    const first = await client.send(new ListAccountsCommand({ MaxResults: 2 }));
    const second = await client.send(
      new ListAccountsCommand({ MaxResults: 2, NextToken: first.NextToken }),
    );
    expect(second.NextToken).toBe(first.NextToken);
    expect(second.Accounts).toEqual(first.Accounts);
  });
});

describe("membership changes at runtime", () => {
  const member = (id: string, stores: string[] = []): AccountSpec => ({
    id,
    regions: [
      {
        region: "us-east-1",
        stores: stores.map((name, index) => ({
          id: `cks-${id}${index}`,
          name,
          state: "CONNECTED",
        })),
        faults: [],
      },
    ],
  });

  it("setAccounts adds and removes members, their stores and their roles", async () => {
    const simulator = await simulate(organization(3));
    const client = organizationsClient(simulator);
    expect((await listAll(client)).map((account) => account.Id)).toEqual([
      accountId(0),
      accountId(1),
      accountId(2),
    ]);
    simulator.setAccounts([
      member(MANAGEMENT),
      member(accountId(2)),
      member("400000000000", ["new"]),
    ]);
    expect((await listAll(client)).map((account) => account.Id)).toEqual([
      MANAGEMENT,
      accountId(2),
      "400000000000",
    ]);
    const joined = kmsClient(simulator, "us-east-1", roleCredentials(simulator, "400000000000"));
    const answer = await joined.send(new DescribeCustomKeyStoresCommand({}));
    expect(answer.CustomKeyStores?.map((store) => store.CustomKeyStoreName)).toEqual(["new"]);
    const gone = kmsClient(simulator, "us-east-1", roleCredentials(simulator, accountId(1)));
    const error = await gone.send(new DescribeCustomKeyStoresCommand({})).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(simulator.calls.at(-1)).toMatchObject({ operation: "AssumeRole", status: 403 });
  });

  it("setAccountStatus changes what ListAccounts reports", async () => {
    const simulator = await simulate(organization(2));
    simulator.setAccountStatus(accountId(1), "SUSPENDED");
    const accounts = await listAll(organizationsClient(simulator));
    expect(accounts.map((account) => account.Status)).toEqual(["ACTIVE", "SUSPENDED"]);
    expect(() => simulator.setAccountStatus("555555555555", "ACTIVE")).toThrow(/555555555555/);
  });

  it("setAccounts rejects malformed and duplicate ids", async () => {
    const simulator = await simulate(organization(1));
    expect(() => simulator.setAccounts([member("123")])).toThrow(/12 digits/);
    expect(() => simulator.setAccounts([member(MANAGEMENT), member(MANAGEMENT)])).toThrow(
      /duplicate/,
    );
  });
});
