import { type DeflatedPart, deflatePart, stitchGzip } from "./gzip-splice.js";
import type { Part } from "./part.js";

/** Parts compressed or inflated at once: enough for the libuv pool, and each holds ~400 KB of zlib state. */
const PARALLEL_PARTS = 4;

/**
 * The two bodies of /metrics from the same parts: gzip, stitched from each part's
 * compressed form (made once per part, part.ts), and plain, from each part's bytes
 * (inflated for the parts kept compressed only).
 */
export class Bodies {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly deflate: (bytes: Buffer) => Promise<DeflatedPart>;

  constructor(deflate: (bytes: Buffer) => Promise<DeflatedPart> = deflatePart) {
    this.deflate = (bytes) => this.limited(() => deflate(bytes));
  }

  async gzip(parts: readonly Part[]): Promise<Buffer[]> {
    return stitchGzip(await Promise.all(parts.map((part) => part.deflated(this.deflate))));
  }

  plain(parts: readonly Part[]): Promise<Buffer[]> {
    return Promise.all(parts.map((part) => this.limited(() => part.text())));
  }

  private async limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= PARALLEL_PARTS) {
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
