import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { cloudHsmStatus } from "../../src/enrichment/cloudhsm/status.js";
import { AT_RISK } from "../../src/enrichment/thresholds.js";
import { certificateLevel, xksStatus } from "../../src/enrichment/xks/status.js";
import { PACKAGE_ROOT } from "../../src/package/version.js";
import { xksHealth } from "../helpers/stores.js";

const run = promisify(execFile);
const GENERATOR = join(PACKAGE_ROOT, "scripts/generate-thresholds.mjs");
const RULES = join(PACKAGE_ROOT, "deploy/prometheus/alerts.yml");

async function generate(...args: string[]): Promise<string> {
  return (await run(process.execPath, [GENERATOR, "--output=-", ...args])).stdout;
}

describe("the at-risk thresholds (src/enrichment/thresholds.ts)", () => {
  it("are what the generator reads from the alert rules (run `npm run generate` after editing them)", async () => {
    expect(readFileSync(join(PACKAGE_ROOT, "src/enrichment/thresholds.ts"), "utf8")).toBe(
      await generate(),
    );
  });

  it("follow the alert rules when a rule's threshold changes, and refuse a rule whose branches disagree", async () => {
    const rules = readFileSync(RULES, "utf8");
    const dir = mkdtempSync(join(tmpdir(), "thresholds-"));
    const edited = join(dir, "alerts.yml");
    writeFileSync(
      edited,
      rules.replaceAll(
        "certificate_days_to_expire) < 14 >= 3",
        "certificate_days_to_expire) < 21 >= 3",
      ),
    );
    expect(await generate(`--rules=${edited}`)).toContain("certificateWarningDays: 21,");
    writeFileSync(
      edited,
      rules.replace(
        "aws_kms_xks_proxy_requests)\n              > 0.05",
        "aws_kms_xks_proxy_requests)\n              > 0.1",
      ),
    );
    await expect(generate(`--rules=${edited}`)).rejects.toMatchObject({
      stderr: expect.stringContaining("xksErrorRatio differs between its branches"),
    });
  });

  it("are the ones the status page applies", () => {
    const { certificateWarningDays, certificateCriticalDays, minActiveHsms } = AT_RISK;
    expect(certificateLevel(certificateWarningDays)).toBe("ok");
    expect(certificateLevel(certificateWarningDays - 0.1)).toBe("warning");
    expect(certificateLevel(certificateCriticalDays)).toBe("warning");
    expect(certificateLevel(certificateCriticalDays - 0.1)).toBe("critical");
    const cluster = (active: number) => ({
      id: "c",
      state: "ACTIVE",
      hsms: { ACTIVE: active },
      activeAvailabilityZones: AT_RISK.minActiveAvailabilityZones,
    });
    expect(cloudHsmStatus({ state: "CONNECTED" }, cluster(minActiveHsms), 0).atRisk).toBe(false);
    expect(cloudHsmStatus({ state: "CONNECTED" }, cluster(minActiveHsms - 1), 0).atRisk).toBe(true);
    for (const state of AT_RISK.unhealthyKeyManagerStates) {
      expect(xksStatus(xksHealth({ externalKeyManagers: { [state]: 1 } }), 0).atRisk).toBe(true);
    }
  });

  it("are the lines the dashboard draws", () => {
    const dashboard = JSON.parse(
      readFileSync(join(PACKAGE_ROOT, "grafana/dashboard.json"), "utf8"),
    ) as {
      panels: {
        title: string;
        fieldConfig?: { defaults?: { thresholds?: { steps: { value: number | null }[] } } };
      }[];
    };
    const lines = (title: string) =>
      dashboard.panels
        .find((panel) => panel.title === title)
        ?.fieldConfig?.defaults?.thresholds?.steps.map((step) => step.value)
        .filter((value) => value !== null);
    expect(lines("XKS proxy certificate: days to expiry")).toEqual([
      AT_RISK.certificateCriticalDays,
      AT_RISK.certificateWarningDays,
    ]);
    expect(lines("XKS proxy error ratio")).toEqual([AT_RISK.xksErrorRatio]);
    expect(lines("Active HSMs per CloudHSM cluster")).toEqual([AT_RISK.minActiveHsms]);
  });
});
