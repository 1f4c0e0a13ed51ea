import { type FamilyHeader, familyHeader } from "./exposition.js";

/**
 * One source of families on /metrics: the families' headers, and the members (most often
 * one per target) whose lines they hold. A new per-target family is a Section: its headers
 * and, per target, an identity and the lines, handed to the MetricsCache in app.ts.
 */
export interface Section {
  readonly families: readonly FamilyHeader[];
  /** In exposition order. */
  members(): Iterable<Member>;
  /** Without members, headers alone (true) or nothing at all (false). */
  readonly headersWhenEmpty: boolean;
  /** A blank line after each family, as prom-client writes its families. */
  readonly blankLineAfter?: boolean;
}

export interface Member {
  /** Unchanged (each element ===) exactly when the member's lines are unchanged. */
  readonly identity: readonly unknown[];
  /** Per family, the member's sample lines ("" for none). */
  render(): readonly string[];
}

/** Members per chunk: one member's change renders this many members again, no more. */
export const MEMBERS_PER_CHUNK = 64;

interface Chunk {
  identities: (readonly unknown[])[];
  /** Per family, the chunk's lines as bytes. */
  parts: Buffer[];
}

const BLANK_LINE = Buffer.from("\n");

function sameIdentity(a: readonly unknown[] | undefined, b: readonly unknown[]): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

/**
 * A section's families as bytes, in chunks of consecutive members, each kept until one of
 * its members changes. At 10,000 targets the store series are some 80 MB of text: a scrape
 * writes the cached buffers as they are and renders only the chunks that changed since the
 * last one; a buffer that is not replaced keeps its identity, so its compressed form stays
 * valid too (gzip-parts.ts). Only bytes are kept, never the lines as strings beside them.
 * The headers are written once per family, the order is that of one render of everything.
 */
export class SectionChunks {
  private chunks: Chunk[] = [];
  private readonly headers: Buffer[];

  constructor(private readonly section: Section) {
    this.headers = section.families.map((family) => Buffer.from(familyHeader(family), "utf8"));
  }

  /** The section's exposition, in parts to be written in order. */
  parts(): Buffer[] {
    const members = [...this.section.members()];
    if (members.length === 0 && !this.section.headersWhenEmpty) {
      this.chunks = [];
      return [];
    }
    const count = Math.ceil(members.length / MEMBERS_PER_CHUNK);
    const chunks: Chunk[] = [];
    for (let index = 0; index < count; index++) {
      const inChunk = members.slice(index * MEMBERS_PER_CHUNK, (index + 1) * MEMBERS_PER_CHUNK);
      const previous = this.chunks[index];
      const same =
        previous !== undefined &&
        previous.identities.length === inChunk.length &&
        inChunk.every((member, at) => sameIdentity(previous.identities[at], member.identity));
      chunks.push(same ? previous : this.render(inChunk, previous));
    }
    this.chunks = chunks;
    const parts: Buffer[] = [];
    this.headers.forEach((header, family) => {
      parts.push(header);
      for (const chunk of chunks) {
        const part = chunk.parts[family];
        if (part !== undefined && part.length > 0) parts.push(part);
      }
      if (this.section.blankLineAfter) parts.push(BLANK_LINE);
    });
    return parts;
  }

  /**
   * A family whose bytes come out the same keeps the previous buffer: a poll changes a
   * target's last success, rarely its `up`, and the unchanged part is not compressed again.
   */
  private render(members: readonly Member[], previous: Chunk | undefined): Chunk {
    const texts = this.headers.map(() => "");
    for (const member of members) {
      member.render().forEach((lines, family) => {
        texts[family] += lines;
      });
    }
    return {
      identities: members.map((member) => member.identity),
      parts: texts.map((text, family) => {
        const bytes = Buffer.from(text, "utf8");
        const before = previous?.parts[family];
        return before?.equals(bytes) ? before : bytes;
      }),
    };
  }
}
