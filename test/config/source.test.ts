import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readConfigSource, readProblem } from "../../src/config/source.js";

const dir = mkdtempSync(join(tmpdir(), "kms-source-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function parse(text: string) {
  return readConfigSource("c.yml", () => text);
}

describe("readConfigSource", () => {
  it("parses YAML; an empty file is an empty mapping", () => {
    expect(parse("interval: 1m\nregions: [us-east-1]\n")).toEqual({
      value: { interval: "1m", regions: ["us-east-1"] },
      problems: [],
    });
    expect(parse("")).toEqual({ value: {}, problems: [] });
    expect(parse("# only a comment\n")).toEqual({ value: {}, problems: [] });
  });

  it("gives line, column, the message without yaml's trailing colon, and the line", () => {
    const { problems } = parse("interval: 1m\naccounts:\n  - name: a\n   bad: b\n");
    expect(problems).toHaveLength(1);
    const [first, source, caret] = (problems[0] ?? "").split("\n");
    expect(first).toMatch(/^c\.yml: line 4, column \d+: invalid YAML: [a-z][^\n]*[^:]$/);
    expect(source).toBe("  4 |    bad: b");
    expect(caret).toMatch(/^ {4}\| +\^$/);
  });

  it("points at the end of the last line for a bracket left open at the end of the file", () => {
    const { problems } = parse("regions: [us-east-1,\n\n\n");
    expect(problems[0]?.split("\n")).toEqual([
      expect.stringMatching(/^c\.yml: line 1, column 21: invalid YAML: /),
      "  1 | regions: [us-east-1,",
      `    | ${" ".repeat(20)}^`,
    ]);
  });

  it("lines up the caret under a wide line number", () => {
    const text = `${"# c\n".repeat(11)}a: 1\na: 2\n`;
    expect(parse(text).problems[0]?.split("\n").slice(1)).toEqual(["  13 | a: 2", "     | ^"]);
  });

  it("reports every YAML error, not only the first", () => {
    expect(parse("a: 1\na: 2\nb: 1\nb: 2\n").problems).toHaveLength(2);
  });

  it("says why a file cannot be read, in words", () => {
    expect(readConfigSource(join(dir, "none.yml")).problems).toEqual([
      `--config.file: cannot read ${join(dir, "none.yml")}: no such file`,
    ]);
    expect(readConfigSource(dir).problems).toEqual([
      `--config.file: cannot read ${dir}: is a directory, not a file`,
    ]);
    const file = join(dir, "file.yml");
    writeFileSync(file, "interval: 1m\n");
    expect(readConfigSource(join(file, "below.yml")).problems).toEqual([
      `--config.file: cannot read ${join(file, "below.yml")}: a part of the path is not a directory`,
    ]);
  });

  it.skipIf(process.getuid?.() === 0)("says so when the file is not readable", () => {
    const file = join(dir, "secret.yml");
    writeFileSync(file, "interval: 1m\n");
    chmodSync(file, 0o000);
    expect(readConfigSource(file).problems).toEqual([
      `--config.file: cannot read ${file}: permission denied: the exporter's user cannot read it`,
    ]);
  });

  it("falls back to the system's message for a rare error", () => {
    expect(readProblem("c.yml", Object.assign(new Error("EIO: i/o error"), { code: "EIO" }))).toBe(
      "--config.file: cannot read c.yml: EIO: i/o error",
    );
  });
});
