import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ConnectionErrorCodeType } from "@aws-sdk/client-kms";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/package/version.js";
import { ERROR_CODE_HELP } from "../../src/status/error-codes.js";

const run = promisify(execFile);
const GENERATOR = join(PACKAGE_ROOT, "scripts/generate-error-codes.mjs");

describe("src/status/error-codes.ts", () => {
  it("is what the generator makes of docs/runbooks.md (run `npm run generate` after editing it)", async () => {
    const { stdout } = await run(process.execPath, [GENERATOR, "--output=-"]);
    expect(readFileSync(join(PACKAGE_ROOT, "src/status/error-codes.ts"), "utf8")).toBe(stdout);
  });

  it("explains every ConnectionErrorCode the KMS API defines, meaning and fix", () => {
    const codes = Object.values(ConnectionErrorCodeType);
    expect(Object.keys(ERROR_CODE_HELP).sort()).toEqual([...codes].sort());
    for (const code of codes) {
      const help = ERROR_CODE_HELP[code];
      expect(help?.meaning.length, code).toBeGreaterThan(0);
      // A complete sentence, not the lead-in to a code block.
      expect(help?.fix, code).toMatch(/[.)]$/);
    }
  });

  it("keeps the runbook's words: each meaning and fix is in docs/runbooks.md", () => {
    const runbook = readFileSync(join(PACKAGE_ROOT, "docs/runbooks.md"), "utf8").replace(
      /\s+/g,
      " ",
    );
    for (const help of Object.values(ERROR_CODE_HELP)) {
      for (const block of [...help.meaning, help.fix].flat()) expect(runbook).toContain(block);
    }
  });
});
