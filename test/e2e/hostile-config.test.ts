import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_CONFIG_FILE_BYTES } from "../../src/config/source.js";
import { runCli } from "../helpers/cli.js";

/** Config files as an attacker (or a careless generator) writes them: exit 2, a message, no stack. */
const dir = mkdtempSync(join(tmpdir(), "kms-hostile-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A "billion laughs": nine levels of nine aliases each, 387 million strings once expanded. */
function billionLaughs(): string {
  const lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  const names = "abcdefghi";
  for (let level = 1; level < names.length; level++) {
    const previous = `*${names[level - 1]}`;
    lines.push(`${names[level]}: &${names[level]} [${Array(9).fill(previous).join(", ")}]`);
  }
  return `${lines.join("\n")}\n`;
}

async function expectRefused(args: string[], message: RegExp): Promise<void> {
  const result = await runCli([...args, "--config.check"], { AWS_REGION: "us-east-1" });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/TypeError|ReferenceError/);
}

describe("hostile config files", () => {
  it.each(["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"])(
    "refuses a top-level %s key as an unknown key",
    async (key) => {
      const path = file(`${key}.yml`, `regions: [us-east-1]\n${key}: 1\n`);
      await expectRefused([`--config.file=${path}`], new RegExp(`${key}: unknown key`));
    },
  );

  it("refuses a billion-laughs config by its alias count", async () => {
    const path = file("laughs.yml", `${billionLaughs()}regions: [us-east-1]\n`);
    await expectRefused([`--config.file=${path}`], /invalid YAML: .*at most 100 aliases/);
  });

  it("refuses a billion-laughs web config by its alias count", async () => {
    const path = file("web-laughs.yml", billionLaughs());
    await expectRefused([`--web.config.file=${path}`], /--web\.config\.file .*alias/);
  });

  it("refuses a config file over 1 MiB before parsing it", async () => {
    const regions = "- us-east-1\n".repeat(Math.ceil(MAX_CONFIG_FILE_BYTES / 12) + 1);
    const path = file("huge.yml", `regions:\n${regions}`);
    await expectRefused([`--config.file=${path}`], /the limit is 1048576 \(1 MiB\)/);
  });

  it("refuses 100,000 regions by the limit of a list, not by checking each", async () => {
    const path = file("regions.yml", `regions: [${Array(100_000).fill("us-east-1").join(",")}]\n`);
    await expectRefused(
      [`--config.file=${path}`],
      /regions: too many regions in one list: at most 64/,
    );
  });

  it.each([
    ["^(?!dev-)", /look-arounds .* are not supported in RE2 syntax/],
    ["(prod)-\\1", /back-references .* are not supported in RE2 syntax/],
  ])("explains why RE2 refuses the store pattern %s", async (pattern, why) => {
    const path = file("pattern.yml", `regions: [us-east-1]\nstores: {include: ['${pattern}']}\n`);
    await expectRefused([`--config.file=${path}`], why);
  });
});
