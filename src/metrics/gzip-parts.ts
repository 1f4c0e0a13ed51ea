import { type DeflatedPart, deflatePart, stitchGzip } from "./gzip-splice.js";
import type { Part } from "./part.js";

/** Parts compressed at once: enough for the libuv pool, and each holds ~400 KB of zlib state. */
const PARALLEL_DEFLATES = 4;

/**
 * The gzip body of a list of parts, stitched from each part's compressed form, made once
 * per part (part.ts): a scrape compresses only the parts that changed since the last one.
 */
export class GzipParts {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly deflate: (bytes: Buffer) => Promise<DeflatedPart>;

  constructor(deflate: (bytes: Buffer) => Promise<DeflatedPart> = deflatePart) {
    this.deflate = (bytes) => this.limited(() => deflate(bytes));
  }

  async body(parts: readonly Part[]): Promise<Buffer[]> {
    return stitchGzip(await Promise.all(parts.map((part) => part.deflated(this.deflate))));
  }

  private async limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= PARALLEL_DEFLATES) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
