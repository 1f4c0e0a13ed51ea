import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitRevision, REVISION_VARIABLE } from "../../src/package/version.js";
import { CLI } from "../helpers/cli.js";
import { PACKAGE, ROOT, readText } from "./files.js";

const WRITE_REVISION = join(ROOT, "scripts", "write-revision.mjs");

/** Paths `npm pack` would put in the tarball. */
function packedFiles(): string[] {
  const output = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  const [pack] = JSON.parse(output) as { files: { path: string }[] }[];
  return (pack?.files ?? []).map((file) => file.path).sort();
}

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** What users need from the package: the exporter and the assets to deploy and watch it. */
const SHIPPED = [
  /^dist\//,
  /^scenarios\/[\w-]+\.yaml$/,
  /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|BENCHMARKS\.md)$/,
  /^deploy\/(kubernetes|iam|systemd)\//,
  /^deploy\/prometheus\/alerts\.yml$/,
  /^deploy\/web-config\.example\.yml$/,
  /^docs\/[\w-]+\.(md|png)$/,
  /^grafana\//,
];

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "test",
      GIT_AUTHOR_EMAIL: "test@example.com",
      GIT_COMMITTER_NAME: "test",
      GIT_COMMITTER_EMAIL: "test@example.com",
    },
  }).trim();
}

describe("release", () => {
  it("npm pack ships the exporter and the deployment assets, nothing else", () => {
    const files = packedFiles();
    expect(files.filter((path) => !SHIPPED.some((pattern) => pattern.test(path)))).toEqual([]);
    expect(files.filter((path) => /^dist\/bench\/|\.test\./.test(path))).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([
        "dist/cli.js",
        "scenarios/demo.yaml",
        "LICENSE",
        "CHANGELOG.md",
        // Sizing a deployment; docs/ links to it.
        "BENCHMARKS.md",
        "deploy/prometheus/alerts.yml",
        "deploy/web-config.example.yml",
        ...filesUnder("deploy/kubernetes"),
        ...filesUnder("deploy/iam"),
        ...filesUnder("deploy/systemd"),
        ...filesUnder("grafana"),
        ...filesUnder("docs"),
      ]),
    );
  });

  it("has a license matching package.json and a CHANGELOG entry for this version", () => {
    expect(PACKAGE.license).toBe("Apache-2.0");
    expect(readText(join(ROOT, "LICENSE"))).toMatch(/Apache License\s+Version 2\.0/);
    expect(readText(join(ROOT, "CHANGELOG.md"))).toMatch(
      new RegExp(`^## \\[${PACKAGE.version.replaceAll(".", "\\.")}\\]`, "m"),
    );
  });

  it("--version names the revision from KMS_EXPORTER_REVISION (as set in the image)", () => {
    const result = spawnSync(process.execPath, [CLI, "--version"], {
      encoding: "utf8",
      env: { ...process.env, [REVISION_VARIABLE]: "feedfacecafe" },
    });
    expect(result.stdout).toBe(
      `${PACKAGE.name} ${PACKAGE.version} (feedfacecafe) node ${process.version}\n`,
    );
  });

  describe("the revision baked in by the build (scripts/write-revision.mjs)", () => {
    const scratch = mkdtempSync(join(tmpdir(), "kms-exporter-git-"));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));
    const checkout = join(scratch, "checkout");
    const baked = join(scratch, "revision.json");
    let head = "";
    beforeAll(() => {
      mkdirSync(join(checkout, "node_modules", PACKAGE.name), { recursive: true });
      writeFileSync(join(checkout, "README.md"), "x\n");
      git(checkout, "init", "--quiet");
      git(checkout, "add", "README.md");
      git(checkout, "-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "x");
      head = git(checkout, "rev-parse", "--short=12", "HEAD");
    });

    /** Runs the build's step for a package root, then reads what the exporter would. */
    function bakeFor(root: string, env: NodeJS.ProcessEnv = {}): string {
      execFileSync(process.execPath, [WRITE_REVISION, root, baked]);
      return gitRevision(env, pathToFileURL(baked));
    }

    it("is the commit of a checkout of the package", () => {
      expect(bakeFor(checkout)).toBe(head);
    });

    it("is the variable's value when set, even in a checkout", () => {
      expect(bakeFor(checkout, { [REVISION_VARIABLE]: "abc" })).toBe("abc");
    });

    it("is empty for a package installed inside another project's checkout", () => {
      expect(bakeFor(join(checkout, "node_modules", PACKAGE.name))).toBe("");
    });

    it("is empty outside any checkout", () => {
      expect(bakeFor(tmpdir())).toBe("");
    });

    it("is empty when the build wrote none (running from src/)", () => {
      expect(gitRevision({}, pathToFileURL(join(scratch, "absent.json")))).toBe("");
    });

    it("is what the build baked into dist/, read by the built CLI", () => {
      const { revision } = JSON.parse(readText("dist/revision.json")) as { revision: string };
      const result = spawnSync(process.execPath, [CLI, "--version"], {
        encoding: "utf8",
        env: { ...process.env, [REVISION_VARIABLE]: "" },
      });
      expect(result.stdout).toBe(
        `${PACKAGE.name} ${PACKAGE.version}${revision ? ` (${revision})` : ""} node ${process.version}\n`,
      );
    });
  });
});
