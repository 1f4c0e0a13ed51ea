import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { logFailure } from "../../src/log/failure.js";

describe("logFailure", () => {
  it("warns on a change and writes debug while it repeats", () => {
    const lines: Array<{ level: number; msg: string; error: string }> = [];
    const logger = pino(
      { level: "debug" },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    );
    logFailure(logger, true, { error: "A" }, "failed");
    logFailure(logger, false, { error: "A" }, "failed");
    expect(lines.map((line) => [pino.levels.labels[line.level], line.error, line.msg])).toEqual([
      ["warn", "A", "failed"],
      ["debug", "A", "failed"],
    ]);
  });
});
