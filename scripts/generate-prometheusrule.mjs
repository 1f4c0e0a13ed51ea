#!/usr/bin/env node
// Writes deploy/kubernetes/prometheusrule.yaml (a Prometheus Operator PrometheusRule) from
// deploy/prometheus/alerts.yml, so that the rules have one source. The YAML nodes are moved
// over as they are, comments included, so the resource reads like the file it comes from.
//
//   node scripts/generate-prometheusrule.mjs [--runbook-base-url=URL] [--output=FILE|-]
//
// --runbook-base-url replaces the default base of every runbook_url (the part before "#");
// --output=- writes to stdout instead of the committed file.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Document, isScalar, parseDocument, visit } from "yaml";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = "deploy/prometheus/alerts.yml";
const TARGET = "deploy/kubernetes/prometheusrule.yaml";
const DEFAULT_RUNBOOK_BASE =
  "https://github.com/kms-keystore-exporter/kms-keystore-exporter/blob/main/docs/runbooks.md";

function usage(problem) {
  process.stderr.write(
    `${problem}\nusage: generate-prometheusrule.mjs [--runbook-base-url=URL] [--output=FILE|-]\n`,
  );
  process.exit(2);
}

/** The PrometheusRule text for the rules file's text, with runbook URLs under `runbookBase`. */
function generate(rulesText, runbookBase) {
  const rules = parseDocument(rulesText);
  if (rules.errors.length > 0) throw new Error(`${SOURCE}: ${rules.errors[0].message}`);
  visit(rules, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || pair.key.value !== "runbook_url") return;
      const url = String(pair.value.value);
      // A URL that does not start with the default base would silently keep pointing there.
      if (!url.startsWith(`${DEFAULT_RUNBOOK_BASE}#`)) {
        throw new Error(
          `${SOURCE}: runbook_url does not start with ${DEFAULT_RUNBOOK_BASE}#: ${url}`,
        );
      }
      pair.value.value = runbookBase + url.slice(DEFAULT_RUNBOOK_BASE.length);
    },
  });
  const resource = new Document({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: "kms-keystore-exporter",
      labels: { "app.kubernetes.io/name": "kms-keystore-exporter" },
    },
    spec: {},
  });
  const groups = rules.get("groups", true);
  if (!groups) throw new Error(`${SOURCE}: no groups`);
  resource.setIn(["spec", "groups"], groups);
  resource.commentBefore = [
    ` Generated from ${SOURCE} by scripts/generate-prometheusrule.mjs (npm run generate).`,
    " Edit that file and regenerate; a test fails when this file is out of date.",
  ].join("\n");
  return resource.toString({ lineWidth: 0 });
}

let values;
try {
  ({ values } = parseArgs({
    options: { "runbook-base-url": { type: "string" }, output: { type: "string" } },
  }));
} catch (error) {
  usage(error.message);
}
const base = values["runbook-base-url"] ?? DEFAULT_RUNBOOK_BASE;
if (!URL.canParse(base) || base.includes("#")) {
  usage(`--runbook-base-url must be an absolute URL without "#": ${base}`);
}
const text = generate(readFileSync(join(ROOT, SOURCE), "utf8"), base);
const output = values.output ?? join(ROOT, TARGET);
if (output === "-") process.stdout.write(text);
else writeFileSync(output, text);
