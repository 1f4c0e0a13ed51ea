import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { getJson, startPrometheusWith, tempDir } from "../alerts/peers.js";
import { role, runExporter } from "../helpers/exporter.js";
import { clientCertTls, htpasswdHash, makePki } from "../helpers/pki.js";
import { toolOrSkipReason } from "../helpers/tools.js";
import { until } from "../helpers/wait.js";

const A = "111111111111";
const SCENARIO = `
accounts:
  - id: "${A}"
    regions:
      - region: us-east-1
        stores: [{id: cks-aaaaaaaaaaaaaaaaa, name: payments, state: FAILED, errorCode: NETWORK_ERRORS}]
`;

const tools = ["prometheus", "openssl", "htpasswd"].map((name) => toolOrSkipReason(name));
const [prometheus, openssl, htpasswd] = tools.map((tool) => (tool as { path: string }).path);

interface Result {
  metric: Record<string, string>;
  value: [number, string];
}

describe.skipIf(tools.some((tool) => "skip" in tool))("Prometheus over mTLS and basic auth", () => {
  it("scrapes with its own tls_config and basic_auth; without a client certificate or the password it cannot", async () => {
    const dir = tempDir("mtls");
    const pki = makePki(openssl as string, dir);
    const client = pki.issueClient("prometheus");
    const webConfigFile = join(dir, "web.yml");
    writeFileSync(
      webConfigFile,
      stringify({
        tls_server_config: clientCertTls("RequireAndVerifyClientCert", {
          client_allowed_sans: ["prometheus"],
        }),
        basic_auth_users: { prometheus: htpasswdHash(htpasswd as string, "prometheus", "pw-1") },
      }),
    );
    const passwordFile = join(dir, "password");
    writeFileSync(passwordFile, "pw-1");
    const { app } = await runExporter(SCENARIO, {
      accounts: [{ roleArn: role(A) }],
      webConfigFile,
    });
    const target = new URL(app.url).host;
    const tls = { ca_file: pki.caCert, cert_file: client.cert, key_file: client.key };
    const job = (name: string, extra: object) => ({
      job_name: name,
      scheme: "https",
      static_configs: [{ targets: [target] }],
      ...extra,
    });
    const prom = await startPrometheusWith(prometheus as string, {
      global: { scrape_interval: "1s", scrape_timeout: "1s" },
      scrape_configs: [
        job("mtls-and-password", {
          tls_config: tls,
          basic_auth: { username: "prometheus", password_file: passwordFile },
        }),
        job("no-client-certificate", {
          tls_config: { ca_file: pki.caCert },
          basic_auth: { username: "prometheus", password_file: passwordFile },
        }),
        job("wrong-password", {
          tls_config: tls,
          basic_auth: { username: "prometheus", password: "nope" },
        }),
      ],
    });
    const query = async (expr: string) =>
      (
        await getJson<{ data: { result: Result[] } }>(
          `${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}`,
        )
      ).data.result;
    await until(async () => (await query("up")).length === 3, 20_000);
    await until(async () => (await query('up{job="mtls-and-password"} == 1')).length === 1, 20_000);
    const up = Object.fromEntries(
      (await query("up")).map((result) => [result.metric.job, result.value[1]]),
    );
    expect(up).toEqual({
      "mtls-and-password": "1",
      "no-client-certificate": "0",
      "wrong-password": "0",
    });
    const failed = await query(
      'aws_kms_custom_key_store_connection_state{state="FAILED", job="mtls-and-password"}',
    );
    expect(failed.map((result) => [result.metric.custom_key_store_id, result.value[1]])).toEqual([
      ["cks-aaaaaaaaaaaaaaaaa", "1"],
    ]);
    // The failing jobs' reasons, as Prometheus reports them.
    const targets = await getJson<{
      data: { activeTargets: { labels: { job: string }; lastError: string }[] };
    }>(`${prom.url}/api/v1/targets`);
    const errors = Object.fromEntries(
      targets.data.activeTargets.map((entry) => [entry.labels.job, entry.lastError]),
    );
    expect(errors["mtls-and-password"]).toBe("");
    expect(errors["wrong-password"]).toMatch(/401/);
    expect(errors["no-client-certificate"]).not.toBe("");
  });
});
