import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

/**
 * The benchmarks' server: the least work that still answers STS AssumeRole and KMS
 * DescribeCustomKeyStores the way the SDK expects, so that the client, not the server,
 * is what a benchmark measures. The simulator checks requests, keeps a call log and plays
 * scenarios; that is worth it in tests, not here. Answers depend only on the account (from
 * the access key it issued) and the region (from the signature's scope), so each target
 * gets its own, stable store list. It runs in a child process: its CPU is not the
 * exporter's. `GET /__counts` answers the calls by operation and by target so far.
 */
export interface ResponderSettings {
  /** Added to every answer (the latency scenario: the API's answer time). */
  delayMs: number;
  storesPerTarget: number;
  /** Every Nth account has `bigStores` stores in each region (several pages); 0: none. */
  bigEvery: number;
  bigStores: number;
}

export interface ResponderCounts {
  AssumeRole: number;
  DescribeCustomKeyStores: number;
  other: number;
  /** DescribeCustomKeyStores calls by "account/region". */
  byTarget: Record<string, number>;
}

const PAGE_LIMIT = 1000;
const STATES = ["FAILED", "CONNECTED", "CONNECTED", "CONNECTED", "CONNECTED"];

export function storesOf(accountId: string, settings: ResponderSettings): number {
  const index = Number(accountId) % 1_000_000;
  return settings.bigEvery > 0 && index % settings.bigEvery === 0
    ? settings.bigStores
    : settings.storesPerTarget;
}

/** One store entry; 1 in 5 is FAILED with an error code, as in a fleet with trouble. */
function storeJson(accountId: string, region: string, index: number): string {
  const state = STATES[index % STATES.length];
  const error = state === "FAILED" ? `,"ConnectionErrorCode":"NETWORK_ERRORS"` : "";
  const id = `cks-${accountId.slice(-6)}${String(index).padStart(11, "0")}`;
  return index % 2 === 0
    ? `{"CustomKeyStoreId":"${id}","CustomKeyStoreName":"hsm ${region} ${index}","CustomKeyStoreType":"AWS_CLOUDHSM","CloudHsmClusterId":"cluster-${accountId.slice(-6)}${index}","ConnectionState":"${state}"${error},"CreationDate":1700000000}`
    : `{"CustomKeyStoreId":"${id}","CustomKeyStoreName":"xks ${region} ${index}","CustomKeyStoreType":"EXTERNAL_KEY_STORE","ConnectionState":"${state}"${error},"CreationDate":1700000000,"XksProxyConfiguration":{"Connectivity":"PUBLIC_ENDPOINT","UriEndpoint":"https://xks.example.com","UriPath":"/kms/xks/v1"}}`;
}

function page(accountId: string, region: string, marker: number, total: number): string {
  const end = Math.min(total, marker + PAGE_LIMIT);
  const entries: string[] = [];
  for (let index = marker; index < end; index++) entries.push(storeJson(accountId, region, index));
  const next = end < total ? `,"NextMarker":"${end}","Truncated":true` : `,"Truncated":false`;
  return `{"CustomKeyStores":[${entries.join(",")}]${next}}`;
}

