import { type DeflatedPart, deflatePart, stitchGzip } from "./gzip-splice.js";

/** Parts compressed at once: enough for the libuv pool, and each holds ~400 KB of zlib state. */
const PARALLEL_DEFLATES = 4;

/**
 * The gzip body of a list of parts, each part compressed once for as long as the buffer
 * lives: the exposition keeps an unchanged part's buffer (section.ts), so a scrape compresses
 * only what changed since the last one, and the rest is stitched from the cache.
 */
export class GzipParts {
  private readonly deflated = new WeakMap<Buffer, Promise<DeflatedPart>>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly deflate: (data: Buffer) => Promise<DeflatedPart> = deflatePart) {}

  async body(parts: readonly Buffer[]): Promise<Buffer[]> {
    return stitchGzip(await Promise.all(parts.map((part) => this.deflatedOf(part))));
  }

  private deflatedOf(part: Buffer): Promise<DeflatedPart> {
    let deflated = this.deflated.get(part);
    if (deflated === undefined) {
      deflated = this.limited(() => this.deflate(part));
      this.deflated.set(part, deflated);
      // A failure is not kept: the next scrape tries again.
      deflated.catch(() => this.deflated.delete(part));
    }
    return deflated;
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
