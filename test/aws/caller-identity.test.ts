import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { STSClient } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it, vi } from "vitest";
import { callerAccountId, lookUpDefaultAccount } from "../../src/aws/caller-identity.js";
import { FAKE_CREDENTIALS, simulate } from "../helpers/simulator.js";

function sts(endpoint: string): STSClient {
  return new STSClient({ region: "us-east-1", endpoint, credentials: FAKE_CREDENTIALS });
}

function lookup(overrides: Partial<Parameters<typeof lookUpDefaultAccount>[0]> = {}) {
  return {
    lookUp: async () => "111111111111",
    timeoutMs: () => 1_000,
    retryDelayMs: () => 5,
    stillNeeded: () => true,
    onFailure: () => {},
    signal: new AbortController().signal,
    ...overrides,
  };
}

describe("callerAccountId", () => {
  it("asks STS who the default credentials are", async () => {
    const simulator = await simulate('defaultAccountId: "123456789012"\naccounts: []\n');
    const accountId = await callerAccountId(sts(simulator.url), new AbortController().signal);
    expect(accountId).toBe("123456789012");
    expect(simulator.callCount({ operation: "GetCallerIdentity" })).toBe(1);
  });
});

const servers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** An STS endpoint on 127.0.0.1 whose GetCallerIdentity answers with `account`. */
async function stsAnswering(account: string | undefined): Promise<string> {
  const server = createServer((_request, response) => {
    const accountXml = account === undefined ? "" : `<Account>${account}</Account>`;
    response.writeHead(200, { "Content-Type": "text/xml" });
    response.end(
      `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/x</Arn><UserId>AIDAX</UserId>${accountXml}</GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("callerAccountId with a bad answer", () => {
  it.each([undefined, "12345", "1234567890123", "x123456789012", "123456789012x"])(
    "refuses an account id of %s",
    async (account) => {
      const endpoint = await stsAnswering(account);
      await expect(callerAccountId(sts(endpoint), new AbortController().signal)).rejects.toThrow(
        `GetCallerIdentity returned no valid account id (${account})`,
      );
    },
  );

  it("quotes a 1 MiB account id cut to 32 characters with its length", async () => {
    const endpoint = await stsAnswering("1".repeat(1024 * 1024));
    await expect(callerAccountId(sts(endpoint), new AbortController().signal)).rejects.toThrow(
      `GetCallerIdentity returned no valid account id (${"1".repeat(32)}… (1048576 characters))`,
    );
  });

  it("accepts twelve digits", async () => {
    const endpoint = await stsAnswering("123456789012");
    expect(await callerAccountId(sts(endpoint), new AbortController().signal)).toBe("123456789012");
  });
});

describe("lookUpDefaultAccount", () => {
  it("retries after each failure until the lookup works", async () => {
    const failures: unknown[] = [];
    let attempts = 0;
    const accountId = await lookUpDefaultAccount(
      lookup({
        lookUp: async () => {
          attempts++;
          if (attempts < 3) throw new Error(`attempt ${attempts}`);
          return "222222222222";
        },
        onFailure: (error) => failures.push((error as Error).message),
      }),
    );
    expect(accountId).toBe("222222222222");
    expect(failures).toEqual(["attempt 1", "attempt 2"]);
  });

  it("bounds each attempt by the timeout", async () => {
    const failures: string[] = [];
    let attempts = 0;
    const accountId = await lookUpDefaultAccount(
      lookup({
        timeoutMs: () => 20,
        lookUp: (signal) => {
          attempts++;
          if (attempts > 1) return Promise.resolve("333333333333");
          return new Promise((_, reject) =>
            signal.addEventListener("abort", () => reject(signal.reason)),
          );
        },
        onFailure: (error) => failures.push((error as Error).name),
      }),
    );
    expect(accountId).toBe("333333333333");
    expect(failures).toEqual(["TimeoutError"]);
  });

  it("gives up without a failure once nobody needs the id any more", async () => {
    let needed = true;
    const failures: unknown[] = [];
    const accountId = await lookUpDefaultAccount(
      lookup({
        lookUp: async () => {
          needed = false;
          throw new Error("no");
        },
        stillNeeded: () => needed,
        onFailure: (error) => failures.push(error),
      }),
    );
    expect(accountId).toBeUndefined();
    expect(failures).toHaveLength(1);
  });

  it("ends at once on shutdown, without reporting it as a failure", async () => {
    const controller = new AbortController();
    const failures: unknown[] = [];
    const pending = lookUpDefaultAccount(
      lookup({
        signal: controller.signal,
        retryDelayMs: () => 60_000,
        lookUp: (signal) =>
          new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
        onFailure: (error) => failures.push(error),
      }),
    );
    controller.abort();
    expect(await pending).toBeUndefined();
    expect(failures).toEqual([]);
  });

  it("stops waiting between attempts on shutdown", async () => {
    vi.useFakeTimers();
    try {
      const controller = new AbortController();
      let attempts = 0;
      let done = false;
      const pending = lookUpDefaultAccount(
        lookup({
          signal: controller.signal,
          retryDelayMs: () => 60_000,
          lookUp: async () => {
            attempts++;
            throw new Error("no");
          },
        }),
      ).finally(() => {
        done = true;
      });
      await vi.advanceTimersByTimeAsync(59_999);
      expect([attempts, done]).toEqual([1, false]);
      controller.abort();
      expect(await pending).toBeUndefined();
      expect(attempts).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
