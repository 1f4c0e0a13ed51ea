import { readFileSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseScenario, type Simulator, startSimulator } from "../../src/simulator/index.js";
import { tempDir } from "../alerts/peers.js";
import { startCli } from "../helpers/cli.js";
import { get } from "../helpers/https.js";
import { htpasswdHash, makePki } from "../helpers/pki.js";
import { toolOrSkipReason } from "../helpers/tools.js";
import { until } from "../helpers/wait.js";

const MEMBER = "222222222222";
const SCENARIO = `
credentials:
  - accessKeyId: AKIAENVSECRET0000001
    secretAccessKey: env-secret-key-Xq7vB2nM9pL4kR8tW1yZ
    sessionToken: env-session-token-Jf3hG6dS0aQ5wE2rT9uI
accounts:
  - id: "111111111111"
    regions: [{region: us-east-1, stores: []}]
  - id: "${MEMBER}"
    regions:
      - region: us-east-1
        stores: [{id: cks-aaaaaaaaaaaaaaaaa, name: payments, state: CONNECTED}]
`;

/** Secrets the exporter is given or receives; none may appear in any log line. */
const ENV_SECRETS = {
  AWS_ACCESS_KEY_ID: "AKIAENVSECRET0000001",
  AWS_SECRET_ACCESS_KEY: "env-secret-key-Xq7vB2nM9pL4kR8tW1yZ",
  AWS_SESSION_TOKEN: "env-session-token-Jf3hG6dS0aQ5wE2rT9uI",
};
const EXTERNAL_ID = "external-id-Ua8sD4fG7hJ1kL0z";
const PASSWORD = "scrape-password-Vb5nM2xC8zA3sD6f";
const WRONG_PASSWORD = "wrong-password-Pq1wE4rT7yU0iO3p";
const COOKIE = "session=cookie-value-Hg2jK5lM8nB1vC4x";

const openssl = toolOrSkipReason("openssl");
const htpasswd = toolOrSkipReason("htpasswd");
const missing = "skip" in openssl || "skip" in htpasswd;

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/**
 * Sits between the exporter and the simulator's STS and keeps every answer, so the test
 * knows the temporary credentials STS handed out.
 */
async function recordingProxy(simulator: Simulator): Promise<{ url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      // The original Host header goes along: it is signed, and the simulator checks it.
      const upstream = httpRequest(
        `${simulator.url}${request.url}`,
        { method: request.method ?? "POST", headers: request.headers },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => parts.push(chunk));
          answer.on("end", () => {
            const body = Buffer.concat(parts).toString("utf8");
            bodies.push(body);
            response.writeHead(answer.statusCode ?? 502, {
              "Content-Type": answer.headers["content-type"] ?? "text/xml",
            });
            response.end(body);
          });
        },
      );
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

function stsSecrets(bodies: string[]): string[] {
  return bodies.flatMap((body) =>
    [...body.matchAll(/<(AccessKeyId|SecretAccessKey|SessionToken)>([^<]+)</g)].map(
      (match) => match[2] ?? "",
    ),
  );
}

describe.skipIf(missing)("logs at trace level", () => {
  it("carry no secret from the config, the environment, STS's answers or the web config", async () => {
    const dir = tempDir("secret-logs");
    const pki = makePki((openssl as { path: string }).path, dir);
    const hash = htpasswdHash((htpasswd as { path: string }).path, "prometheus", PASSWORD);
    const webConfig = join(dir, "web.yml");
    writeFileSync(
      webConfig,
      stringify({
        tls_server_config: { cert_file: "server.crt", key_file: "server.key" },
        basic_auth_users: { prometheus: hash },
      }),
    );
    const config = join(dir, "config.yml");
    writeFileSync(
      config,
      stringify({
        interval: "1s",
        regions: ["us-east-1"],
        sessionDuration: "15m",
        accounts: [
          {
            roleArn: `arn:aws:iam::${MEMBER}:role/kms-keystore-exporter`,
            externalId: EXTERNAL_ID,
          },
        ],
      }),
    );
    const simulator = await startSimulator({ scenario: parseScenario(SCENARIO) });
    closers.push(() => simulator.close());
    const sts = await recordingProxy(simulator);

    const cli = await startCli(
      [`--config.file=${config}`, `--web.config.file=${webConfig}`, "--log.level=trace"],
      {
        ...ENV_SECRETS,
        AWS_ENDPOINT_URL: simulator.url,
        AWS_ENDPOINT_URL_STS: sts.url,
        AWS_REGION: "us-east-1",
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        AWS_EC2_METADATA_DISABLED: "true",
      },
    );
    const auth = `prometheus:${PASSWORD}`;
    await until(async () => {
      const answer = await get(`${cli.url}/metrics`, { ca: pki.caCert, auth });
      return answer.body.includes("cks-aaaaaaaaaaaaaaaaa");
    });
    // Scrapes as Prometheus does, and as an attacker might.
    await get(`${cli.url}/metrics`, { ca: pki.caCert, auth, headers: { Cookie: COOKIE } });
    await get(`${cli.url}/metrics`, { ca: pki.caCert, auth: `prometheus:${WRONG_PASSWORD}` });
    await get(`${cli.url}/-/reload`, {
      ca: pki.caCert,
      auth,
      method: "POST",
      headers: { "Proxy-Authorization": `Basic ${Buffer.from(auth).toString("base64")}` },
    });
    cli.child.kill("SIGHUP");
    // A few more polls after the reload.
    const polls = () =>
      simulator.callCount({ operation: "DescribeCustomKeyStores", accountId: MEMBER });
    const afterReload = polls();
    await until(() => polls() >= afterReload + 2);
    cli.child.kill("SIGTERM");
    await cli.exit;

    const output = cli.stdout() + cli.stderr();
    const secrets = [
      ...Object.values(ENV_SECRETS),
      EXTERNAL_ID,
      PASSWORD,
      WRONG_PASSWORD,
      Buffer.from(auth).toString("base64"),
      "cookie-value-Hg2jK5lM8nB1vC4x",
      hash,
      ...readFileSync(pki.serverKey, "utf8")
        .split("\n")
        .filter((line) => line.length > 40),
      ...stsSecrets(sts.bodies),
    ];
    expect(stsSecrets(sts.bodies).length).toBeGreaterThanOrEqual(3);
    for (const secret of secrets)
      expect(output, `a secret leaked: ${secret}`).not.toContain(secret);

    // Not vacuous: the debug lines ran, with the redacted headers in them.
    const requests = output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map(
        (line) =>
          JSON.parse(line) as { level: string; msg: string; headers?: Record<string, string> },
      )
      .filter((line) => line.msg === "http request");
    expect(requests.length).toBeGreaterThanOrEqual(4);
    expect(requests.every((line) => line.level === "debug")).toBe(true);
    expect(requests.some((line) => line.headers?.authorization === "[redacted]")).toBe(true);
    expect(requests.some((line) => line.headers?.cookie === "[redacted]")).toBe(true);
  });
});
