import { describe, expect, it } from "vitest";
import { clip, clipStrings } from "../../src/log/clip.js";
import { createLogger } from "../../src/log/logger.js";

describe("clip", () => {
  it("keeps a value of up to 256 characters, and cuts a longer one saying its length", () => {
    expect(clip("a".repeat(256))).toBe("a".repeat(256));
    expect(clip("a".repeat(257))).toBe(`${"a".repeat(256)}… (257 characters)`);
    expect(clip("abcdef", 3)).toBe("abc… (6 characters)");
  });
});

describe("clipStrings", () => {
  it("clips every string value however deep, stacks at 4 KiB, and leaves other values", () => {
    const long = "x".repeat(10_000);
    const clipped = clipStrings({
      a: long,
      n: 5,
      nested: { b: [long, 1, null], stack: long },
    }) as { a: string; n: number; nested: { b: unknown[]; stack: string } };
    expect(clipped.a).toBe(`${"x".repeat(256)}… (10000 characters)`);
    expect(clipped.n).toBe(5);
    expect(clipped.nested.b).toEqual([`${"x".repeat(256)}… (10000 characters)`, 1, null]);
    expect(clipped.nested.stack).toBe(`${"x".repeat(4_096)}… (10000 characters)`);
  });
});

describe("createLogger with huge values", () => {
  it.each(["json", "logfmt"] as const)("%s: a line stays under 4 KiB", (format) => {
    const lines: string[] = [];
    const logger = createLogger("info", format, {
      write: (line: string) => lines.push(line),
    } as unknown as NodeJS.WritableStream);
    const huge = "n".repeat(1024 * 1024);
    logger.info({ custom_key_store_name: huge, error: { message: huge } }, `store ${huge}`);
    logger.warn(`only a message ${huge}`);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.length).toBeLessThan(4_096);
    expect(lines[0]).toContain("(1048576 characters)");
    expect(lines[1]).toContain("(1048591 characters)");
  });
});
