import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { startCli, waitForReady } from "../helpers/cli.js";
import { toolOrSkipReason } from "../helpers/tools.js";
import { until } from "../helpers/wait.js";

const promtool = toolOrSkipReason("promtool");

/**
 * The two day-valued XKS gauges keep the names the metrics contract gives them (after
 * CloudWatch's XksProxyCertificateDaysToExpire and XksProxyCredentialAge, which is what
 * people search for and what AWS's guidance counts in), so promtool's base-unit lint names
 * exactly them, and nothing else may appear.
 */
const CONTRACT_DAY_GAUGES = [
  'aws_kms_xks_proxy_certificate_days_to_expire use base unit "seconds" instead of "days"',
  'aws_kms_xks_proxy_credential_age_days use base unit "seconds" instead of "days"',
];

describe("promtool check metrics", () => {
  it.skipIf("skip" in promtool)("reports nothing on a demo scrape", async () => {
    const cli = await startCli(["--demo"]);
    await waitForReady(cli.url);
    // Enrichments finish after the first store polls: wait for them, so they are linted too.
    let text = "";
    await until(
      async () => {
        text = await (await fetch(`${cli.url}/metrics`)).text();
        return (
          text.includes("aws_kms_cloudhsm_cluster_state{") &&
          text.includes("aws_kms_xks_proxy_latency_seconds{")
        );
      },
      20_000,
      "the enrichments' series",
    );
    expect(text).toContain("aws_kms_xks_proxy_certificate_days_to_expire{");
    const child = execFile((promtool as { path: string }).path, ["check", "metrics"]);
    const output = new Promise<{ code: number | null; out: string }>((resolve) => {
      let out = "";
      child.stdout?.on("data", (chunk) => {
        out += chunk;
      });
      child.stderr?.on("data", (chunk) => {
        out += chunk;
      });
      child.on("close", (code) => resolve({ code, out }));
    });
    child.stdin?.end(text);
    const { code, out } = await output;
    expect(out.trim().split("\n").sort()).toEqual(CONTRACT_DAY_GAUGES);
    // promtool exits 3 for lint findings alone, 1 for a parse error.
    expect(code).toBe(3);
    cli.child.kill("SIGTERM");
    expect((await cli.exit).code).toBe(0);
  });
});
