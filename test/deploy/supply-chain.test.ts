import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE, ROOT } from "./files.js";

interface LockEntry {
  version?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
}

const LOCK = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
};

describe("supply chain", () => {
  it("the lockfile pins every package to a version and a sha512 integrity hash", () => {
    expect(LOCK.lockfileVersion).toBe(3);
    const entries = Object.entries(LOCK.packages).filter(
      ([path, entry]) => path !== "" && !entry.link,
    );
    expect(entries.length).toBeGreaterThan(0);
    const loose = entries
      .filter(
        ([, entry]) => !entry.version || !/^sha512-[A-Za-z0-9+/]+=*$/.test(entry.integrity ?? ""),
      )
      .map(([path]) => path);
    expect(loose).toEqual([]);
    for (const name of Object.keys(PACKAGE.dependencies)) {
      expect(LOCK.packages[`node_modules/${name}`]?.dev, name).toBeUndefined();
    }
  });

  it("keeps the runtime dependency tree small", () => {
    // npm ls walks the installed tree; the count is what `npm ci --omit=dev` installs.
    const runtime = new Set(
      execFileSync("npm", ["ls", "--omit=dev", "--all", "--parseable"], {
        cwd: ROOT,
        encoding: "utf8",
      })
        .trim()
        .split("\n")
        .slice(1)
        .map((path) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length)),
    );
    // 65 packages on 2026-12-01, two thirds of them the AWS SDK; a jump means a new
    // dependency that should be questioned (and this bound moved on purpose).
    expect(runtime.size).toBeLessThanOrEqual(75);
  });
});
