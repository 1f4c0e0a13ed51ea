import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { enrichmentSection } from "../../../src/enrichment/series.js";
import { MetricsCache } from "../../../src/metrics/cache.js";
import { exporterSources } from "../../../src/metrics/sources.js";
import { plainText } from "../../helpers/exposition.js";
import { goldenFleet, normalised } from "./fleet.js";

const GOLDEN = new URL("./exposition.prom", import.meta.url);

async function exposition(): Promise<string> {
  const { state, enrichment, metrics } = goldenFleet();
  const cache = new MetricsCache(exporterSources(state, metrics, [enrichmentSection(enrichment)]));
  const rendered = await cache.render();
  return plainText(rendered);
}

describe("the /metrics exposition", () => {
  it("is byte for byte the golden one (rendered before the one-path rewrite), apart from HELP wording and process_/nodejs_", async () => {
    expect(normalised(await exposition())).toBe(readFileSync(GOLDEN, "utf8"));
  });
});
