import { type FamilyHeader, familyHeader } from "./exposition.js";
import { Part } from "./part.js";

/**
 * One source of families on /metrics: the families' headers, and the members (most often
 * one per target) whose lines they hold. A new per-target family is a Section: its headers
 * and, per target, a stamp and the lines, handed to the MetricsCache in app.ts.
 *
 * A scrape visits every member of every section (50,000 at 10,000 targets) to find the few
 * that changed, so visiting allocates nothing per member: members are the objects the
 * section already holds (a target's state, a counter's group), and their stamps are values
 * those objects already carry. A Member object and identity array per member and scrape
 * made a scrape that changed nothing cost 12 ms and most of the garbage (BENCHMARKS.md).
 */
export interface Section<M = unknown> {
  readonly families: readonly FamilyHeader[];
  /**
   * The same (===) from one scrape to the next only if no member came, went or moved its
   * stamp: the scrape then reuses the section's bytes without visiting a member.
   */
  changes(): unknown;
  /** Visits the members in exposition order. */
  eachMember(visit: (member: M) => void): void;
  /** The same (===) for the same member object exactly when the member's lines are. */
  stamp(member: M): unknown;
  /** Per family, the member's sample lines ("" for none). */
  render(member: M): readonly string[];
  /** Without members, headers alone (true) or nothing at all (false). */
  readonly headersWhenEmpty: boolean;
  /** A blank line after each family, as prom-client writes its families. */
  readonly blankLineAfter?: boolean;
  /**
   * The lines change rarely (the stores, not each poll's timestamps): the chunks keep them
   * only compressed, compressed as they are rendered (part.ts).
   */
  readonly compressedAtRest?: boolean;
}

/** Members per chunk: one member's change renders this many members again, no more. */
export const MEMBERS_PER_CHUNK = 64;

interface Chunk<M> {
  members: M[];
  stamps: unknown[];
  /** Per family, the chunk's lines. */
  parts: Part[];
  /** Per family, where each member's lines end in its part. */
  ends: Uint32Array[];
}

const BLANK_LINE = new Part(Buffer.from("\n"));
const EMPTY = Buffer.alloc(0);
const NO_ENDS = new Uint32Array(0);

/** Where member `at`'s lines end (0 before the first member). */
function endOf(ends: Uint32Array, at: number): number {
  return at < 0 ? 0 : (ends[at] ?? 0);
}

/**
 * A section's families as bytes, in chunks of consecutive members, each kept until one of
 * its members changes. At 10,000 targets the store series are some 80 MB of text: a scrape
 * writes the cached parts as they are and renders only the chunks that changed since the
 * last one; a part that is not replaced keeps its compressed form too (part.ts). Only
 * bytes are kept, never the lines as strings beside them.
 * The headers are written once per family, the order is that of one render of everything.
 */
export class SectionChunks<M> {
  private chunks: Chunk<M>[] = [];
  private readonly headers: Part[];
  private last: { changes: unknown; parts: Part[] } | undefined;

  constructor(private readonly section: Section<M>) {
    this.headers = section.families.map(
      (family) => new Part(Buffer.from(familyHeader(family), "utf8")),
    );
  }

  /** The section's exposition, in parts to be written in order. */
  parts(): Part[] {
    const changes = this.section.changes();
    if (this.last !== undefined && this.last.changes === changes) return this.last.parts;
    const parts = this.currentParts();
    this.last = { changes, parts };
    return parts;
  }

