/** Targets per chunk: small enough that one target's change re-renders little, large enough that a scrape writes few parts. */
export const TARGETS_PER_CHUNK = 128;

interface Chunk {
  /** The targets' lines (per family), by identity: the cache replaces them only on change. */
  members: readonly (readonly string[])[];
  /** Per family: the chunk's lines as bytes, the family's header first in chunk 0. */
  parts: Buffer[];
}

/**
 * The store families as bytes, in chunks of consecutive targets, re-rendered chunk by
 * chunk. At 10,000 targets the store series are tens of megabytes; rebuilding and
 * re-encoding all of them whenever one target's store list changed made every scrape during
 * a poll round pay for the whole (BENCHMARKS.md). Now a change costs its own chunk, and a
 * scrape writes the cached buffers as they are. The order of targets, and so the text, is
 * exactly that of one render of everything.
 */
export class StoreChunks {
  private chunks: Chunk[] = [];
  private headers: readonly string[] = [];
  /** Bumped whenever any part is replaced: the cached gzip of all parts follows it. */
  generation = 0;

  /**
   * `linesPerTarget`: per target with stores, in state order, its lines per family (the
   * same array as long as its stores are the same). Returns the parts in exposition order.
   */
  update(headers: readonly string[], linesPerTarget: readonly (readonly string[])[]): Buffer[] {
    const headersChanged =
      headers.length !== this.headers.length ||
      headers.some((header, index) => header !== this.headers[index]);
    this.headers = headers;
    const chunkCount = Math.max(1, Math.ceil(linesPerTarget.length / TARGETS_PER_CHUNK));
    const chunks: Chunk[] = [];
    for (let index = 0; index < chunkCount; index++) {
      const members = linesPerTarget.slice(
        index * TARGETS_PER_CHUNK,
        (index + 1) * TARGETS_PER_CHUNK,
      );
      const previous = this.chunks[index];
      const same =
        !headersChanged &&
        previous !== undefined &&
        previous.members.length === members.length &&
        previous.members.every((lines, at) => lines === members[at]);
      if (same) {
        chunks.push(previous);
        continue;
      }
      chunks.push({ members, parts: render(headers, members, index === 0) });
      this.generation++;
    }
    if (chunks.length !== this.chunks.length) this.generation++;
    this.chunks = chunks;
    const parts: Buffer[] = [];
    for (let family = 0; family < headers.length; family++) {
      for (const chunk of chunks) {
        const part = chunk.parts[family];
        if (part && part.length > 0) parts.push(part);
      }
    }
    return parts;
  }
}

function render(
  headers: readonly string[],
  members: readonly (readonly string[])[],
  first: boolean,
): Buffer[] {
  return headers.map((header, family) => {
    let text = first ? header : "";
    for (const lines of members) text += lines[family] ?? "";
    return Buffer.from(text, "utf8");
  });
}
