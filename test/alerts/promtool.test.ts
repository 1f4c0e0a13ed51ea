import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { stringify as stringifyYaml } from "yaml";
import { toolOrSkipReason } from "../helpers/tools.js";
import { ALERTS_FILE, ALERTS_TEST_FILE } from "./files.js";
import { tempDir } from "./peers.js";

const promtool = toolOrSkipReason("promtool");
const run = promisify(execFile);

async function promtoolRun(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run((promtool as { path: string }).path, args);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

describe("deploy/prometheus/alerts.yml under promtool", () => {
  it.skipIf("skip" in promtool)("passes check rules with no warning", async () => {
    const { code, output } = await promtoolRun(["check", "rules", ALERTS_FILE]);
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
    expect(output).not.toMatch(/WARNING|FAILED/);
    expect(code).toBe(0);
  });

  it.skipIf("skip" in promtool)("passes its unit tests (alerts.test.yml)", async () => {
    const { code, output } = await promtoolRun(["test", "rules", ALERTS_TEST_FILE]);
    expect(output).toContain("SUCCESS");
    expect(code).toBe(0);
  });

  // The documented way to keep a store out of KMSCustomKeyStoreDisconnected: put its name
  // in the regex of one recording rule. Done here on a copy, exactly as a user would.
  it.skipIf("skip" in promtool)(
    "leaves out a DISCONNECTED store listed in the exclusion rule",
    async () => {
      const dir = tempDir("exclusion");
      const documented = 'aws_kms_custom_key_store_info{custom_key_store_name=~""}';
      const rules = readFileSync(ALERTS_FILE, "utf8");
      expect(rules).toContain(documented);
      writeFileSync(
        join(dir, "alerts.yml"),
        rules.replace(
          documented,
          'aws_kms_custom_key_store_info{custom_key_store_name=~"payments-eu-hsm-legacy|.*-standby"}',
        ),
      );
      const store = (id: string, name: string) => [
        {
          series: `aws_kms_custom_key_store_info{account_id="111111111111",region="eu-west-1",custom_key_store_id="${id}",custom_key_store_name="${name}",custom_key_store_type="AWS_CLOUDHSM"}`,
          values: "1x20",
        },
        {
          series: `aws_kms_custom_key_store_connection_state{account_id="111111111111",region="eu-west-1",custom_key_store_id="${id}",state="DISCONNECTED"}`,
          values: "1x20",
        },
      ];
      writeFileSync(
        join(dir, "exclusion.test.yml"),
        stringifyYaml({
          rule_files: ["alerts.yml"],
          evaluation_interval: "1m",
          tests: [
            {
              interval: "1m",
              input_series: [
                ...store("cks-0e7b3d91f6a84c2d9", "payments-eu-hsm-legacy"),
                ...store("cks-1111111111111111a", "payments-eu-standby"),
                ...store("cks-61e0d8c4b7a392f15", "payments-eu-hsm"),
                {
                  series: `kms_keystore_exporter_account_info{account_id="111111111111",account_name="payments-prod"}`,
                  values: "1x20",
                },
              ],
              // Only the store that is not listed pages.
              promql_expr_test: [
                {
                  expr: 'ALERTS{alertname="KMSCustomKeyStoreDisconnected",alertstate="firing"}',
                  eval_time: "16m",
                  exp_samples: [
                    {
                      labels: `ALERTS{alertname="KMSCustomKeyStoreDisconnected",alertstate="firing",severity="warning",account_id="111111111111",account_name="payments-prod",region="eu-west-1",custom_key_store_id="cks-61e0d8c4b7a392f15",custom_key_store_name="payments-eu-hsm",custom_key_store_type="AWS_CLOUDHSM",state="DISCONNECTED"}`,
                      value: 1,
                    },
                  ],
                },
              ],
            },
          ],
        }),
      );
      const { code, output } = await promtoolRun([
        "test",
        "rules",
        join(dir, "exclusion.test.yml"),
      ]);
      expect(output).toContain("SUCCESS");
      expect(code).toBe(0);
    },
  );
});
