import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  ALERTS_FILE,
  DEFAULT_RUNBOOK_BASE,
  GENERATOR,
  PROMETHEUS_RULE_FILE,
  type RuleFile,
} from "./files.js";

const run = promisify(execFile);

async function generate(...args: string[]): Promise<string> {
  return (await run(process.execPath, [GENERATOR, "--output=-", ...args])).stdout;
}

interface PrometheusRule {
  apiVersion: string;
  kind: string;
  spec: RuleFile;
}

describe("deploy/kubernetes/prometheusrule.yaml", () => {
  it("is what the generator makes of alerts.yml (run `npm run generate` after editing it)", async () => {
    expect(readFileSync(PROMETHEUS_RULE_FILE, "utf8")).toBe(await generate());
  });

  it("holds the same groups as alerts.yml", () => {
    const resource = parseYaml(readFileSync(PROMETHEUS_RULE_FILE, "utf8")) as PrometheusRule;
    expect(resource).toMatchObject({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
    });
    const rules = parseYaml(readFileSync(ALERTS_FILE, "utf8")) as RuleFile;
    expect(resource.spec.groups).toEqual(rules.groups);
  });

  it("takes another runbook base URL, which changes the runbook URLs and nothing else", async () => {
    const base = "https://runbooks.example.com/kms";
    const moved = parseYaml(await generate(`--runbook-base-url=${base}`)) as PrometheusRule;
    const original = parseYaml(await generate()) as PrometheusRule;
    const movedRules = moved.spec.groups.flatMap((group) => group.rules);
    const originalRules = original.spec.groups.flatMap((group) => group.rules);
    expect(movedRules).toHaveLength(originalRules.length);
    movedRules.forEach((rule, index) => {
      const before = originalRules[index];
      const url = before?.annotations?.runbook_url;
      if (url === undefined) {
        expect(rule).toEqual(before);
        return;
      }
      expect(rule.annotations?.runbook_url).toBe(base + url.slice(DEFAULT_RUNBOOK_BASE.length));
      expect({ ...rule, annotations: { ...rule.annotations, runbook_url: url } }).toEqual(before);
    });
  });

  it("refuses a base URL that is not one", async () => {
    await expect(generate("--runbook-base-url=not a url")).rejects.toMatchObject({ code: 2 });
  });
});
