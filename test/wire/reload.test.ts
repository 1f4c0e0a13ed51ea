import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { parseFlags } from "../../src/config/flags.js";
import { loadConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/types.js";
import { role, runExporter, testConfig, waitUntilReady } from "../helpers/exporter.js";
import { samplesNamed, sampleValue } from "../helpers/exposition.js";
import { until } from "../helpers/wait.js";

const [A, B, C] = ["111111111111", "222222222222", "333333333333"];

const SCENARIO = `
accounts:
${[A, B, C]
  .map(
    (id) => `  - id: "${id}"
    regions:
      - region: us-east-1
        stores: [{id: cks-${id}00000, name: store-${id}, state: FAILED, errorCode: NETWORK_ERRORS}]`,
  )
  .join("\n")}
`;

describe("reload", () => {
  it("keeps unchanged targets, drops removed ones, adds new ones, and rejects an invalid config", async () => {
    let next: () => Config = () =>
      testConfig({ accounts: [{ roleArn: role(A) }, { roleArn: role(B) }] });
    const { app, scrape } = await runExporter(
      SCENARIO,
      { ...next(), enableLifecycle: true },
      undefined,
      {
        loadConfig: () => next(),
      },
    );
    await waitUntilReady(app);
    const before = await scrape();
    const aSuccess = sampleValue(
      before,
      "kms_keystore_exporter_target_last_success_timestamp_seconds",
      {
        account_id: A,
      },
    );
    expect(
      samplesNamed(before, "aws_kms_custom_key_store_info")
        .map((s) => s.labels.account_id)
        .sort(),
    ).toEqual([A, B]);
    expect(sampleValue(before, "kms_keystore_exporter_config_last_reload_successful")).toBe(1);

    next = () => testConfig({ accounts: [{ roleArn: role(A) }, { roleArn: role(C) }] });
    const response = await fetch(`${app.url}/-/reload`, { method: "POST" });
    expect(response.status).toBe(200);
    // Right after the reload: A kept as it was, B gone, C not polled yet.
    const right = await scrape();
    expect(
      samplesNamed(right, "aws_kms_custom_key_store_info").map((s) => s.labels.account_id),
    ).toEqual([A]);
    expect(
      sampleValue(right, "kms_keystore_exporter_target_last_success_timestamp_seconds", {
        account_id: A,
      }),
    ).toBe(aSuccess);
    expect(samplesNamed(right, "kms_keystore_exporter_target_up", { account_id: B })).toHaveLength(
      0,
    );
    await until(
      async () =>
        samplesNamed(await scrape(), "kms_keystore_exporter_api_requests_total", { account_id: B })
          .length === 0,
    );
    await waitUntilReady(app);
    const after = await scrape();
    expect(
      samplesNamed(after, "aws_kms_custom_key_store_info")
        .map((s) => s.labels.account_id)
        .sort(),
    ).toEqual([A, C]);

    next = () => {
      throw new ConfigError(["c.yml: interval: not a duration"]);
    };
    const failed = await fetch(`${app.url}/-/reload`, { method: "POST" });
    expect(failed.status).toBe(500);
    expect(await failed.text()).toContain("interval: not a duration");
    const kept = await scrape();
    expect(sampleValue(kept, "kms_keystore_exporter_config_last_reload_successful")).toBe(0);
    expect(
      samplesNamed(kept, "aws_kms_custom_key_store_info")
        .map((s) => s.labels.account_id)
        .sort(),
    ).toEqual([A, C]);
    expect((await fetch(`${app.url}/-/reload`)).status).toBe(405);
  });

  it("refuses a reload past a limit, naming it, and keeps polling with the running config", async () => {
    let text = `regions: [us-east-1]\nconcurrency: 4\naccounts: [{roleArn: "${role(A)}"}]\n`;
    const flags = parseFlags(["--config.file=c.yml", "--web.listen-address=127.0.0.1:0"]);
    const load = () => ({ ...loadConfig(flags, {}, () => text), logLevel: "silent" as const });
    const { app, scrape } = await runExporter(SCENARIO, load(), undefined, { loadConfig: load });
    await waitUntilReady(app);
    const limits = [
      "concurrency: 100000",
      "interval: 1ms",
      "rateLimit: {perSecond: 1e-300}",
      `regions: [${Array(65).fill("us-east-1").join(", ")}]`,
    ];
    for (const line of limits) {
      text = `${line}\naccounts: [{roleArn: "${role(A)}"}]\n${line.startsWith("regions") ? "" : "regions: [us-east-1]\n"}`;
      const refused = app.reload();
      const key = line.split(":", 1)[0] as string;
      expect(!refused.ok && refused.problems.join("\n"), line).toMatch(
        new RegExp(`c\\.yml: ${key}`),
      );
    }
    const samples = await scrape();
    expect(sampleValue(samples, "kms_keystore_exporter_config_last_reload_successful")).toBe(0);
    expect(
      samplesNamed(samples, "aws_kms_custom_key_store_info").map((s) => s.labels.account_id),
    ).toEqual([A]);
  });

  it("answers POST /-/reload with 403 without --web.enable-lifecycle, and reloads nothing", async () => {
    let loads = 0;
    const { app } = await runExporter(SCENARIO, { accounts: [{ roleArn: role(A) }] }, undefined, {
      loadConfig: () => {
        loads++;
        return testConfig({ accounts: [{ roleArn: role(A) }] });
      },
    });
    const refused = await fetch(`${app.url}/-/reload`, { method: "POST" });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/--web\.enable-lifecycle/);
    expect(loads).toBe(0);
    expect(app.reload()).toEqual({ ok: true });
    expect(loads).toBe(1);
  });
});
