import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { GzipParts } from "../../src/metrics/gzip-parts.js";
import { type DeflatedPart, deflatePart } from "../../src/metrics/gzip-splice.js";
import { Part } from "../../src/metrics/part.js";

describe("GzipParts", () => {
  it("compresses each part once while it lives, and at most four at a time", async () => {
    let running = 0;
    let most = 0;
    const compressed: Buffer[] = [];
    const gzip = new GzipParts(async (data): Promise<DeflatedPart> => {
      compressed.push(data);
      running++;
      most = Math.max(most, running);
      try {
        return await deflatePart(data);
      } finally {
        running--;
      }
    });
    const texts = Array.from({ length: 20 }, (_, index) => Buffer.from(`line ${index}\n`));
    const parts = texts.map((text) => new Part(text));
    const first = await gzip.body(parts);
    expect(gunzipSync(Buffer.concat(first)).toString()).toBe(Buffer.concat(texts).toString());
    expect(compressed).toHaveLength(20);
    expect(most).toBeLessThanOrEqual(4);
    const changed = Buffer.from("changed\n");
    const second = await gzip.body([...parts.slice(0, 19), new Part(changed)]);
    expect(compressed.slice(20)).toEqual([changed]);
    expect(gunzipSync(Buffer.concat(second)).toString()).toContain("line 18\nchanged\n");
  });
});
