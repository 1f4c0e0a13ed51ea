import { execFile } from "node:child_process";
import { request } from "node:http";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { role, runExporter, waitUntilReady } from "../helpers/exporter.js";
import { parseExposition, samplesNamed } from "../helpers/exposition.js";
import { toolOrSkipReason } from "../helpers/tools.js";

const A = "111111111111";
const SCENARIO = `
accounts:
  - id: "${A}"
    regions:
      - region: us-east-1
        stores:
          - {id: cks-aaaaaaaaaaaaaaaaa, name: "a \\"quoted\\" <name>", state: FAILED, errorCode: NETWORK_ERRORS}
          - {id: cks-bbbbbbbbbbbbbbbbb, name: b, state: CONNECTED}
`;
const CONFIG = { accounts: [{ roleArn: role(A), name: "prod <&>" }] };

/** Raw HTTP, so that nothing decodes or adds headers behind the test's back. */
function raw(url: string, options: { method?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? "GET", headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const curl = toolOrSkipReason("curl");
const execFileAsync = promisify(execFile);

describe("HTTP endpoints", () => {
  it("reports not ready until every target was polled, then ready", async () => {
    const { app } = await runExporter(
      SCENARIO.replace(
        "stores:",
        "faults: [{kind: slow, delay: 800ms, calls: [1]}]\n        stores:",
      ),
      CONFIG,
    );
    const before = await raw(`${app.url}/readyz`);
    expect(before.status).toBe(503);
    expect(before.body.toString()).toMatch(/not ready: 0 of 1 targets polled/);
    expect((await raw(`${app.url}/healthz`)).status).toBe(200);
    await waitUntilReady(app);
    expect((await raw(`${app.url}/readyz`)).body.toString()).toMatch(/^ready: 1 of 1/);
  });

  it("serves the Prometheus text format, plain and gzipped, and never calls AWS for a scrape", async () => {
    const { app, simulator } = await runExporter(SCENARIO, CONFIG);
    await waitUntilReady(app);
    const callsBefore = simulator.calls.length;
    const plain = await raw(`${app.url}/metrics`);
    expect(plain.status).toBe(200);
    expect(plain.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(Number(plain.headers["content-length"])).toBe(plain.body.length);
    const zipped = await raw(`${app.url}/metrics`, {
      headers: { "Accept-Encoding": "br;q=1.0, gzip;q=0.8" },
    });
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(Number(zipped.headers["content-length"])).toBe(zipped.body.length);
    const unzipped = gunzipSync(zipped.body).toString("utf8");
    // Same store series in both; the process_* values may move between two scrapes.
    const stores = (text: string) => text.split("\n").filter((line) => line.startsWith("aws_kms_"));
    expect(stores(unzipped)).toEqual(stores(plain.body.toString("utf8")));
    // 2 info, 2 × 5 states, 1 error code, 2 creation times, 2 state changes, 2 state since.
    expect(stores(unzipped)).toHaveLength(2 + 10 + 1 + 2 + 2 + 2);
    const refused = await raw(`${app.url}/metrics`, { headers: { "Accept-Encoding": "gzip;q=0" } });
    expect(refused.headers["content-encoding"]).toBeUndefined();
    expect(simulator.calls.length).toBe(callsBefore);
  });

  it.skipIf("skip" in curl)("is read whole by curl --compressed", async () => {
    const { app } = await runExporter(SCENARIO, CONFIG);
    await waitUntilReady(app);
    // Asynchronously: a synchronous child would block the server it is talking to.
    const { stdout: text } = await execFileAsync((curl as { path: string }).path, [
      "-sf",
      "--compressed",
      `${app.url}/metrics`,
    ]);
    const samples = parseExposition(text);
    expect(samplesNamed(samples, "aws_kms_custom_key_store_info")).toHaveLength(2);
    expect(samplesNamed(samples, "kms_keystore_exporter_build_info")).toHaveLength(1);
  });

  it("answers HEAD without a body, other methods with 405 and Allow, unknown paths with 404", async () => {
    const { app } = await runExporter(SCENARIO, CONFIG);
    const head = await raw(`${app.url}/metrics`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"]) {
      for (const path of ["/metrics", "/", "/healthz", "/readyz"]) {
        const refused = await raw(`${app.url}${path}`, { method });
        expect(refused.status, `${method} ${path}`).toBe(405);
        expect(refused.headers.allow).toBe("GET, HEAD");
      }
    }
    const reload = await raw(`${app.url}/-/reload`, { method: "DELETE" });
    expect(reload.status).toBe(405);
    expect(reload.headers.allow).toBe("POST, PUT");
    for (const path of ["/nope", "/metrics/", "//metrics", "/METRICS", "/%2e%2e/etc/passwd"]) {
      const missing = await raw(`${app.url}${path}`);
      expect(missing.status, path).toBe(404);
      expect(missing.body.toString()).toBe("not found\n");
    }
    expect((await raw(`${app.url}/nope`, { method: "POST" })).status).toBe(404);
    expect((await raw(`${app.url}/metrics?x=1`)).status).toBe(200);
  });

  it("serves the status page and /status.json from the same state, escaped and filtered", async () => {
    const { app, scrape } = await runExporter(SCENARIO, CONFIG);
    await waitUntilReady(app);
    const page = await raw(`${app.url}/?state=FAILED`);
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["cache-control"]).toBe("no-store");
    const html = page.body.toString();
    expect(html).toContain('href="/metrics"');
    expect(html).toContain("prod &lt;&amp;&gt;");
    expect(html).not.toContain("prod <&>");
    expect(html).toContain("a &quot;quoted&quot; &lt;name&gt;");
    expect(html).toContain("NETWORK_ERRORS");
    expect(html).not.toContain("cks-bbbbbbbbbbbbbbbbb");

    const json = await raw(`${app.url}/status.json?state=FAILED`);
    expect(json.headers["content-type"]).toBe("application/json; charset=utf-8");
    const report = JSON.parse(json.body.toString()) as {
      summary: { stores: number; storesByState: Record<string, number> };
      stores: { id: string; name: string; error: { code: string } | null; stateChanges: number }[];
    };
    expect(report.summary.storesByState).toMatchObject({ FAILED: 1, CONNECTED: 1 });
    expect(report.stores).toEqual([
      expect.objectContaining({
        id: "cks-aaaaaaaaaaaaaaaaa",
        name: 'a "quoted" <name>',
        error: expect.objectContaining({ code: "NETWORK_ERRORS" }),
        stateChanges: 0,
      }),
    ]);
    const samples = await scrape();
    expect(samplesNamed(samples, "aws_kms_custom_key_store_state_changes_total")).toHaveLength(2);

    const head = await raw(`${app.url}/status.json`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    const typo = await raw(`${app.url}/?states=FAILED`);
    expect(typo.status).toBe(400);
    expect(typo.body.toString()).toContain('unknown query parameter "states"');
  });
});
