import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log/logger.js";
import { role, runExporter, waitUntilReady } from "../helpers/exporter.js";
import { until } from "../helpers/wait.js";

const A = "111111111111";

describe("log lines from hostile answers", () => {
  it("stay under 4 KiB, and 30 new stores make one summary line", async () => {
    const lines: string[] = [];
    const logger = createLogger("debug", "json", {
      write: (line: string) => lines.push(line),
    } as unknown as NodeJS.WritableStream);
    const { app, simulator } = await runExporter(
      `accounts:
  - id: "${A}"
    regions:
      - region: us-east-1
        stores: [{id: cks-00000000000000001, name: a, state: CONNECTED}]
        faults: [{kind: huge-error-name, calls: [2]}, {kind: huge-name, calls: [3]}]
`,
      // Room for a 1 MiB answer to arrive and be parsed on a busy machine.
      { accounts: [{ roleArn: role(A) }], intervalMs: 500, timeoutMs: 450 },
      logger,
    );
    await waitUntilReady(app);
    await until(() => simulator.callCount({ operation: "DescribeCustomKeyStores" }) >= 4);
    simulator.setStores(
      A,
      "us-east-1",
      Array.from({ length: 30 }, (_, index) => ({
        id: `cks-${String(index + 2).padStart(17, "0")}`,
        name: `new-${index}`,
        state: "CONNECTED",
      })),
    );
    await until(() => lines.some((line) => line.includes('"new":30')));
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.some((line) => String(line.message).includes("(1048576 characters)"))).toBe(true);
    expect(parsed.filter((line) => line.to === "(new)" || line.to === "(gone)")).toEqual([]);
    expect(parsed.filter((line) => line.new === 30)).toEqual([
      expect.objectContaining({ gone: 1, account_id: A }),
    ]);
    for (const line of lines) expect(line.length).toBeLessThan(4_096);
  });
});
