import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { BasicAuth, parseBasicAuthorization } from "../../src/server/basic-auth.js";

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
    const auth = new BasicAuth(new Map([["u", bcrypt.hashSync("pw", 8)]]));
    const timed = async (text: string) => {
      const started = performance.now();
      const result = await auth.check(header(text));
      return { result, ms: performance.now() - started };
    };
    const first = await timed("u:pw");
    const cached = await timed("u:pw");
    expect(first.result).toBe("ok");
    expect(cached.result).toBe("ok");
    expect(cached.ms).toBeLessThan(first.ms / 5);
    const wrong = [await timed("u:nope"), await timed("u:nope")];
    expect(wrong.map((w) => w.result)).toEqual(["denied", "denied"]);
    expect(wrong[1]?.ms).toBeGreaterThan(cached.ms * 5);
  });

  it("answers busy when too many uncached checks run at once, but lets cached users through", async () => {
    const auth = new BasicAuth(new Map([["u", bcrypt.hashSync("pw", 8)]]));
    expect(await auth.check(header("u:pw"))).toBe("ok");
    const flood = Array.from({ length: 8 }, () => auth.check(header("u:wrong")));
    expect(await auth.check(header("u:wrong"))).toBe("busy");
    expect(await auth.check(header("u:pw"))).toBe("ok");
    expect(new Set(await Promise.all(flood))).toEqual(new Set(["denied", "busy"]));
  });
});
