import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { getJson, startPrometheusWith } from "../alerts/peers.js";
import { role, runExporter, waitUntilReady } from "../helpers/exporter.js";
import { toolOrSkipReason } from "../helpers/tools.js";
import { until } from "../helpers/wait.js";

const A = "111111111111";

/** Store names and ids as a hostile or careless account owner could set them. */
const STORES = [
  { id: "cks-0000000000000001", name: 'quote " backslash \\ newline \n end' },
  { id: "cks-0000000000000002", name: "</script><script>alert(1)</script>" },
  { id: "cks-0000000000000003", name: "ключ-東京-🔑-é" },
  { id: "cks-0000000000000004", name: 'a"\\\n'.repeat(64) },
  { id: "cks-0000000000000005", name: 'a:b,c="d",e' },
  { id: "cks-0000000000000006", name: "ends with a backslash \\" },
  { id: 'cks-"id"\\with\nbreaks', name: "plain" },
];

const SCENARIO = stringify({
  accounts: [
    {
      id: A,
      regions: [
        {
          region: "us-east-1",
          stores: STORES.map((store) => ({ ...store, state: "CONNECTED" })),
        },
      ],
    },
  ],
});

const promtool = toolOrSkipReason("promtool");
const prometheus = toolOrSkipReason("prometheus");

interface Series {
  __name__: string;
  custom_key_store_id: string;
  custom_key_store_name: string;
}

describe.skipIf("skip" in promtool || "skip" in prometheus)("hostile store names and ids", () => {
  it("pass promtool, reach Prometheus with the exact label values, and show as text", async () => {
    expect(STORES[3]?.name).toHaveLength(256);
    const { app } = await runExporter(SCENARIO, { accounts: [{ roleArn: role(A) }] });
    await waitUntilReady(app);
    const text = await (await fetch(`${app.url}/metrics`)).text();

    const checked = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = execFile(
        (promtool as { path: string }).path,
        ["check", "metrics"],
        (error, stdout, stderr) => {
          resolve({ code: error ? (error.code as number) : 0, output: stdout + stderr });
        },
      );
      child.stdin?.end(text);
    });
    expect(checked.output).toBe("");
    expect(checked.code).toBe(0);

    const prom = await startPrometheusWith((prometheus as { path: string }).path, {
      global: { scrape_interval: "1s" },
      scrape_configs: [{ job_name: "kms", static_configs: [{ targets: [new URL(app.url).host] }] }],
    });
    const query = `${prom.url}/api/v1/series?match[]=${encodeURIComponent("aws_kms_custom_key_store_info")}`;
    let series: Series[] = [];
    await until(async () => {
      series = (await getJson<{ data: Series[] }>(query)).data;
      return series.length === STORES.length;
    }, 20_000);
    const stored = series
      .map((entry) => ({ id: entry.custom_key_store_id, name: entry.custom_key_store_name }))
      .sort((a, b) => a.id.localeCompare(b.id));
    expect(stored).toEqual([...STORES].sort((a, b) => a.id.localeCompare(b.id)));
    const up = await getJson<{ data: { result: { value: [number, string] }[] } }>(
      `${prom.url}/api/v1/query?query=up`,
    );
    expect(up.data.result[0]?.value[1]).toBe("1");

    // The status page writes them as text, /status.json as the exact strings.
    const page = await (await fetch(`${app.url}/`)).text();
    expect(page).not.toContain("<script>alert(1)");
    expect(page).toContain("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).toContain("ключ-東京-🔑-é");
    const status = (await (await fetch(`${app.url}/status.json`)).json()) as {
      stores: { id: string; name: string }[];
    };
    expect(
      status.stores
        .map((store) => ({ id: store.id, name: store.name }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    ).toEqual([...STORES].sort((a, b) => a.id.localeCompare(b.id)));
  });
});
