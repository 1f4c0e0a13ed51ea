import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { OrganizationsDiscovery } from "../../src/config/types.js";
import { createLogger } from "../../src/log/logger.js";
import { createExporterMetrics } from "../../src/metrics/exporter-metrics.js";
import { Discovery, type ListMembers } from "../../src/targets/discovery.js";
import type { OrganizationMember } from "../../src/targets/organizations.js";
import { until } from "../helpers/wait.js";

function discoveryConfig(overrides: Partial<OrganizationsDiscovery> = {}): OrganizationsDiscovery {
  return {
    roleArn: "arn:aws:iam::999999999999:role/org-reader",
    externalId: undefined,
    memberRoleName: "kms-reader",
    memberExternalId: undefined,
    refreshMs: 3_600_000,
    region: "us-east-1",
    excludeAccounts: [],
    includeOrganizationalUnits: [],
    excludeOrganizationalUnits: [],
    regions: undefined,
    ...overrides,
  };
}

function member(id: string): OrganizationMember {
  return { id, name: `n${id}`, status: "ACTIVE", partition: "aws" };
}

/** A lister per config whose answers the test hands out one at a time. */
function controlledListers() {
  const pending: Array<{
    config: OrganizationsDiscovery;
    resolve: (members: OrganizationMember[]) => void;
    reject: (error: Error) => void;
  }> = [];
  const createLister =
    (config: OrganizationsDiscovery): ListMembers =>
    (_signal, onRequest) =>
      new Promise((resolve, reject) => {
        // The request is made when the test answers it, so counts do not race the timers.
        pending.push({
          config,
          resolve: (members) => {
            onRequest("ListAccounts");
            resolve(members);
          },
          reject: (error) => {
            onRequest("ListAccounts");
            reject(error);
          },
        });
      });
  return { pending, createLister };
}

function setUp() {
  const listers = controlledListers();
  const metrics = createExporterMetrics({ version: "test", revision: "test" });
  let changes = 0;
  const discovery = new Discovery({
    createLister: listers.createLister,
    defaultAccountId: () => "123456789012",
    onChange: () => changes++,
    metrics,
    logger: createLogger("silent", "json"),
    now: () => 1_700_000_000_000,
  });
  return { discovery, listers, metrics, changes: () => changes };
}

const ids = (discovery: Discovery) => discovery.accounts().map((account) => account.accountId);
const settings = (discovery: OrganizationsDiscovery | undefined) => ({
  discovery,
  defaultRegions: ["us-east-1"],
  timeoutMs: 1_000,
});

