import { describe, expect, it } from "vitest";
import {
  type ChunkMember,
  StoreChunks,
  TARGETS_PER_CHUNK,
} from "../../src/metrics/store-chunks.js";

const HEADERS = ["# TYPE a gauge\n", "# TYPE b gauge\n"];

function target(index: number, version = 0): string[] {
  return [`a{t="${index}"} ${version}\n`, index % 3 === 0 ? "" : `b{t="${index}"} ${version}\n`];
}

let renders = 0;

/** A target whose lines are its identity, counting its renders. */
function members(targets: string[][]): ChunkMember[] {
  return targets.map((lines) => ({
    identity: lines,
    render: () => {
      renders++;
      return lines;
    },
  }));
}

/** The text of one render of everything: each family's header, then every target's lines. */
function whole(headers: string[], targets: string[][]): string {
  return headers
    .map((header, family) => header + targets.map((lines) => lines[family]).join(""))
    .join("");
}

describe("StoreChunks", () => {
  it("gives exactly the text of one render of everything, in target order", () => {
    const chunks = new StoreChunks();
    for (const count of [0, 1, TARGETS_PER_CHUNK, 2 * TARGETS_PER_CHUNK + 5]) {
      const targets = Array.from({ length: count }, (_, index) => target(index));
      expect(Buffer.concat(chunks.update(HEADERS, members(targets))).toString()).toBe(
        whole(HEADERS, targets),
      );
    }
  });

  it("renders again only the chunk whose target changed", () => {
    const chunks = new StoreChunks();
    const targets = Array.from({ length: 3 * TARGETS_PER_CHUNK }, (_, index) => target(index));
    const before = chunks.update(HEADERS, members(targets));
    const generation = chunks.generation;
    targets[TARGETS_PER_CHUNK + 1] = target(TARGETS_PER_CHUNK + 1, 1);
    renders = 0;
    const after = chunks.update(HEADERS, members(targets));
    expect(Buffer.concat(after).toString()).toBe(whole(HEADERS, targets));
    const replaced = after.filter((part) => !before.includes(part));
    // Chunk 1's part of each family, nothing else.
    expect(replaced).toHaveLength(2);
    expect(renders).toBe(TARGETS_PER_CHUNK);
    expect(chunks.generation).toBeGreaterThan(generation);
    const unchanged = chunks.update(HEADERS, members(targets));
    expect(unchanged).toEqual(after);
    expect(unchanged.every((part, index) => part === after[index])).toBe(true);
  });

  it("renders everything again when a header changes (a reload's new interval)", () => {
    const chunks = new StoreChunks();
    const targets = Array.from({ length: 10 }, (_, index) => target(index));
    chunks.update(HEADERS, members(targets));
    const headers = ["# TYPE a gauge\n# HELP a new\n", HEADERS[1] as string];
    expect(Buffer.concat(chunks.update(headers, members(targets))).toString()).toBe(
      whole(headers, targets),
    );
  });
});
