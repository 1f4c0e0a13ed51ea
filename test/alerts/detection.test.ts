import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { parseDuration } from "../../src/config/duration.js";
import { DEFAULTS } from "../../src/config/load.js";
import { PACKAGE_ROOT } from "../../src/package/version.js";
import { enrich } from "../helpers/enrich.js";
import { runExporter } from "../helpers/exporter.js";
import { toolOrSkipReason } from "../helpers/tools.js";
import { until } from "../helpers/wait.js";
import { ALERTS_FILE, readRules } from "./files.js";
import { getJson, startAlertmanagerWith, startPrometheusWith, tempDir } from "./peers.js";

const prometheus = toolOrSkipReason("prometheus");
const alertmanager = toolOrSkipReason("prometheus-alertmanager");
const tools = "skip" in prometheus || "skip" in alertmanager;

function ms(text: unknown): number {
  const value = parseDuration(String(text));
  if (value === undefined) throw new Error(`not a duration: ${String(text)}`);
  return value;
}

function yamlFile(path: string): Record<string, unknown> {
  return parseYaml(readFileSync(join(PACKAGE_ROOT, path), "utf8")) as Record<string, unknown>;
}

/**
 * The four waits between a store failing in AWS and the page, as shipped: the exporter's
 * poll interval, the slower of the ServiceMonitor's and the compose stack's scrape
 * intervals, the store rules' group interval (in alerts.yml, so in the PrometheusRule
 * too) and the example Alertmanager route's group_wait.
 */
function shippedWaits() {
  const monitor = yamlFile("deploy/kubernetes/servicemonitor.yaml") as {
    spec: { endpoints: { interval: string }[] };
  };
  const compose = yamlFile("deploy/compose/prometheus.yml") as {
    global: { scrape_interval: string; evaluation_interval: string };
  };
  const route = (yamlFile("deploy/compose/alertmanager.yml") as { route: { group_wait: string } })
    .route;
  const stores = readRules().groups.find((group) => group.name === "kms-keystore-exporter.stores");
  return {
    pollMs: DEFAULTS.intervalMs as number,
    scrapeMs: Math.max(
      ...monitor.spec.endpoints.map((endpoint) => ms(endpoint.interval)),
      ms(compose.global.scrape_interval),
    ),
    evaluationMs: ms((stores as { interval?: string } | undefined)?.interval),
    groupWaitMs: ms(route.group_wait),
  };
}

const sum = (waits: ReturnType<typeof shippedWaits>) =>
  waits.pollMs + waits.scrapeMs + waits.evaluationMs + waits.groupWaitMs;

describe("time to page with the shipped defaults", () => {
  it("adds up to at most 120 s, and docs/alerts.md shows that sum", () => {
    const waits = shippedWaits();
    expect(sum(waits)).toBeLessThanOrEqual(120_000);
    const docs = readFileSync(join(PACKAGE_ROOT, "docs/alerts.md"), "utf8");
    expect(docs).toContain(`**${sum(waits) / 1000} s**`);
    for (const wait of Object.values(waits))
      expect(docs).toMatch(new RegExp(`\\| +${wait / 1000} s \\|`));
  });
});

interface Notification {
  receivedAt: number;
  status: string;
  alerts: {
    status: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
  }[];
}

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

/** An Alertmanager webhook receiver on 127.0.0.1 that keeps every notification. */
async function webhook(): Promise<{ url: string; received: Notification[] }> {
  const received: Notification[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      received.push({
        ...(JSON.parse(body) as Omit<Notification, "receivedAt">),
        receivedAt: Date.now(),
      });
      response.end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, received };
}

/** Every interval of the chain divided by the same factor. */
const FACTOR = 30;
const ACCOUNT = "111111111111";
const STORE = "cks-0000000000000aaaa";