describe("Discovery", () => {
  it("is settled at once without discovery, and after the first refresh with it", async () => {
    const { discovery, listers, metrics, changes } = setUp();
    discovery.configure(settings(undefined));
    expect(discovery.settled()).toBe(true);
    discovery.configure(settings(discoveryConfig()));
    expect(discovery.settled()).toBe(false);
    listers.pending[0]?.resolve([member("111111111111"), member("222222222222")]);
    await until(() => discovery.settled());
    expect(ids(discovery)).toEqual(["111111111111", "222222222222"]);
    expect(discovery.accounts()[0]?.roleArn).toBe("arn:aws:iam::111111111111:role/kms-reader");
    expect(changes()).toBe(1);
    expect((await metrics.discoveryAccounts.get()).values[0]?.value).toBe(2);
    expect((await metrics.discoveryLastSuccessTimestamp.get()).values[0]?.value).toBe(
      1_700_000_000,
    );
    const requests = (await metrics.apiRequests.get()).values;
    expect(requests).toEqual([
      {
        labels: { account_id: "999999999999", region: "us-east-1", operation: "ListAccounts" },
        value: 1,
      },
    ]);
    discovery.stop();
  });

  it("throws away the answer of a refresh whose config was replaced meanwhile", async () => {
    const { discovery, listers, changes } = setUp();
    discovery.configure(settings(discoveryConfig({ memberRoleName: "old" })));
    discovery.configure(settings(discoveryConfig({ memberRoleName: "new" })));
    expect(listers.pending.map((entry) => entry.config.memberRoleName)).toEqual(["old", "new"]);
    // The old answer comes first: had it been taken, the list would have changed twice.
    listers.pending[0]?.resolve([member("111111111111")]);
    listers.pending[1]?.resolve([member("222222222222")]);
    await until(() => discovery.settled());
    expect(changes()).toBe(1);
    expect(ids(discovery)).toEqual(["222222222222"]);
    expect(discovery.accounts()[0]?.roleArn).toBe("arn:aws:iam::222222222222:role/new");
    discovery.stop();
  });

  it("ignores the failure of a refresh whose config was replaced meanwhile", async () => {
    const { discovery, listers, metrics } = setUp();
    discovery.configure(settings(discoveryConfig({ memberRoleName: "old" })));
    discovery.configure(settings(discoveryConfig({ memberRoleName: "new" })));
    listers.pending[0]?.reject(
      Object.assign(new Error("denied"), { name: "AccessDeniedException" }),
    );
    // The old failure settles before the new answer, which settles discovery.
    listers.pending[1]?.resolve([member("222222222222")]);
    await until(() => discovery.settled());
    expect(ids(discovery)).toEqual(["222222222222"]);
    expect((await metrics.discoveryRefreshFailures.get()).values[0]?.value).toBe(0);
    discovery.stop();
  });

  it("keeps the last good list through a failed refresh, and settles on an empty one first", async () => {
    const { discovery, listers, metrics, changes } = setUp();
    discovery.configure(settings(discoveryConfig({ refreshMs: 20 })));
    listers.pending[0]?.reject(
      Object.assign(new Error("denied"), { name: "AccessDeniedException" }),
    );
    await until(() => discovery.settled());
    expect(ids(discovery)).toEqual([]);
    expect(changes()).toBe(1);
    await until(() => listers.pending.length === 2);
    listers.pending[1]?.resolve([member("111111111111")]);
    await until(() => ids(discovery).length === 1);
    await until(() => listers.pending.length === 3);
    listers.pending[2]?.reject(
      Object.assign(new Error("slow down"), { name: "TooManyRequestsException" }),
    );
    await until(async () => (await metrics.discoveryRefreshFailures.get()).values[0]?.value === 2);
    expect(ids(discovery)).toEqual(["111111111111"]);
    expect(changes()).toBe(2);
    const errors = (await metrics.apiRequestErrors.get()).values.map((value) => value.labels.error);
    expect(errors.sort()).toEqual(["AccessDeniedException", "TooManyRequestsException"]);
    discovery.stop();
  });

  it("labels ListAccounts with the default account when no role is set", async () => {
    const { discovery, listers, metrics } = setUp();
    discovery.configure(settings(discoveryConfig({ roleArn: undefined })));
    listers.pending[0]?.resolve([]);
    await until(() => discovery.settled());
    expect((await metrics.apiRequests.get()).values[0]?.labels.account_id).toBe("123456789012");
    discovery.stop();
  });

  it("keeps its list and its refresh through an unchanged config, drops both without discovery", async () => {
    const { discovery, listers } = setUp();
    discovery.configure(settings(discoveryConfig()));
    listers.pending[0]?.resolve([member("111111111111")]);
    await until(() => discovery.settled());
    discovery.configure(settings(discoveryConfig()));
    expect(listers.pending).toHaveLength(1);
    expect(ids(discovery)).toEqual(["111111111111"]);
    // A changed config keeps the old list until the new refresh answers.
    discovery.configure(settings(discoveryConfig({ excludeAccounts: ["333333333333"] })));
    expect(ids(discovery)).toEqual(["111111111111"]);
    discovery.configure(settings(undefined));
    expect(ids(discovery)).toEqual([]);
    expect(discovery.settled()).toBe(true);
    discovery.stop();
  });

  it("stops refreshing after stop", async () => {
    vi.useFakeTimers();
    try {
      const { discovery, listers } = setUp();
      discovery.configure(settings(discoveryConfig({ refreshMs: 10 })));
      discovery.stop();
      listers.pending[0]?.resolve([member("111111111111")]);
      // Four refresh periods and every callback they would schedule.
      await vi.advanceTimersByTimeAsync(40);
      expect(listers.pending).toHaveLength(1);
      expect(ids(discovery)).toEqual([]);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

/** setUp with the log lines captured and the default account and lister counts chosen. */
function setUpLogged(defaultAccountId: () => string | undefined = () => "123456789012") {
  const listers = controlledListers();
  const signals: AbortSignal[] = [];
  let created = 0;
  const metrics = createExporterMetrics({ version: "test", revision: "test" });
  const lines: Array<Record<string, unknown>> = [];
  const discovery = new Discovery({
    createLister: (config) => {
      created++;
      const list = listers.createLister(config);
      return (signal, onPage) => {
        signals.push(signal);
        return list(signal, onPage);
      };
    },
    defaultAccountId,
    onChange: () => {},
    metrics,
    logger: createLogger("debug", "json", {
      write: (line: string) => lines.push(JSON.parse(line)),
    } as unknown as NodeJS.WritableStream),
    now: () => 1_700_000_000_000,
  });
  return { discovery, listers, metrics, lines, signals, created: () => created };
}

describe("Discovery details", () => {
  it("logs a refresh with its member and account counts", async () => {
    const { discovery, listers, lines } = setUpLogged();
    discovery.configure(settings(discoveryConfig({ excludeAccounts: ["222222222222"] })));
    listers.pending[0]?.resolve([member("111111111111"), member("222222222222")]);
    await until(() => discovery.settled());
    expect(lines).toEqual([
      expect.objectContaining({ msg: "organizations accounts refreshed", members: 2, accounts: 1 }),
    ]);
    discovery.stop();
  });

  it("counts a failed ListAccounts as a request and an error, and warns with what it kept", async () => {
    const { discovery, listers, metrics, lines } = setUpLogged();
    discovery.configure(settings(discoveryConfig({ refreshMs: 20 })));
    listers.pending[0]?.reject(
      Object.assign(new Error("not allowed"), { name: "AccessDeniedException" }),
    );
    await until(() => discovery.settled());
    const labels = { account_id: "999999999999", region: "us-east-1", operation: "ListAccounts" };
    expect((await metrics.apiRequests.get()).values).toEqual([{ labels, value: 1 }]);
    expect((await metrics.apiRequestErrors.get()).values).toEqual([
      { labels: { ...labels, error: "AccessDeniedException" }, value: 1 },
    ]);
    await until(() => listers.pending.length === 2);
    listers.pending[1]?.resolve([member("111111111111")]);
    await until(() => discovery.accounts().length === 1);
    await until(() => listers.pending.length === 3);
    listers.pending[2]?.reject(Object.assign(new Error("later"), { name: "TimeoutError" }));
    await until(() => lines.length === 3);
    const warnings = lines.filter((line) => line.level === 40 || line.level === "warn");
    expect(warnings).toEqual([
      expect.objectContaining({
        msg: "organizations refresh failed; keeping the last good account list",
        error: "AccessDeniedException",
        message: "not allowed",
        kept: 0,
      }),
      expect.objectContaining({ error: "TimeoutError", message: "later", kept: 1 }),
    ]);
    discovery.stop();
  });

  it("labels ListAccounts with an empty account id while the default account is unknown", async () => {
    const { discovery, listers, metrics } = setUpLogged(() => undefined);
    discovery.configure(settings(discoveryConfig({ roleArn: undefined })));
    listers.pending[0]?.resolve([]);
    await until(() => discovery.settled());
    expect((await metrics.apiRequests.get()).values[0]?.labels.account_id).toBe("");
    discovery.stop();
  });

  it("aborts a running ListAccounts at stop, and gives it four timeouts before that", async () => {
    const timeouts = vi.spyOn(AbortSignal, "timeout");
    const { discovery, signals } = setUpLogged();
    discovery.configure({ ...settings(discoveryConfig()), timeoutMs: 1_000 });
    await until(() => signals.length === 1);
    expect(timeouts.mock.calls).toEqual([[4_000]]);
    timeouts.mockRestore();
    expect(signals[0]?.aborted).toBe(false);
    discovery.stop();
    expect(signals[0]?.aborted).toBe(true);
  });

  it("makes no lister for a config without discovery", () => {
    const { discovery, created } = setUpLogged();
    discovery.configure(settings(discoveryConfig()));
    discovery.configure(settings(undefined));
    expect(created()).toBe(1);
    discovery.stop();
  });
});

describe("Discovery timers (fake timers)", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("leaves no refresh timer behind after a config change or stop", async () => {
    const { discovery, listers } = setUpLogged();
    discovery.configure(settings(discoveryConfig()));
    listers.pending[0]?.resolve([member("111111111111")]);
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1);
    discovery.configure(settings(discoveryConfig({ memberRoleName: "other" })));
    expect(vi.getTimerCount()).toBe(0);
    listers.pending[1]?.resolve([member("111111111111")]);
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1);
    discovery.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
