import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { Bodies } from "../../src/metrics/bodies.js";
import { type DeflatedPart, deflatePart } from "../../src/metrics/gzip-splice.js";
import { Part } from "../../src/metrics/part.js";

describe("Bodies", () => {
  it("compresses each part once while it lives, and at most four at a time", async () => {
    let running = 0;
    let most = 0;
    const compressed: Buffer[] = [];
    const bodies = new Bodies(async (data): Promise<DeflatedPart> => {
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
    const first = await bodies.gzip(parts);
    expect(gunzipSync(Buffer.concat(first)).toString()).toBe(Buffer.concat(texts).toString());
    expect(compressed).toHaveLength(20);
    expect(most).toBeLessThanOrEqual(4);
    const changed = Buffer.from("changed\n");
    const second = await bodies.gzip([...parts.slice(0, 19), new Part(changed)]);
    expect(compressed.slice(20)).toEqual([changed]);
    expect(gunzipSync(Buffer.concat(second)).toString()).toContain("line 18\nchanged\n");
  });

  it("writes the plain body from parts kept plain and parts kept compressed alike", async () => {
    const bodies = new Bodies();
    // One part above the size that inflates off the event loop.
    const texts = ["a 1\n", "b 2\n".repeat(40_000), "c 3\n"].map((text) => Buffer.from(text));
    const parts = texts.map((text, index) => new Part(text, index > 0));
    expect(Buffer.concat(await bodies.plain(parts))).toEqual(Buffer.concat(texts));
  });
});
