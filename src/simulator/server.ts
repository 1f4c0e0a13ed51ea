import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type CallRecord, dispatch } from "./dispatch.js";
import type { Outcome } from "./outcome.js";
import { mulberry32 } from "./random.js";
import type { AccountSpec, AccountStatus, KeySpec, Scenario, StoreSpec } from "./scenario.js";
import { World } from "./world.js";

export interface SimulatorOptions {
  scenario: Scenario;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. Only loopback addresses are accepted: the fake's credentials are public. */
  host?: string;
  /**
   * Wall clock (ms) for credential expiry times, default Date.now: clients compare them with
   * their own clock, so a test that moves the exporter's clock moves this one with it.
   */
  wallClock?: () => number;
  /** Clock (ms) for store timelines and call records; default Date.now. */
  now?: () => number;
  /** Source for probabilistic faults; default mulberry32(scenario.seed), else Math.random. */
  random?: () => number;
}

/** A key entry with the scenario's defaults optional (count 1, Enabled, DescribeKey allowed). */
export type KeyInput = Partial<Pick<KeySpec, "count" | "state" | "denyDescribeKey">> &
  Omit<KeySpec, "count" | "state" | "denyDescribeKey">;

export interface Simulator {
  readonly url: string;
  readonly port: number;
  readonly calls: readonly CallRecord[];
  callCount(filter?: { operation?: string; accountId?: string; region?: string }): number;
  /** Replaces one account × region's stores; creates the target when the scenario had none. */
  setStores(accountId: string, region: string, stores: StoreSpec[]): void;
  /** Replaces one account × region's KMS keys (entries as in the scenario's `keys`). */
  setKeys(accountId: string, region: string, keys: KeyInput[]): void;
  /**
   * Replaces the whole member list (ListAccounts, AssumeRole targets) and every target's
   * stores, as if the scenario's `accounts` had been these. Targets kept by id keep their
   * call counters and rate-limit buckets; stores set with setStores are replaced.
   */
  setAccounts(accounts: readonly AccountSpec[]): void;
  /** Changes one member's Organizations status; throws for an account the simulator lacks. */
  setAccountStatus(accountId: string, status: AccountStatus): void;
  close(): Promise<void>;
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function send(response: ServerResponse, outcome: Extract<Outcome, { reply: unknown }>): void {
  const { status, headers, body } = outcome.reply;
  response.writeHead(status, { ...headers, "Content-Length": Buffer.byteLength(body) });
  response.end(body);
}

function matches(
  record: CallRecord,
  filter: Partial<Record<"operation" | "accountId" | "region", string>>,
) {
  return (
    (filter.operation === undefined || record.operation === filter.operation) &&
    (filter.accountId === undefined || record.accountId === filter.accountId) &&
    (filter.region === undefined || record.region === filter.region)
  );
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.test(host)) {
    throw new Error(`simulator host must be a loopback address, not ${host}`);
  }
  const { scenario } = options;
  const now = options.now ?? Date.now;
  const wallClock = options.wallClock ?? Date.now;
  const random =
    options.random ?? (scenario.seed !== undefined ? mulberry32(scenario.seed) : Math.random);
  const world = new World(scenario, randomBytes(6).toString("hex"));
  const startedAt = now();
  const calls: CallRecord[] = [];
  const pendingReplies = new Set<NodeJS.Timeout>();

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const at = now();
    const { outcome, facts } = await dispatch(
      { method: request.method ?? "GET", url: request.url ?? "/", headers: request.headers, body },
      world,
      { elapsedMs: at - startedAt, wallClockMs: wallClock(), random },
    );
    const status = "reply" in outcome ? outcome.reply.status : 0;
    calls.push({ ...facts, status, at });
    if ("drop" in outcome) {
      // A hung request keeps its socket until close(); a reset sends a TCP RST.
      if (outcome.drop === "reset") request.socket.resetAndDestroy();
      return;
    }
    if (outcome.delayMs === undefined) {
      send(response, outcome);
      return;
    }
    const timer = setTimeout(() => {
      pendingReplies.delete(timer);
      if (!response.destroyed) send(response, outcome);
    }, outcome.delayMs);
    pendingReplies.add(timer);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    calls,
    callCount: (filter = {}) => calls.filter((record) => matches(record, filter)).length,
    setStores: (accountId, region, stores) => world.setStores(accountId, region, stores),
    setKeys: (accountId, region, keys) =>
      world.setKeys(
        accountId,
        region,
        keys.map((key) => ({ count: 1, state: "Enabled", denyDescribeKey: false, ...key })),
      ),
    setAccounts: (accounts) => world.setAccounts(accounts),
    setAccountStatus: (accountId, status) => world.setAccountStatus(accountId, status),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of pendingReplies) clearTimeout(timer);
        pendingReplies.clear();
        server.close(() => resolve());
        // Keep-alive and hung sockets would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
