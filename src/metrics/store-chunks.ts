/** Targets per chunk: one target's change re-renders this many targets' stores, no more. */
export const TARGETS_PER_CHUNK = 64;

/** One target's place in the store families. */
export interface ChunkMember {
  /** Replaced exactly when the member's lines change (the state's store array). */
  identity: object;
  /** Its lines, per family. */
  render(): readonly string[];
}

interface Chunk {
  identities: readonly object[];
  /** Per family: the chunk's lines as bytes, the family's header first in chunk 0. */
  parts: Buffer[];
}

/**
 * The store families as bytes, in chunks of consecutive targets, rendered again chunk by
 * chunk. At 10,000 targets the store series are some 80 MB of text: rebuilding all of it
 * whenever one target's stores changed made every scrape during a poll round pay for the
 * whole, and keeping each target's lines as strings beside the bytes held it twice
 * (BENCHMARKS.md). Here only the bytes are kept; a change renders its chunk's targets again
 * from their stores, and a scrape writes the cached buffers as they are. The order of
 * targets, and so the text, is exactly that of one render of everything.
 */
export class StoreChunks {
  private chunks: Chunk[] = [];
  private headers: readonly string[] = [];
  /** Bumped whenever any part is replaced: a cached gzip of all parts follows it. */
  generation = 0;

  /** `members`: every target with stores, in state order. Returns the parts in order. */
  update(headers: readonly string[], members: readonly ChunkMember[]): Buffer[] {
    const headersChanged =
      headers.length !== this.headers.length ||
      headers.some((header, index) => header !== this.headers[index]);
    this.headers = headers;
    const chunkCount = Math.max(1, Math.ceil(members.length / TARGETS_PER_CHUNK));
    const chunks: Chunk[] = [];
    for (let index = 0; index < chunkCount; index++) {
      const inChunk = members.slice(index * TARGETS_PER_CHUNK, (index + 1) * TARGETS_PER_CHUNK);
      const previous = this.chunks[index];
      const same =
        !headersChanged &&
        previous !== undefined &&
        previous.identities.length === inChunk.length &&
        previous.identities.every((identity, at) => identity === inChunk[at]?.identity);
      if (same) {
        chunks.push(previous);
        continue;
      }
      chunks.push({
        identities: inChunk.map((member) => member.identity),
        parts: render(headers, inChunk, index === 0),
      });
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
  members: readonly ChunkMember[],
  first: boolean,
): Buffer[] {
  const texts = headers.map((header) => (first ? header : ""));
  for (const member of members) {
    member.render().forEach((lines, family) => {
      texts[family] += lines;
    });
  }
  return texts.map((text) => Buffer.from(text, "utf8"));
}