  private currentParts(): Part[] {
    const chunks = this.currentChunks();
    if (chunks.length === 0 && !this.section.headersWhenEmpty) {
      this.chunks = [];
      return [];
    }
    this.chunks = chunks;
    const parts: Part[] = [];
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
   * The previous scrape's chunk where all its members and stamps are the same, else a new
   * one. While a chunk matches the previous one nothing is copied: a scrape that changed
   * nothing allocates nothing per member.
   */
  private currentChunks(): Chunk<M>[] {
    const { section } = this;
    const chunks: Chunk<M>[] = [];
    let previous = this.chunks[0];
    let at = 0;
    // Set from the first member that differs from the previous chunk's.
    let members: M[] | undefined;
    let stamps: unknown[] | undefined;
    const close = () => {
      if (members === undefined && previous?.members.length === at) chunks.push(previous);
      else {
        // Without `members`, every member so far matched `previous` (so there is one), which
        // holds more members than this chunk: the section shrank.
        chunks.push(
          this.render(
            members ?? (previous?.members.slice(0, at) as M[]),
            stamps ?? (previous?.stamps.slice(0, at) as unknown[]),
            previous,
          ),
        );
      }
      previous = this.chunks[chunks.length];
      at = 0;
      members = undefined;
      stamps = undefined;
    };
    section.eachMember((member) => {
      const stamp = section.stamp(member);
      if (
        members === undefined &&
        (previous?.members[at] !== member || previous.stamps[at] !== stamp)
      ) {
        members = previous?.members.slice(0, at) ?? [];
        stamps = previous?.stamps.slice(0, at) ?? [];
      }
      members?.push(member);
      stamps?.push(stamp);
      at++;
      if (at === MEMBERS_PER_CHUNK) close();
    });
    if (at > 0) close();
    return chunks;
  }

  /**
   * When the chunk holds the same members as before (a poll changed some of them), only the
   * members whose stamp moved are rendered, and the others' bytes are copied from the
   * previous parts: a scrape after 40 polls renders 40 targets, not 40 chunks of them.
   * A family whose bytes come out the same keeps the previous buffer: a poll changes a
   * target's last success, rarely its `up`, and the unchanged part is not compressed again.
   */
  private render(members: M[], stamps: unknown[], previous: Chunk<M> | undefined): Chunk<M> {
    const kept =
      previous !== undefined &&
      previous.members.length === members.length &&
      members.every((member, at) => member === previous.members[at])
        ? previous
        : undefined;
    const fresh = members.map((member, at) =>
      kept !== undefined && stamps[at] === kept.stamps[at]
        ? undefined
        : this.section.render(member),
    );
    const parts: Part[] = [];
    const ends: Uint32Array[] = [];
    for (let family = 0; family < this.headers.length; family++) {
      const previousPart = previous?.parts[family];
      // A part kept compressed is inflated only to copy kept members' lines or to compare.
      const previousBytes = kept === undefined ? undefined : previousPart?.bytes();
      const before = previousBytes ?? EMPTY;
      const beforeEnds = kept?.ends[family] ?? NO_ENDS;
      const memberEnds = new Uint32Array(members.length);
      let length = 0;
      for (let at = 0; at < members.length; at++) {
        const lines = fresh[at];
        length +=
          lines === undefined
            ? endOf(beforeEnds, at) - endOf(beforeEnds, at - 1)
            : Buffer.byteLength(lines[family] ?? "", "utf8");
        memberEnds[at] = length;
      }
      // Not from Node's pool: the part lives until its chunk changes, and would keep the
      // pool's whole slab (64 KiB in Node 24) alive with it.
      const bytes = Buffer.allocUnsafeSlow(length);
      for (let at = 0; at < members.length; at++) {
        const lines = fresh[at];
        if (lines !== undefined) {
          bytes.write(lines[family] ?? "", endOf(memberEnds, at - 1), "utf8");
          continue;
        }
        // A run of kept members is one copy.
        const first = at;
        while (at + 1 < members.length && fresh[at + 1] === undefined) at++;
        before.copy(
          bytes,
          endOf(memberEnds, first - 1),
          endOf(beforeEnds, first - 1),
          endOf(beforeEnds, at),
        );
      }
      const unchanged =
        previousPart !== undefined &&
        previousPart.length === length &&
        (previousBytes ?? previousPart.bytes()).equals(bytes);
      parts.push(unchanged ? previousPart : new Part(bytes, this.section.compressedAtRest));
      ends.push(memberEnds);
    }
    return { members, stamps, parts, ends };
  }
}
