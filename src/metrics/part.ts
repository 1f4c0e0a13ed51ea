import { type DeflatedPart, deflatePartSync, inflatePartSync } from "./gzip-splice.js";

/**
 * A run of /metrics bytes written as they are, with its compressed form, made once (by the
 * first gzip scrape that needs it) for as long as the part lives: a section keeps a part
 * until its bytes change (section.ts), so a scrape compresses only what changed.
 *
 * A part `compressedAtRest` is compressed as it is made and keeps only the compressed form,
 * inflated when a plain scrape or a re-render of its chunk needs the bytes. The store
 * families are such parts: 80 MiB of text at 10,000 targets × 5 stores, 3 MiB compressed,
 * and they change only when a store does, while Prometheus asks for gzip. Compressed as
 * each chunk is rendered, the text of all of them is never held at once: freed memory is
 * not given back to the system, so the peak is what the process keeps (BENCHMARKS.md).
 */
export class Part {
  readonly length: number;
  /** The bytes, or the compressed form alone for a part compressed at rest. */
  private readonly held: { bytes: Buffer } | { atRest: DeflatedPart };
  private compressed: Promise<DeflatedPart> | undefined;

  constructor(bytes: Buffer, compressedAtRest = false) {
    this.length = bytes.length;
    if (compressedAtRest) {
      const atRest = deflatePartSync(bytes);
      this.held = { atRest };
      this.compressed = Promise.resolve(atRest);
    } else {
      this.held = { bytes };
    }
  }

  /** The bytes, inflated if kept compressed. */
  bytes(): Buffer {
    return "bytes" in this.held ? this.held.bytes : inflatePartSync(this.held.atRest);
  }

  /** The compressed form, made once by `deflate`; after a failure the next call tries again. */
  deflated(deflate: (bytes: Buffer) => Promise<DeflatedPart>): Promise<DeflatedPart> {
    if (this.compressed === undefined) {
      const compressed = deflate(this.bytes());
      this.compressed = compressed;
      compressed.catch(() => {
        if (this.compressed === compressed) this.compressed = undefined;
      });
    }
    return this.compressed;
  }
}
