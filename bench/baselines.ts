import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DescribeCustomKeyStoresCommand, KMSClient } from "@aws-sdk/client-kms";
import { NodeHttpHandler } from "@smithy/node-http-handler";

/**
 * What each benchmark compares the exporter with, measured in the same run against the
 * same server: the SDK with nothing of ours around it, plain keep-alive HTTP (the runtime's
 * limit, and so the server's), and a static server for scrapes.
 */

/** `calls` calls with `concurrency` in flight, each started when one ends; calls/s. */
async function closedLoop(
  calls: number,
  concurrency: number,
  call: (index: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, calls) }, async () => {
      while (next < calls) await call(next++);
    }),
  );
  return calls / ((performance.now() - started) / 1000);
}

/** The baseline: a plain loop of KMSClient.send, 4 clients, one keep-alive pool. */
export async function sdkLoop(
  url: string,
  calls: number,
  concurrency = 64,
  clientCount = 4,
): Promise<number> {
  const requestHandler = new NodeHttpHandler({
    httpAgent: { keepAlive: true, maxSockets: concurrency },
  });
  const clients = Array.from(
    { length: clientCount },
    (_, index) =>
      new KMSClient({
        region: "us-east-1",
        endpoint: url,
        requestHandler,
        maxAttempts: 1,
        credentials: {
          accessKeyId: `ASIA${String(900_000_000_000 + index)}`,
          secretAccessKey: "bench",
        },
      }),
  );
  const send = (index: number) =>
    (clients[index % clientCount] as KMSClient).send(
      new DescribeCustomKeyStoresCommand({ Limit: 1000 }),
    );
  // Warm the clients, connections and the JIT first, as in a loop that has run a while: the
  // figure is the SDK's steady speed, not its start-up.
  await closedLoop(Math.min(calls, 2_000), concurrency, send);
  const rate = await closedLoop(calls, concurrency, send);
  requestHandler.destroy();
  return rate;
}

/** The same request as the SDK's, over keep-alive http.request: the runtime's limit. */
export async function httpLoop(url: string, calls: number, concurrency = 64): Promise<number> {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const body = '{"Limit":1000}';
  const headers = {
    "Content-Type": "application/x-amz-json-1.1",
    "X-Amz-Target": "TrentService.DescribeCustomKeyStores",
    Authorization:
      "AWS4-HMAC-SHA256 Credential=ASIA900000000000/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0",
    "Content-Length": Buffer.byteLength(body),
  };
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const req = request({ hostname, port, method: "POST", path: "/", agent, headers }, (res) => {
        res.resume();
        res.on("end", resolve);
      });
      req.on("error", reject);
      req.end(body);
    });
  await once();
  const rate = await closedLoop(calls, concurrency, once);
  agent.destroy();
  return rate;
}

/** Serves fixed bytes as /metrics would (same content type), for the scrape baseline. */
export async function staticServer(body: Buffer): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, {
      "Content-Type": "text/plain; version=0.0.4; charset=utf-8",
      "Content-Length": body.length,
    });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

/** One scrape over a keep-alive socket, the body read and dropped; milliseconds. */
export function scrapeOnce(url: string, agent: Agent, gzip = false): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { agent, headers: gzip ? { "Accept-Encoding": "gzip" } : {} },
      (response) => {
        response.resume();
        response.on("end", () => resolve(performance.now() - started));
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) => {
      // A kept-alive socket that the server closed as the request went out (Node's
      // documented race): the request never reached it, so it is sent again.
      if (req.reusedSocket && error.code === "ECONNRESET") {
        scrapeOnce(url, agent, gzip).then(resolve, reject);
      } else reject(error);
    });
    req.end();
  });
}

/** `count` scrapes one after the other, `gapMs` apart; sorted latencies. */
export async function scrapeSeries(
  url: string,
  count: number,
  options: { gapMs?: number; gzip?: boolean; until?: () => boolean } = {},
): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  for (let index = 0; index < count && !(options.until?.() ?? false); index++) {
    latencies.push(await scrapeOnce(url, agent, options.gzip));
    if (options.gapMs) await new Promise((resolve) => setTimeout(resolve, options.gapMs));
  }
  agent.destroy();
  return latencies.sort((a, b) => a - b);
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
