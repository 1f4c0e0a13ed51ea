import type { Registry } from "prom-client";
import type { StateStore } from "../state/state.js";
import { handRenderedText } from "./exporter-metrics.js";
import { familyHeader } from "./exposition.js";
import { compressHead, type GzipHead, gzipWithTail } from "./gzip-splice.js";
import {
  renderFamilies,
  storeFamilies,
  storeSampleLines,
  targetFamilies,
  targetSampleLines,
} from "./series.js";
import { type ChunkMember, StoreChunks } from "./store-chunks.js";

export interface RenderedMetrics {
  /** The exposition text in parts, to be written in order (no copy of the bulk per scrape). */
  textParts: (Buffer | string)[];
  /** The same text as one gzip body, in parts. */
  gzipParts(): Promise<Buffer[]>;
}

/**
 * Families that another module renders whole (the enrichments): re-rendered when `version`
 * moves or the interval text changes.
 */
export interface ExtraPart {
  readonly version: number;
  render(intervalText: string): string;
}

interface StorePart {
  version: number;
  /** Encoded once, so a scrape neither re-encodes nor measures 30 MB of text. */
  parts: Buffer[];
}

/**
 * Serves /metrics without redoing work: the store families (the bulk, from every target's
 * snapshot) are kept as bytes in chunks of targets, and only a chunk in which a target's
 * store array changed (the state replaces it only when the stores change) is rendered
 * again (store-chunks.ts). The
 * gzip of the store part is made when a gzip scrape first asks for it after a change, not
 * on every change. Target gauges, the per-target counters and prom-client's small registry
 * are rendered per change of their own.
 */
export class MetricsCache {
  private readonly chunks = new StoreChunks();
  private storePart: StorePart | undefined;
  private storeGzip: { generation: number; head: Promise<GzipHead> } | undefined;
  private targetPart: { version: number; text: string } | undefined;
  private enrichmentPart: { version: number; text: string } | undefined;

  constructor(
    private readonly state: StateStore,
    private readonly registry: Registry,
    private intervalText: string,
    private readonly enrichment?: ExtraPart,
  ) {}

  /** A reload may change the interval that the HELP texts quote. */
  setIntervalText(intervalText: string): void {
    if (intervalText === this.intervalText) return;
    this.intervalText = intervalText;
    this.storePart = undefined;
    this.targetPart = undefined;
    this.enrichmentPart = undefined;
  }

  private currentStorePart(): StorePart {
    if (this.storePart?.version !== this.state.storesVersion) {
      const members: ChunkMember[] = [];
      for (const state of this.state.states()) {
        const { stores, target, history } = state;
        if (stores === undefined) continue;
        // The state replaces a target's history only together with its store array.
        members.push({
          identity: stores,
          render: () => storeSampleLines(target.accountId, target.region, stores, history),
        });
      }
      const headers = storeFamilies(this.intervalText).map(familyHeader);
      const parts = this.chunks.update(headers, members);
      this.storePart = { version: this.state.storesVersion, parts };
    }
    return this.storePart;
  }

  private storeGzipHead(parts: Buffer[]): Promise<GzipHead> {
    if (this.storeGzip?.generation !== this.chunks.generation) {
      const head = compressHead(Buffer.concat(parts));
      // Cached for the next gzip scrapes; a failure shows on each of them.
      head.catch(() => {});
      this.storeGzip = { generation: this.chunks.generation, head };
    }
    return this.storeGzip.head;
  }

  private currentTargetText(): string {
    if (this.targetPart?.version !== this.state.version) {
      const text = renderFamilies(targetFamilies(this.intervalText), [
        targetSampleLines(this.state.states()),
      ]);
      this.targetPart = { version: this.state.version, text };
    }
    return this.targetPart.text;
  }

  /** Small next to the stores (a few series per cluster and XKS store): rendered per change. */
  private currentEnrichmentText(): string {
    if (!this.enrichment) return "";
    if (this.enrichmentPart?.version !== this.enrichment.version) {
      const text = this.enrichment.render(this.intervalText);
      this.enrichmentPart = { version: this.enrichment.version, text };
    }
    return this.enrichmentPart.text;
  }

  async render(): Promise<RenderedMetrics> {
    const storePart = this.currentStorePart();
    // prom-client writes NaN as "Nan"; Prometheus reads it, stricter parsers do not.
    const registryText = (await this.registry.metrics()).replace(/ Nan$/gm, " NaN");
    const dynamicText =
      this.currentTargetText() +
      this.currentEnrichmentText() +
      handRenderedText(this.registry) +
      registryText;
    return {
      textParts: [...storePart.parts, dynamicText],
      gzipParts: async () => gzipWithTail(await this.storeGzipHead(storePart.parts), dynamicText),
    };
  }
}
