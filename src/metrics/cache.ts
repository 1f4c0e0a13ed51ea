import { GzipParts } from "./gzip-parts.js";
import type { DeflatedPart } from "./gzip-splice.js";
import { Part } from "./part.js";
import { type Section, SectionChunks } from "./section.js";

export interface RenderedMetrics {
  /**
   * The exposition text in parts, to be written in order: the bytes kept, not a copy,
   * except the store families', inflated (part.ts).
   */
  textParts(): Buffer[];
  /** The same text as one gzip body, in parts. */
  gzipParts(): Promise<Buffer[]>;
}

export interface MetricsSources {
  /** Every family of the exporter's own, in exposition order. */
  sections: readonly Section[];
  /** Text written after them as it is: prom-client's process_* and nodejs_* defaults. */
  processText: () => Promise<string>;
  /** How a part is compressed (tests count the calls). */
  deflate?: (data: Buffer) => Promise<DeflatedPart>;
}

/**
 * Serves /metrics as the bytes it keeps per section, in chunks of targets (section.ts): a
 * scrape renders only the chunks whose targets changed since the last scrape, writes the
 * rest as they are, and for gzip compresses only those changed parts (part.ts).
 * Concurrent gzip scrapes share the body being built.
 */
export class MetricsCache {
  private readonly sections: SectionChunks<unknown>[];
  private readonly gzip: GzipParts;
  private gzipInFlight: Promise<Buffer[]> | undefined;
  private process = { text: "", part: new Part(Buffer.alloc(0)) };

  constructor(private readonly sources: MetricsSources) {
    this.sections = sources.sections.map((section) => new SectionChunks(section));
    this.gzip = new GzipParts(sources.deflate);
  }

  /** The same text keeps the same part, and so its compressed form. */
  private async currentProcessPart(): Promise<Part> {
    const text = await this.sources.processText();
    if (this.process.text !== text) {
      this.process = { text, part: new Part(Buffer.from(text, "utf8")) };
    }
    return this.process.part;
  }

  async render(): Promise<RenderedMetrics> {
    const processPart = await this.currentProcessPart();
    const parts = [...this.sections.flatMap((section) => section.parts()), processPart];
    return {
      // On the event loop in one go: inflating part by part in turns behind the polls took
      // 1.5 s for the 80 MiB of 10,000 targets × 5 stores, against some 0.3 s (BENCHMARKS.md).
      textParts: () => parts.map((part) => part.bytes()),
      gzipParts: () => {
        // A scrape that arrives while a body is being compressed takes that body.
        if (this.gzipInFlight === undefined) {
          const body = this.gzip.body(parts);
          this.gzipInFlight = body;
          const done = () => {
            if (this.gzipInFlight === body) this.gzipInFlight = undefined;
          };
          body.then(done, done);
        }
        return this.gzipInFlight;
      },
    };
  }
}
