import { readFileSync } from "node:fs";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { parseWebConfig } from "../../src/server/web-config.js";
import { PACKAGE, ROOT } from "./files.js";

const EXAMPLE = join(ROOT, "deploy/web-config.example.yml");

describe("deploy/web-config.example.yml", () => {
  it("is a valid web config with mTLS and basic auth, and ships in the package", () => {
    const config = parseWebConfig(readFileSync(EXAMPLE, "utf8"), EXAMPLE);
    expect(config.tls).toMatchObject({
      clientAuth: "RequireAndVerifyClientCert",
      minVersion: "TLSv1.2",
      certFile: join(ROOT, "deploy/server.crt"),
    });
    const hash = config.users.get("prometheus") as string;
    expect(hash).toMatch(/^\$2y\$10\$/);
    // The comment says which password it is; it must be true.
    expect(bcrypt.compareSync("change-me", hash)).toBe(true);
    expect(PACKAGE.files).toContain("deploy/web-config.example.yml");
  });
});
