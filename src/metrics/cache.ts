import type { Registry } from "prom-client";
import type { KeyStore } from "../model.js";
import type { EnrichmentStore } from "../state/enrichment.js";
import type { StateStore, TargetState } from "../state/state.js";
import { renderEnrichment } from "./enrichment.js";
import { familyHeader } from "./exposition.js";
import { compressHead, type GzipHead, gzipWithTail } from "./gzip-splice.js";
import {
  renderFamilies,
  storeFamilies,
  storeSampleLines,
  targetFamilies,
  targetSampleLines,
} from "./series.js";
import { StoreChunks } from "./store-chunks.js";

export interface RenderedMetrics {
  /** The exposition text in parts, to be written in order (no copy of the bulk per scrape). */
  textParts: (Buffer | string)[];
  /** The same text as one gzip body, in parts. */
  gzipParts(): Promise<Buffer[]>;
}

interface StorePart {
  version: number;
  /** Encoded once, so a scrape neither re-encodes nor measures 30 MB of text. */
  parts: Buffer[];
}

/**
 * Serves /metrics without redoing work: the store families (the bulk, from every target's
 * snapshot) are kept as bytes in chunks of targets, and only a chunk whose targets' store
 * lists changed is rendered again (store-chunks.ts); each target's lines are cached by the
 * identity of its store array, which the state replaces only when the stores change. The
 * gzip of the store part is made when a gzip scrape first asks for it after a change, not
 * on every change. Target gauges, the per-target counters and prom-client's small registry
 * are rendered per change of their own.
 */
export class MetricsCache {
  private readonly linesByStores = new WeakMap<readonly KeyStore[], string[]>();
  private readonly chunks = new StoreChunks();
  private storePart: StorePart | undefined;
  private storeGzip: { generation: number; head: Promise<GzipHead> } | undefined;
  private targetPart: { version: number; text: string } | undefined;
  private enrichmentPart: { version: number; text: string } | undefined;

  constructor(
    private readonly state: StateStore,
    private readonly registry: Registry,
    private intervalText: string,
    private readonly enrichment?: EnrichmentStore,
    /** The per-target counters (ExporterMetrics.renderPerTarget). */
    private readonly renderPerTarget: () => string = () => "",
  ) {}

  /** A reload may change the interval that the HELP texts quote. */
  setIntervalText(intervalText: string): void {
    if (intervalText === this.intervalText) return;
    this.intervalText = intervalText;
    this.storePart = undefined;
    this.targetPart = undefined;
    this.enrichmentPart = undefined;
  }

  /** The state replaces a target's history only together with its store array. */
  private linesOf(state: TargetState & { stores: KeyStore[] }): string[] {
    let lines = this.linesByStores.get(state.stores);
    if (!lines) {
      const { accountId, region } = state.target;
      lines = storeSampleLines(accountId, region, state.stores, state.history);
      this.linesByStores.set(state.stores, lines);
    }
    return lines;
  }

  private currentStorePart(): StorePart {
    if (this.storePart?.version !== this.state.storesVersion) {
      const perTarget: string[][] = [];
      for (const state of this.state.states()) {
        if (state.stores !== undefined)
          perTarget.push(this.linesOf(state as TargetState & { stores: KeyStore[] }));
      }
      const headers = storeFamilies(this.intervalText).map(familyHeader);
      const parts = this.chunks.update(headers, perTarget);
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
      const text = renderEnrichment(this.intervalText, this.enrichment.entries());
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
      this.renderPerTarget() +
      registryText;
    return {
      textParts: [...storePart.parts, dynamicText],
      gzipParts: async () => gzipWithTail(await this.storeGzipHead(storePart.parts), dynamicText),
    };
  }
}
