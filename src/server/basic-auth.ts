import { createHash } from "node:crypto";
import { type Compare, compareInWorker } from "./bcrypt-worker.js";

export type AuthResult = "ok" | "denied" | "busy";

/** Successful checks remembered, so a scrape every few seconds does not pay bcrypt each time. */
const CACHE_SIZE = 256;

export interface AuthLimits {
  /**
   * Uncached checks waiting for or running bcrypt; beyond them a client gets 429. Cached (known
   * good) credentials skip the queue, so Prometheus keeps scraping during a flood.
   */
  maxPendingChecks: number;
  /** Failed attempts one client address may make per window; beyond them it gets 429. */
  maxFailuresPerAddress: number;
  failureWindowMs: number;
  /** Client addresses remembered; the oldest is forgotten beyond this. */
  maxTrackedAddresses: number;
}

export const DEFAULT_AUTH_LIMITS: AuthLimits = {
  maxPendingChecks: 4,
  maxFailuresPerAddress: 10,
  failureWindowMs: 60_000,
  maxTrackedAddresses: 10_000,
};

function cacheKey(user: string, hash: string, password: string): string {
  return createHash("sha256").update(`${user}\0${hash}\0${password}`).digest("hex");
}

/** The cost factor of a bcrypt hash ($2b$10$… → 10). */
export function bcryptCost(hash: string): number {
  return Number(hash.slice(4, 6));
}

/** Standard base64 with its padding, as Go's base64.StdEncoding decodes it. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Splits an `Authorization: Basic …` header; undefined if absent or malformed. As Go's
 * Request.BasicAuth: "Basic" in any case, one space, strict base64 (padding included).
 */
export function parseBasicAuthorization(
  header: string | undefined,
): { user: string; password: string } | undefined {
  const match = /^basic (.+)$/i.exec(header ?? "");
  const encoded = match?.[1];
  if (!encoded || !BASE64.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** exporter-toolkit's basic_auth_users: user name → bcrypt hash. */
export class BasicAuth {
  readonly #users: ReadonlyMap<string, string>;
  /**
   * An unknown user is checked against this, at the highest cost among the users, so the
   * answer time does not say who exists.
   */
  readonly #decoy: string;
  readonly #verified = new Set<string>();
  readonly #compare: Compare;
  readonly #limits: AuthLimits;
  readonly #now: () => number;
  /** Per client address: failures in the current window and when it started. */
  readonly #failures = new Map<string, { count: number; since: number }>();
  #pending = 0;

  constructor(
    users: ReadonlyMap<string, string>,
    options: { compare?: Compare; limits?: AuthLimits; now?: () => number } = {},
  ) {
    this.#users = users;
    const cost = Math.max(4, ...[...users.values()].map(bcryptCost));
    this.#decoy = `$2b$${String(cost).padStart(2, "0")}$${"N".repeat(53)}`;
    this.#compare = options.compare ?? compareInWorker;
    this.#limits = options.limits ?? DEFAULT_AUTH_LIMITS;
    this.#now = options.now ?? Date.now;
  }

  /** The decoy hash's cost: the highest among the users. */
  get decoyCost(): number {
    return bcryptCost(this.#decoy);
  }

  #failedRecently(address: string): boolean {
    const entry = this.#failures.get(address);
    if (!entry) return false;
    if (this.#now() - entry.since >= this.#limits.failureWindowMs) {
      this.#failures.delete(address);
      return false;
    }
    return entry.count >= this.#limits.maxFailuresPerAddress;
  }

  #recordFailure(address: string): void {
    const entry = this.#failures.get(address);
    if (entry) {
      entry.count++;
      return;
    }
    if (this.#failures.size >= this.#limits.maxTrackedAddresses) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
    this.#failures.set(address, { count: 1, since: this.#now() });
  }

  async check(header: string | undefined, address = ""): Promise<AuthResult> {
    const credentials = parseBasicAuthorization(header);
    if (!credentials) return "denied";
    const hash = this.#users.get(credentials.user);
    const key = cacheKey(credentials.user, hash ?? this.#decoy, credentials.password);
    if (hash !== undefined && this.#verified.has(key)) return "ok";
    if (this.#failedRecently(address)) return "busy";
    if (this.#pending >= this.#limits.maxPendingChecks) return "busy";
    this.#pending++;
    try {
      // bcryptjs compares the computed and stored hash in constant time.
      const matches = await this.#compare(credentials.password, hash ?? this.#decoy);
      if (!matches || hash === undefined) {
        this.#recordFailure(address);
        return "denied";
      }
      if (this.#verified.size >= CACHE_SIZE) this.#verified.clear();
      this.#verified.add(key);
      return "ok";
    } finally {
      this.#pending--;
    }
  }
}
