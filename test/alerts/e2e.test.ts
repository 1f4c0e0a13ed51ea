import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify as stringifyYaml } from "yaml";
import { AT_RISK } from "../../src/enrichment/thresholds.js";
import { parseScenario } from "../../src/simulator/index.js";
import { startCli, waitForReady } from "../helpers/cli.js";
import { toolOrSkipReason } from "../helpers/tools.js";
import { until } from "../helpers/wait.js";
import {
  DEFAULT_RUNBOOK_BASE,
  DEMO_SCENARIO,
  queryPanels,
  readDashboard,
  readRules,
  substituteVariables,
} from "./files.js";
import { getJson, startAlertmanager, startPrometheus, tempDir } from "./peers.js";

const prometheus = toolOrSkipReason("prometheus");
const alertmanager = toolOrSkipReason("prometheus-alertmanager");
const tools = "skip" in prometheus || "skip" in alertmanager;

const SHORT_FOR = "3s";
const DEADLINE_MS = 60_000;

interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
}
interface PromRule {
  name: string;
  health: string;
  lastError?: string;
}
interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
}

/**
 * The real alerts.yml with every `for:` cut to a few seconds, so that alerts fire within
 * the test. The expressions, labels and annotations are the shipped ones, unchanged.
 */
function rulesWithShortFor(): string {
  const rules = readRules();
  for (const rule of rules.groups.flatMap((group) => group.rules)) {
    if (rule.for !== undefined && rule.for !== "0s") rule.for = SHORT_FOR;
  }
  const file = join(tempDir("rules"), "alerts.yml");
  writeFileSync(file, stringifyYaml(rules));
  return file;
}

/** Polls `probe` until it returns a value; `what` says, on timeout, what was missing. */
async function waitFor<T>(what: () => string, probe: () => Promise<T | undefined>): Promise<T> {
  let value: T | undefined;
  await until(
    async () => {
      value = await probe();
      return value !== undefined;
    },
    DEADLINE_MS,
    what,
    500,
  );
  return value as T;
}

describe("alerts and dashboard against real Prometheus and Alertmanager", () => {
  it.skipIf(tools)(
    "scrapes the demo, answers every panel query, fires for the FAILED stores and notifies",
    async () => {
      const started = Date.now();
      const scenario = parseScenario(readFileSync(DEMO_SCENARIO, "utf8"));
      const stores = scenario.accounts.flatMap((account) =>
        account.regions.flatMap((region) =>
          region.stores.map((store) => ({ ...store, account, region: region.region })),
        ),
      );
      // Stores with a timeline change state while the test runs (one turns FAILED at 90 s),
      // so whether they are FAILED depends on timing: they are left out of the exact check.
      const moving = new Set(stores.filter((s) => s.timeline !== undefined).map((s) => s.id));
      const staticFailed = stores.filter((s) => s.state === "FAILED" && !moving.has(s.id));
      expect(staticFailed.length).toBeGreaterThan(0);

      const cli = await startCli(["--demo"]);
      await waitForReady(cli.url);
      const am = await startAlertmanager((alertmanager as { path: string }).path);
      const prom = await startPrometheus((prometheus as { path: string }).path, {
        exporter: new URL(cli.url).host,
        alertmanager: new URL(am.url).host,
        rulesFile: rulesWithShortFor(),
      });

      const query = async (expr: string) =>
        (
          await getJson<{ data: { result: unknown[] } }>(
            `${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}`,
          )
        ).data.result;

      const rules = async () =>
        (
          await getJson<{ data: { groups: { rules: PromRule[] }[] } }>(`${prom.url}/api/v1/rules`)
        ).data.groups.flatMap((group) => group.rules);
      await waitFor(
        () => "every rule evaluated",
        async () => ((await rules()).every((rule) => rule.health !== "unknown") ? true : undefined),
      );

      // Every dashboard query, with variables as Grafana sends them for "All", has data.
      const queries = queryPanels(readDashboard()).flatMap((panel) =>
        (panel.targets ?? []).map((target) => ({
          name: `${panel.title} ${target.refId}`,
          expr: substituteVariables(target.expr ?? ""),
        })),
      );
      let empty: string[] = [];
      await waitFor(
        () => `data for every dashboard query; still empty: ${empty.join(", ")}`,
        async () => {
          empty = [];
          for (const { name, expr } of queries) {
            if ((await query(expr)).length === 0) empty.push(name);
          }
          return empty.length === 0 ? true : undefined;
        },
      );

      // KMSCustomKeyStoreFailed fires for exactly the stores that are FAILED in the demo,
      // and whatever fires in Prometheus is listed by Alertmanager. Both are read again until
      // they agree: an alert of a moving store may resolve between the two reads.
      const expectedIds = staticFailed.map((store) => store.id).sort();
      const isFailed = (labels: Record<string, string>) =>
        labels.alertname === "KMSCustomKeyStoreFailed";
      const { firing, received } = await waitFor(
        () => "KMSCustomKeyStoreFailed for every FAILED store, in Prometheus and Alertmanager",
        async () => {
          const { data } = await getJson<{ data: { alerts: PromAlert[] } }>(
            `${prom.url}/api/v1/alerts`,
          );
          const firing = data.alerts.filter((alert) => alert.state === "firing");
          const received = await getJson<AmAlert[]>(`${am.url}/api/v2/alerts`);
          const listed = new Set(received.map((alert) => labelKey(alert.labels)));
          const failedIds = firing
            .filter((alert) => isFailed(alert.labels))
            .map((alert) => alert.labels.custom_key_store_id);
          const complete =
            expectedIds.every((id) => failedIds.includes(id)) &&
            firing.every((alert) => listed.has(labelKey(alert.labels)));
          return complete ? { firing, received } : undefined;
        },
      );
      expect(
        firing
          .filter((alert) => isFailed(alert.labels))
          .map((alert) => alert.labels.custom_key_store_id ?? "")
          .filter((id) => !moving.has(id))
          .sort(),
      ).toEqual(expectedIds);

      // Each page carries what the on-call person needs, and links to the error code.
      for (const store of staticFailed) {
        const alert = received.find(
          (a) => isFailed(a.labels) && a.labels.custom_key_store_id === store.id,
        );
        expect(alert?.status.state).toBe("active");
        expect(alert?.labels).toMatchObject({
          severity: "critical",
          account_id: store.account.id,
          account_name: store.account.name,
          region: store.region,
          custom_key_store_name: store.name,
          custom_key_store_type: store.type,
          error_code: store.errorCode,
        });
        expect(alert?.annotations.runbook_url).toBe(
          `${DEFAULT_RUNBOOK_BASE}#${store.errorCode?.toLowerCase()}`,
        );
        expect(alert?.annotations.description).toContain(store.name);
      }

      // The enrichment alerts fire for exactly the stores the demo's simulator truth puts at
      // risk: read from the scenario, not repeated here.
      const expected = enrichmentAlertsOf(scenario);
      expect(expected.length).toBeGreaterThanOrEqual(4);
      const enrichmentNames = new Set(expected.map((alert) => alert.split(" ")[0]));
      let seen: string[] = [];
      await waitFor(
        () => `enrichment alerts ${expected.join(", ")}; firing: ${seen.join(", ")}`,
        async () => {
          const { data } = await getJson<{ data: { alerts: PromAlert[] } }>(
            `${prom.url}/api/v1/alerts`,
          );
          seen = data.alerts
            .filter((alert) => alert.state === "firing")
            .filter((alert) => enrichmentNames.has(alert.labels.alertname ?? ""))
            .map(({ labels }) =>
              [labels.alertname, labels.severity, labels.custom_key_store_id, labels.state ?? ""]
                .join(" ")
                .trim(),
            )
            .sort();
          return JSON.stringify(seen) === JSON.stringify(expected) ? true : undefined;
        },
      );

      // The latest evaluation of every rule, with every series present by now, had no error
      // (a join that matched many-to-many would show here).
      for (const rule of await rules()) {
        expect(rule.health, `${rule.name}: ${rule.lastError}`).toBe("ok");
      }

      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`e2e took ${seconds} s; Alertmanager lists ${received.length} alerts:`);
      for (const line of received.map(describeAlert).sort()) console.log(`  ${line}`);
    },
    90_000,
  );
});