describe("a store that fails in the simulator pages through real Prometheus and Alertmanager", () => {
  it.skipIf(tools)(
    "notifies KMSCustomKeyStoreFailed with its Enabled keys, then KMSCustomKeyStoreUnavailableWithKeys",
    async () => {
      const shipped = shippedWaits();
      const scaled = {
        pollMs: shipped.pollMs / FACTOR,
        scrapeMs: shipped.scrapeMs / FACTOR,
        evaluationMs: shipped.evaluationMs / FACTOR,
        groupWaitMs: shipped.groupWaitMs / FACTOR,
      };
      const { app, simulator } = await runExporter(
        `
defaultAccountId: "${ACCOUNT}"
accounts:
  - id: "${ACCOUNT}"
    regions:
      - region: us-east-1
        stores:
          - {id: ${STORE}, name: payments-hsm, state: CONNECTED}
        keys:
          - {store: ${STORE}, state: Enabled, count: 5}
          - {store: ${STORE}, state: Disabled, count: 2}
          - {store: ${STORE}, state: PendingDeletion}
          - {count: 20}
`,
        {
          intervalMs: scaled.pollMs,
          timeoutMs: scaled.pollMs,
          enrich: enrich({
            keys: true,
            intervalMs: scaled.pollMs,
            keysRateLimit: { listKeys: 500, describeKey: 2_000 },
          }),
        },
      );

      // The shipped rules with every interval, `for` and `keep_firing_for` scaled down.
      const rules = parseYaml(readFileSync(ALERTS_FILE, "utf8")) as {
        groups: { interval?: string; rules: Record<string, unknown>[] }[];
      };
      const scale = (text: unknown) => `${ms(text) / FACTOR}ms`;
      for (const group of rules.groups) {
        group.interval = `${scaled.evaluationMs}ms`;
        for (const rule of group.rules) {
          if (rule.for !== undefined) rule.for = scale(rule.for);
          if (rule.keep_firing_for !== undefined)
            rule.keep_firing_for = scale(rule.keep_firing_for);
        }
      }
      const rulesFile = join(tempDir("rules"), "alerts.yml");
      writeFileSync(rulesFile, stringifyYaml(rules));

      const hook = await webhook();
      const am = await startAlertmanagerWith((alertmanager as { path: string }).path, {
        route: {
          receiver: "pager",
          group_by: ["alertname", "account_id", "region", "custom_key_store_id"],
          group_wait: `${scaled.groupWaitMs}ms`,
          group_interval: "1h",
          repeat_interval: "4h",
        },
        receivers: [{ name: "pager", webhook_configs: [{ url: hook.url, send_resolved: false }] }],
      });
      const prom = await startPrometheusWith((prometheus as { path: string }).path, {
        global: {
          scrape_interval: `${scaled.scrapeMs}ms`,
          evaluation_interval: `${scaled.evaluationMs}ms`,
        },
        rule_files: [rulesFile],
        scrape_configs: [
          {
            job_name: "kms-keystore-exporter",
            static_configs: [{ targets: [new URL(app.url).host] }],
          },
        ],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(am.url).host] }] }] },
      });

      // Prometheus knows the store's Enabled keys before the store fails.
      await until(async () => {
        const { data } = await getJson<{ data: { result: { value: [number, string] }[] } }>(
          `${prom.url}/api/v1/query?query=${encodeURIComponent(
            `kms_keystore:custom_key_store_enabled_keys:last_available{custom_key_store_id="${STORE}"}`,
          )}`,
        );
        return data.result[0]?.value[1] === "5";
      }, 60_000);
      expect(hook.received).toEqual([]);

      const failedAt = Date.now();
      simulator.setStores(ACCOUNT, "us-east-1", [
        { id: STORE, name: "payments-hsm", state: "FAILED", errorCode: "NETWORK_ERRORS" },
      ]);
      const named = (alertname: string) =>
        hook.received.filter((n) => n.alerts.some((alert) => alert.labels.alertname === alertname));
      await until(() => named("KMSCustomKeyStoreFailed").length > 0, 60_000);
      const [failed] = named("KMSCustomKeyStoreFailed");
      const measuredMs = (failed?.receivedAt ?? 0) - failedAt;
      await until(() => named("KMSCustomKeyStoreUnavailableWithKeys").length > 0, 60_000);

      // One page per alert, in order; each began after the store failed in the simulator.
      expect(hook.received.map((n) => n.alerts.map((alert) => alert.labels.alertname))).toEqual([
        ["KMSCustomKeyStoreFailed"],
        ["KMSCustomKeyStoreUnavailableWithKeys"],
      ]);
      const [failedAlert] = failed?.alerts ?? [];
      const [keysAlert] = named("KMSCustomKeyStoreUnavailableWithKeys")[0]?.alerts ?? [];
      expect(failedAlert?.status).toBe("firing");
      expect(Date.parse(failedAlert?.startsAt ?? "")).toBeGreaterThanOrEqual(failedAt - 1);
      expect(Date.parse(keysAlert?.startsAt ?? "")).toBeGreaterThanOrEqual(
        Date.parse(failedAlert?.startsAt ?? ""),
      );
      expect(failedAlert?.annotations.summary).toBe(
        "KMS custom key store payments-hsm is FAILED (NETWORK_ERRORS): 5 Enabled keys unusable",
      );
      expect(keysAlert?.annotations.summary).toBe(
        "KMS custom key store payments-hsm is FAILED: 5 Enabled keys unusable",
      );
      expect(keysAlert?.labels).toMatchObject({ severity: "critical", state: "FAILED" });

      const budgetMs = sum(scaled);
      console.log(
        `time to page, every interval divided by ${FACTOR}: ${measuredMs} ms from the store's change to the notification; worst case ${budgetMs} ms (unscaled: ${((measuredMs * FACTOR) / 1000).toFixed(0)} s of ${sum(shipped) / 1000} s); load average ${loadavg()
          .map((load) => load.toFixed(2))
          .join(" ")}`,
      );
    },
    120_000,
  );
});
