import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { compressHead, gzipWithTail } from "../../src/metrics/gzip-splice.js";

describe("gzip splice", () => {
  it("makes one gzip member of a head compressed once and each tail", async () => {
    const headText = "a".repeat(100_000) + "ü€\n";
    const head = await compressHead(Buffer.from(headText));
    for (const tail of ["", "tail 1\n", "x".repeat(70_000)]) {
      const body = Buffer.concat(await gzipWithTail(head, tail));
      expect(gunzipSync(body).toString("utf8")).toBe(headText + tail);
      // One member: the length in the trailer covers head and tail together.
      expect(body.readUInt32LE(body.length - 4)).toBe(Buffer.byteLength(headText + tail));
    }
  });

  it("handles an empty head", async () => {
    const head = await compressHead(Buffer.alloc(0));
    expect(gunzipSync(Buffer.concat(await gzipWithTail(head, "only tail"))).toString()).toBe(
      "only tail",
    );
  });
});
