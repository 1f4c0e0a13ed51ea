import { describe, expect, it } from "vitest";
import { type DeflatedPart, deflatePart, inflatePartSync } from "../../src/metrics/gzip-splice.js";
import { Part } from "../../src/metrics/part.js";

const TEXT = Buffer.from('aws_kms_custom_key_store_info{account_id="1"} 1\n'.repeat(100));

describe("Part", () => {
  it("keeps its bytes beside the compressed form, made when first asked for", async () => {
    const calls: Buffer[] = [];
    const part = new Part(TEXT);
    const deflate = (bytes: Buffer) => {
      calls.push(bytes);
      return deflatePart(bytes);
    };
    const first = part.deflated(deflate);
    expect(part.deflated(deflate)).toBe(first);
    expect(inflatePartSync(await first)).toEqual(TEXT);
    expect(calls).toEqual([TEXT]);
    expect(part.bytes()).toBe(TEXT);
  });

  it("compressed at rest, holds only the compressed form and inflates the bytes", async () => {
    const calls: Buffer[] = [];
    const part = new Part(TEXT, true);
    const compressed = await part.deflated(async (bytes) => {
      calls.push(bytes);
      return deflatePart(bytes);
    });
    // Compressed when made: the scrape's compressor has nothing left to do.
    expect(calls).toEqual([]);
    expect(inflatePartSync(compressed)).toEqual(TEXT);
    expect(part.bytes()).not.toBe(TEXT);
    expect(part.bytes()).toEqual(TEXT);
    expect(part.length).toBe(TEXT.length);
  });

  it("compresses again after a failure", async () => {
    let fail = true;
    const deflate = (bytes: Buffer): Promise<DeflatedPart> =>
      fail ? Promise.reject(new Error("zlib broke")) : deflatePart(bytes);
    const part = new Part(TEXT);
    await expect(part.deflated(deflate)).rejects.toThrow("zlib broke");
    fail = false;
    expect(inflatePartSync(await part.deflated(deflate))).toEqual(TEXT);
  });
});