function assumeRoleXml(accountId: string): string {
  // The account rides in the access key id, so KMS answers need no lookup table.
  const expiration = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  return (
    `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>` +
    `<Credentials><AccessKeyId>ASIA${accountId}</AccessKeyId><SecretAccessKey>bench</SecretAccessKey>` +
    `<SessionToken>bench</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
    `<AssumedRoleUser><AssumedRoleId>AROABENCH:kms</AssumedRoleId>` +
    `<Arn>arn:aws:sts::${accountId}:assumed-role/kms-keystore-exporter/kms</Arn></AssumedRoleUser>` +
    `</AssumeRoleResult><ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata></AssumeRoleResponse>`
  );
}

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\//;

export function createResponder(settings: ResponderSettings) {
  const counts: ResponderCounts = {
    AssumeRole: 0,
    DescribeCustomKeyStores: 0,
    other: 0,
    byTarget: {},
  };
  const answer = (response: ServerResponse, status: number, type: string, body: string): void => {
    const send = () => {
      response.writeHead(status, {
        "Content-Type": type,
        "Content-Length": Buffer.byteLength(body),
        "x-amzn-RequestId": "bench",
      });
      response.end(body);
    };
    if (settings.delayMs > 0) setTimeout(send, settings.delayMs);
    else send();
  };
  const handle = (request: IncomingMessage, response: ServerResponse, body: string): void => {
    if (request.url === "/__counts") {
      response.end(JSON.stringify(counts));
      return;
    }
    const target = request.headers["x-amz-target"];
    if (target === "TrentService.DescribeCustomKeyStores") {
      const [, accessKeyId = "", region = ""] =
        CREDENTIAL.exec(request.headers.authorization ?? "") ?? [];
      const accountId = accessKeyId.startsWith("ASIA") ? accessKeyId.slice(4) : "000000000000";
      const key = `${accountId}/${region}`;
      counts.DescribeCustomKeyStores++;
      counts.byTarget[key] = (counts.byTarget[key] ?? 0) + 1;
      const marker = Number((JSON.parse(body) as { Marker?: string }).Marker ?? 0);
      answer(
        response,
        200,
        "application/x-amz-json-1.1",
        page(accountId, region, marker, storesOf(accountId, settings)),
      );
      return;
    }
    const params = new URLSearchParams(body);
    if (params.get("Action") === "AssumeRole") {
      counts.AssumeRole++;
      const accountId = /iam::(\d{12}):/.exec(params.get("RoleArn") ?? "")?.[1] ?? "000000000000";
      answer(response, 200, "text/xml", assumeRoleXml(accountId));
      return;
    }
    counts.other++;
    answer(response, 400, "application/x-amz-json-1.1", `{"__type":"UnknownOperationException"}`);
  };
  return {
    counts,
    server: createServer((request, response) => {
      let body = "";
      request.setEncoding("utf8");
      request.on("data", (chunk: string) => {
        body += chunk;
      });
      request.on("end", () => handle(request, response, body));
    }),
  };
}

export interface ResponderProcess {
  url: string;
  child: ChildProcess;
  counts(): Promise<ResponderCounts>;
  stop(): Promise<void>;
}

/** Starts the responder in a child process (same tsx loader as the bench). */
export async function startResponderProcess(
  settings: Partial<ResponderSettings> = {},
): Promise<ResponderProcess> {
  const full: ResponderSettings = {
    delayMs: 0,
    storesPerTarget: 5,
    bigEvery: 0,
    bigStores: 0,
    ...settings,
  };
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      fileURLToPath(import.meta.url),
      `--delay-ms=${full.delayMs}`,
      `--stores=${full.storesPerTarget}`,
      `--big-every=${full.bigEvery}`,
      `--big-stores=${full.bigStores}`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  // A benchmark that fails exits at once; its server must not outlive it.
  const killChild = () => child.kill("SIGTERM");
  process.once("exit", killChild);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on("line", (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`responder exited with ${code}`)));
  });
  return {
    url,
    child,
    counts: async () => (await (await fetch(`${url}/__counts`)).json()) as ResponderCounts,
    stop: () =>
      new Promise((resolve) => {
        process.off("exit", killChild);
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      "delay-ms": { type: "string", default: "0" },
      stores: { type: "string", default: "5" },
      "big-every": { type: "string", default: "0" },
      "big-stores": { type: "string", default: "0" },
    },
  });
  const { server } = createResponder({
    delayMs: Number(values["delay-ms"]),
    storesPerTarget: Number(values.stores),
    bigEvery: Number(values["big-every"]),
    bigStores: Number(values["big-stores"]),
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`responder listening on http://127.0.0.1:${port}\n`);
  });
  process.once("SIGTERM", () => process.exit(0));
}