/**
 * "alertname severity store_id [state]" for every enrichment alert the demo should fire:
 * CONNECTED CloudHSM stores whose listed cluster has fewer than two ACTIVE HSMs or one zone,
 * XKS certificates below 14 (warning) or 3 days (critical), unhealthy key managers, and
 * more than 5 proxy errors a period. The KMSCloudHsmKeyStoreAtRisk rule's own state label
 * is the store's (CONNECTED).
 */
function enrichmentAlertsOf(scenario: ReturnType<typeof parseScenario>): string[] {
  const alerts: string[] = [];
  for (const region of scenario.accounts.flatMap((account) => account.regions)) {
    for (const store of region.stores) {
      if (store.timeline !== undefined) continue;
      const cluster = region.clusters?.find((c) => c.id === store.cloudHsmClusterId);
      if (cluster && store.state === "CONNECTED" && store.type === "AWS_CLOUDHSM") {
        const active = cluster.hsms.filter((hsm) => hsm.state === "ACTIVE");
        const zones = new Set(active.map((hsm) => hsm.availabilityZone));
        if (active.length < 2 || zones.size < 2) {
          alerts.push(`KMSCloudHsmKeyStoreAtRisk warning ${store.id} CONNECTED`);
        }
      }
      const metrics = store.xksMetrics;
      if (metrics === undefined) continue;
      for (const days of Object.values(metrics.certificates ?? {})) {
        if (days < 14) {
          alerts.push(
            `KMSXksProxyCertificateExpiring ${days < 3 ? "critical" : "warning"} ${store.id}`,
          );
        }
      }
      for (const state of ["Degraded", "Unavailable"]) {
        if ((metrics.externalKeyManagers?.[state] ?? 0) > 0) {
          alerts.push(`KMSXksExternalKeyManagersUnhealthy warning ${store.id} ${state}`);
        }
      }
      const operations = metrics.operations ?? [];
      const errors = operations
        .flatMap((operation) => operation.errors)
        .reduce((sum, error) => sum + error.count, 0);
      const requests = operations.reduce((sum, operation) => sum + operation.successes, errors);
      if (errors > 0 && errors / requests > AT_RISK.xksErrorRatio) {
        alerts.push(`KMSXksProxyErrorsSustained warning ${store.id}`);
      }
    }
  }
  return alerts.sort();
}

function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

function describeAlert(alert: AmAlert): string {
  const { alertname, severity, account_name, account_id, region } = alert.labels;
  const subject =
    alert.labels.custom_key_store_name ??
    alert.labels.custom_key_store_id ??
    alert.labels.instance ??
    "";
  const where = [account_name ?? account_id, region].filter(Boolean).join("/");
  const extra = [alert.labels.state, alert.labels.error_code].filter(Boolean).join(" ");
  return `${alertname} (${severity}) ${where} ${subject} ${extra}`.replace(/\s+/g, " ").trim();
}
