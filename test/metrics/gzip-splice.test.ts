import { crc32, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { deflatePart, inflatePartSync, stitchGzip } from "../../src/metrics/gzip-splice.js";

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

  it("combines the parts' CRC-32s into the CRC-32 of the whole", async () => {
    const cases = [
      ["", "abc"],
      ["abc", ""],
      ["hello, ", "world"],
      ["x".repeat(1_000_003), "y".repeat(65_537)],
    ] as const;
    for (const [a, b] of cases) {
      const parts = [await deflatePart(Buffer.from(a)), await deflatePart(Buffer.from(b))];
      const body = Buffer.concat(stitchGzip(parts));
      expect(body.readUInt32LE(body.length - 8)).toBe(crc32(a + b));
    }
  });

  it("keeps a small part in a buffer of its size, not in zlib's output chunk", async () => {
    const part = await deflatePart(Buffer.from("up 1\n".repeat(100)));
    expect(part.deflated.length).toBeLessThan(100);
    expect(part.deflated.buffer.byteLength).toBe(part.deflated.length);
  });

  it("inflates each part alone, small and large", async () => {
    for (const text of ["up 1\n", "x".repeat(200_000)]) {
      expect(inflatePartSync(await deflatePart(Buffer.from(text))).toString()).toBe(text);
    }
  });
});
