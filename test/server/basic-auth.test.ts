import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import {
  BasicAuth,
  bcryptCost,
  DEFAULT_AUTH_LIMITS,
  parseBasicAuthorization,
} from "../../src/server/basic-auth.js";

const header = (text: string) => `Basic ${Buffer.from(text).toString("base64")}`;

describe("basic auth", () => {
  it("parses the Authorization header; the password may hold colons", () => {
    expect(parseBasicAuthorization(header("u:p:q"))).toEqual({ user: "u", password: "p:q" });
    expect(parseBasicAuthorization(`bAsIc ${Buffer.from("u:").toString("base64")}`)).toEqual({
      user: "u",
      password: "",
    });
    for (const bad of [undefined, "", "Bearer x", "Basic", "Basic !!!", header("no-colon")]) {
      expect(parseBasicAuthorization(bad)).toBeUndefined();
    }
  });

  it("accepts the right password under $2y$, $2b$ and $2a$, and nothing else", async () => {
    const hash = bcrypt.hashSync("pw", 4);
    for (const prefix of ["$2y$", "$2b$", "$2a$"]) {
      const auth = new BasicAuth(new Map([["u", prefix + hash.slice(4)]]));
      expect(await auth.check(header("u:pw"))).toBe("ok");
      expect(await auth.check(header("u:pw "))).toBe("denied");
      expect(await auth.check(header("v:pw"))).toBe("denied");
      expect(await auth.check(undefined)).toBe("denied");
    }
  });

  it("caches a success so the next scrape does not pay bcrypt, and only a success", async () => {
    const hash = bcrypt.hashSync("pw", 4);
    let compared = 0;
    const compare = async (password: string, against: string) => {
      compared++;
      return bcrypt.compareSync(password, against);
    };
    const auth = new BasicAuth(new Map([["u", hash]]), { compare });
    expect([await auth.check(header("u:pw")), await auth.check(header("u:pw"))]).toEqual([
      "ok",
      "ok",
    ]);
    expect(compared).toBe(1);
    expect([await auth.check(header("u:nope")), await auth.check(header("u:nope"))]).toEqual([
      "denied",
      "denied",
    ]);
    expect(compared).toBe(3);
  });

  it("answers busy when too many uncached checks wait, but lets cached users through", async () => {
    const auth = new BasicAuth(new Map([["u", bcrypt.hashSync("pw", 8)]]));
    expect(await auth.check(header("u:pw"))).toBe("ok");
    const flood = Array.from({ length: 8 }, () => auth.check(header("u:wrong")));
    expect(await auth.check(header("u:wrong"))).toBe("busy");
    expect(await auth.check(header("u:pw"))).toBe("ok");
    expect(new Set(await Promise.all(flood))).toEqual(new Set(["denied", "busy"]));
  });

  it("checks an unknown user against a decoy at the highest cost among the users", () => {
    const users = new Map([
      ["cheap", bcrypt.hashSync("a", 5)],
      ["dear", bcrypt.hashSync("b", 10)],
      ["middle", bcrypt.hashSync("c", 6)],
    ]);
    expect(new BasicAuth(users).decoyCost).toBe(10);
    expect(bcryptCost(users.get("dear") as string)).toBe(10);
  });

  it("runs the decoy's bcrypt for an unknown user, as for a known one", async () => {
    const hashes: string[] = [];
    const compare = async (_password: string, hash: string) => {
      hashes.push(hash);
      return false;
    };
    const auth = new BasicAuth(new Map([["u", bcrypt.hashSync("pw", 4)]]), { compare });
    expect(await auth.check(header("nobody:pw"))).toBe("denied");
    expect(hashes).toHaveLength(1);
    expect(bcryptCost(hashes[0] as string)).toBe(4);
  });

  it("limits failed attempts per client address for a window; good credentials still pass", async () => {
    let now = 0;
    let compared = 0;
    const compare = async (password: string) => {
      compared++;
      return password === "pw";
    };
    const limits = { ...DEFAULT_AUTH_LIMITS, maxFailuresPerAddress: 3, failureWindowMs: 1_000 };
    const auth = new BasicAuth(new Map([["u", bcrypt.hashSync("pw", 4)]]), {
      compare,
      limits,
      now: () => now,
    });
    expect(await auth.check(header("u:pw"), "10.0.0.1")).toBe("ok");
    const attempts = [];
    for (let i = 0; i < 5; i++) attempts.push(await auth.check(header("u:x"), "10.0.0.1"));
    expect(attempts).toEqual(["denied", "denied", "denied", "busy", "busy"]);
    expect(compared).toBe(4);
    expect(await auth.check(header("u:x"), "10.0.0.2")).toBe("denied");
    expect(await auth.check(header("u:pw"), "10.0.0.1")).toBe("ok");
    now = 1_000;
    expect(await auth.check(header("u:x"), "10.0.0.1")).toBe("denied");
  });

  it("refuses base64 that Go's strict decoder refuses: bad padding, spaces, other alphabets", () => {
    const good = Buffer.from("u:pw").toString("base64");
    expect(good).toBe("dTpwdw==");
    expect(parseBasicAuthorization(`Basic ${good}`)).toEqual({ user: "u", password: "pw" });
    for (const bad of [
      "dTpwdw",
      "dTpwdw=",
      "dTpwdw===",
      "dTpwdw==dTpwdw==",
      "dTp wdw==",
      "dTpwdw-_",
    ]) {
      expect(parseBasicAuthorization(`Basic ${bad}`), bad).toBeUndefined();
    }
    expect(parseBasicAuthorization(`Basic  ${good}`)).toBeUndefined();
  });
});
