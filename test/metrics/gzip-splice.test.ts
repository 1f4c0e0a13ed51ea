import { crc32, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32Combine, deflatePart, stitchGzip } from "../../src/metrics/gzip-splice.js";

describe("gzip splice", () => {
  it("makes one gzip member of parts compressed apart", async () => {
    const texts = ["a".repeat(100_000), "ü€\n", "", "x".repeat(70_000), "tail 1\n"];
    const parts = await Promise.all(texts.map((text) => deflatePart(Buffer.from(text))));
    const body = Buffer.concat(stitchGzip(parts));
    expect(gunzipSync(body).toString("utf8")).toBe(texts.join(""));
    // One member: the length in the trailer covers every part.
    expect(body.readUInt32LE(body.length - 4)).toBe(Buffer.byteLength(texts.join("")));
  });

  it("makes a valid empty body of no parts", () => {
    expect(gunzipSync(Buffer.concat(stitchGzip([]))).length).toBe(0);
  });

  it("combines CRC-32s as a CRC-32 of the whole would be", () => {
    const cases = [
      ["", "abc"],
      ["abc", ""],
      ["hello, ", "world"],
      ["x".repeat(1_000_003), "y".repeat(65_537)],
    ] as const;
    for (const [a, b] of cases) {
      expect(crc32Combine(crc32(a), crc32(b), Buffer.byteLength(b))).toBe(crc32(a + b));
    }
  });
});
