import { createHash } from "node:crypto";
import bcrypt from "bcryptjs";

export type AuthResult = "ok" | "denied" | "busy";

/** Successful checks remembered, so a scrape every few seconds does not pay bcrypt each time. */
const CACHE_SIZE = 256;
/**
 * bcrypt is slow on purpose. A flood of wrong passwords must not starve the event loop, so
 * only this many uncached checks run at once; the rest get 429. Cached (known good)
 * credentials skip the queue, so Prometheus keeps scraping during such a flood.
 */
const MAX_PENDING_CHECKS = 4;

function cacheKey(user: string, hash: string, password: string): string {
  return createHash("sha256").update(`${user}\0${hash}\0${password}`).digest("hex");
}

/** Splits an `Authorization: Basic …` header; undefined if absent or malformed. */
export function parseBasicAuthorization(
  header: string | undefined,
): { user: string; password: string } | undefined {
  const match = /^basic +([A-Za-z0-9+/=]+) *$/i.exec(header ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** exporter-toolkit's basic_auth_users: user name → bcrypt hash. */
export class BasicAuth {
  readonly #users: ReadonlyMap<string, string>;
  /** An unknown user is checked against this, so the answer time does not say who exists. */
  readonly #decoy: string;
  readonly #verified = new Set<string>();
  #pending = 0;

  constructor(users: ReadonlyMap<string, string>) {
    this.#users = users;
    const cost = [...users.values()][0]?.slice(4, 6) ?? "10";
    this.#decoy = `$2b$${cost}$${"N".repeat(53)}`;
  }

  async check(header: string | undefined): Promise<AuthResult> {
    const credentials = parseBasicAuthorization(header);
    if (!credentials) return "denied";
    const hash = this.#users.get(credentials.user);
    const key = cacheKey(credentials.user, hash ?? this.#decoy, credentials.password);
    if (hash !== undefined && this.#verified.has(key)) return "ok";
    if (this.#pending >= MAX_PENDING_CHECKS) return "busy";
    this.#pending++;
    try {
      // bcryptjs compares the computed and stored hash in constant time.
      const matches = await bcrypt.compare(credentials.password, hash ?? this.#decoy);
      if (!matches || hash === undefined) return "denied";
      if (this.#verified.size >= CACHE_SIZE) this.#verified.clear();
      this.#verified.add(key);
      return "ok";
    } finally {
      this.#pending--;
    }
  }
}
