#!/usr/bin/env node
// Writes src/enrichment/thresholds.ts from the enrichment alert rules in
// deploy/prometheus/alerts.yml, so that the status page flags a store "at risk" by the
// same numbers the alerts fire on, from one source. Each threshold is read from its rule's
// expression; a rule whose expression no longer has it, or has it twice with two values,
// stops the generator.
//
//   node scripts/generate-thresholds.mjs [--rules=FILE] [--output=FILE|-]
//
// --rules reads another rules file (the drift test's edited copy) instead of alerts.yml.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parse } from "yaml";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = "deploy/prometheus/alerts.yml";
const TARGET = "src/enrichment/thresholds.ts";

/** Each threshold: its rule (name and severity), a pattern whose group 1 is the value, its doc. */
const THRESHOLDS = [
  {
    key: "minActiveHsms",
    alert: "KMSCloudHsmKeyStoreAtRisk",
    pattern: /aws_kms_cloudhsm_cluster_hsms\{state="ACTIVE"\}\)\s*<\s*(\d+)/g,
    doc: "KMS needs this many ACTIVE HSMs in a CloudHSM store's cluster to create keys.",
  },
  {
    key: "minActiveAvailabilityZones",
    alert: "KMSCloudHsmKeyStoreAtRisk",
    pattern: /aws_kms_cloudhsm_cluster_active_availability_zones\)\s*<\s*(\d+)/g,
    doc: "Fewer zones with an ACTIVE HSM than this is a single point of failure.",
  },
  {
    key: "certificateWarningDays",
    alert: "KMSXksProxyCertificateExpiring",
    severity: "warning",
    pattern: /aws_kms_xks_proxy_certificate_days_to_expire\)\s*<\s*([\d.]+)\s*>=/g,
    doc: "An XKS proxy certificate expiring in fewer days warns.",
  },
  {
    key: "certificateCriticalDays",
    alert: "KMSXksProxyCertificateExpiring",
    severity: "critical",
    pattern: /aws_kms_xks_proxy_certificate_days_to_expire\)\s*<\s*([\d.]+)\s*$/gm,
    doc: "An XKS proxy certificate expiring in fewer days pages.",
  },
  {
    key: "unhealthyKeyManagerStates",
    alert: "KMSXksExternalKeyManagersUnhealthy",
    pattern: /aws_kms_xks_external_key_managers\{state=~"([^"]+)"\}/g,
    list: true,
    doc: "External key manager states that put an XKS store at risk.",
  },
  {
    key: "xksErrorRatio",
    alert: "KMSXksProxyErrorsSustained",
    pattern: /aws_kms_xks_proxy_requests\)\s*>\s*([\d.]+)/g,
    doc: "The share of failed requests to an XKS proxy above which errors are sustained.",
  },
];

function ruleOf(groups, { alert, severity }) {
  const rules = groups
    .flatMap((group) => group.rules ?? [])
    .filter((rule) => rule.alert === alert && (!severity || rule.labels?.severity === severity));
  if (rules.length !== 1) {
    throw new Error(`${SOURCE}: expected one ${alert}${severity ? ` (${severity})` : ""} rule`);
  }
  return rules[0];
}

function generate(rulesText) {
  const { groups } = parse(rulesText);
  const entries = THRESHOLDS.map((threshold) => {
    const rule = ruleOf(groups, threshold);
    const found = [...rule.expr.matchAll(threshold.pattern)].map((match) => match[1]);
    const where = `${SOURCE}: ${threshold.alert}${threshold.severity ? ` (${threshold.severity})` : ""}`;
    if (found.length === 0) throw new Error(`${where}: no ${threshold.key} in its expression`);
    if (new Set(found).size !== 1) {
      throw new Error(`${where}: ${threshold.key} differs between its branches: ${found}`);
    }
    const value = threshold.list ? found[0].split("|") : Number(found[0]);
    return `  /** ${threshold.doc} */\n  ${threshold.key}: ${JSON.stringify(value)},`;
  });
  const source = `// Generated from ${SOURCE} by scripts/generate-thresholds.mjs (npm run generate).
// Edit the alert rules and regenerate; a test fails when this file is out of date.

/** The enrichment alerts' thresholds: the status page says "at risk" by the same numbers. */
export const AT_RISK = {
${entries.join("\n")}
} as const;
`;
  // Formatted by the project's own formatter, so the file passes `npm run lint` as written.
  return execFileSync(
    join(ROOT, "node_modules/.bin/biome"),
    ["format", `--stdin-file-path=${TARGET}`],
    { cwd: ROOT, input: source, encoding: "utf8" },
  );
}

const { values } = parseArgs({
  options: { output: { type: "string" }, rules: { type: "string" } },
});
const text = generate(readFileSync(values.rules ?? join(ROOT, SOURCE), "utf8"));
const output = values.output ?? join(ROOT, TARGET);
if (output === "-") process.stdout.write(text);
else writeFileSync(output, text);
