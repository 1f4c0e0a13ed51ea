import type { Enrichment } from "../../src/config/types.js";
import { defaultConfig } from "./config.js";

/** Enrichments as tests set them: all off, running after every poll (interval 0) unless told. */
export function enrich(overrides: Partial<Enrichment> = {}): Enrichment {
  return { ...defaultConfig().enrich, intervalMs: 0, ...overrides };
}
