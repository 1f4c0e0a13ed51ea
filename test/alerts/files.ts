import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { PACKAGE_ROOT } from "../../src/package/version.js";

/** The shipped alerting files, read as the tests see them (paths from the package root). */
export const ALERTS_FILE = join(PACKAGE_ROOT, "deploy/prometheus/alerts.yml");
export const ALERTS_TEST_FILE = join(PACKAGE_ROOT, "deploy/prometheus/alerts.test.yml");
export const PROMETHEUS_RULE_FILE = join(PACKAGE_ROOT, "deploy/kubernetes/prometheusrule.yaml");
export const GENERATOR = join(PACKAGE_ROOT, "scripts/generate-prometheusrule.mjs");
export const RUNBOOKS_FILE = join(PACKAGE_ROOT, "docs/runbooks.md");
export const DASHBOARD_FILE = join(PACKAGE_ROOT, "grafana/dashboard.json");
export const DEMO_SCENARIO = join(PACKAGE_ROOT, "scenarios/demo.yaml");
export const DEFAULT_RUNBOOK_BASE =
  "https://github.com/kms-keystore-exporter/kms-keystore-exporter/blob/main/docs/runbooks.md";

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}

export function readRules(): RuleFile {
  return parseYaml(readFileSync(ALERTS_FILE, "utf8")) as RuleFile;
}

export function alertRules(rules = readRules()): Rule[] {
  return rules.groups.flatMap((group) => group.rules).filter((rule) => rule.alert !== undefined);
}

export interface DatasourceRef {
  type?: string;
  uid?: string;
}
export interface Link {
  title?: string;
  url: string;
}
export interface Target {
  refId: string;
  expr?: string;
  datasource?: DatasourceRef;
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: DatasourceRef;
  targets?: Target[];
  links?: Link[];
  fieldConfig?: { overrides?: { properties: { id: string; value: unknown }[] }[] };
}
export interface Variable {
  type: string;
  name: string;
  query?: unknown;
  datasource?: DatasourceRef;
}
export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  links: Link[];
  templating: { list: Variable[] };
  panels: Panel[];
}

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_FILE, "utf8")) as Dashboard;
}

/** Grafana's `${name}` reference to a dashboard variable. */
export function grafanaVariable(name: string): string {
  return `\${${name}}`;
}

/** Panels that query data; rows only group them. */
export function queryPanels(dashboard = readDashboard()): Panel[] {
  return dashboard.panels.filter((panel) => panel.type !== "row");
}

/** What Grafana would send for a variable when every value is selected ("All"). */
const VARIABLE_VALUES: Record<string, string> = {
  account: ".*",
  region: ".*",
  type: ".*",
  __rate_interval: "1m",
  __interval: "15s",
  __range: "1h",
};

/** The expression with Grafana's variables ($name, ${name}, ${name:format}) substituted. */
export function substituteVariables(expr: string): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    const value = VARIABLE_VALUES[braced ?? bare ?? ""];
    if (value === undefined) throw new Error(`unknown variable ${whole} in: ${expr}`);
    return value;
  });
}

/** Every link of the dashboard: its own, each panel's, and field data links. */
export function dashboardLinks(dashboard = readDashboard()): string[] {
  const urls = dashboard.links.map((link) => link.url);
  for (const panel of dashboard.panels) {
    urls.push(...(panel.links ?? []).map((link) => link.url));
    for (const override of panel.fieldConfig?.overrides ?? []) {
      for (const property of override.properties) {
        if (property.id === "links") urls.push(...(property.value as Link[]).map((l) => l.url));
      }
    }
  }
  return urls;
}

/**
 * The anchors GitHub gives the headings of a Markdown file (github-slugger's rules:
 * lower case, punctuation other than "-" and "_" dropped, spaces to "-", repeats numbered).
 * Lines inside fenced code blocks are not headings.
 */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (fenced || !heading?.[1]) continue;
    const text = heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/`/g, "");
    const slug = text
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}
