import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { assumeRoleReporter } from "../../src/aws/assume-role-report.js";
import { createExporterMetrics } from "../../src/metrics/exporter-metrics.js";

const ROLE = {
  accountId: "111111111111",
  accountName: "payments",
  roleArn: "arn:aws:iam::111111111111:role/reader",
  externalId: "secret-external-id",
  region: "eu-west-1",
};

const denied = () =>
  Object.assign(new Error("not authorized"), {
    name: "AccessDenied",
    $metadata: { httpStatusCode: 403 },
  });

describe("assumeRoleReporter", () => {
  it("counts every call and error, and warns once per new error of the role", async () => {
    const metrics = createExporterMetrics({ version: "t", revision: "t" });
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino(
      { level: "debug" },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    );
    const report = assumeRoleReporter(metrics, logger)(ROLE);
    report(denied());
    report(denied());
    report();
    report(denied());
    const labels = { account_id: "111111111111", region: "eu-west-1", operation: "AssumeRole" };
    expect((await metrics.apiRequests.get()).values).toEqual([{ labels, value: 4 }]);
    expect((await metrics.apiRequestErrors.get()).values).toEqual([
      { labels: { ...labels, error: "AccessDenied" }, value: 3 },
    ]);
    expect(lines.map((line) => pino.levels.labels[line.level as number])).toEqual([
      "warn",
      "debug",
      "warn",
    ]);
    expect(lines[0]).toMatchObject({
      account_id: "111111111111",
      account_name: "payments",
      role_arn: ROLE.roleArn,
      error: "AccessDenied",
      message: "not authorized",
      msg: "cannot assume the account's role",
    });
    expect(JSON.stringify(lines)).not.toContain("secret-external-id");
  });

  it("warns once per role when credentials are shorter than the refresh window", () => {
    const metrics = createExporterMetrics({ version: "t", revision: "t" });
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino(
      { level: "info" },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    );
    const report = assumeRoleReporter(metrics, logger)(ROLE);
    report(undefined, 300_001);
    report(undefined, Number.POSITIVE_INFINITY);
    expect(lines).toEqual([]);
    report(undefined, 300_000);
    report(undefined, 1_000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      role_arn: ROLE.roleArn,
      valid_for_seconds: 300,
      refresh_window_seconds: 300,
    });
    assumeRoleReporter(metrics, logger)(ROLE)(undefined, 1_000);
    expect(lines).toHaveLength(2);
  });

  it("remembers each role's last error on its own", () => {
    const metrics = createExporterMetrics({ version: "t", revision: "t" });
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino(
      { level: "debug" },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    );
    const reporter = assumeRoleReporter(metrics, logger);
    reporter(ROLE)(denied());
    reporter({ ...ROLE, accountId: "222222222222" })(denied());
    expect(lines.map((line) => pino.levels.labels[line.level as number])).toEqual(["warn", "warn"]);
  });
});
