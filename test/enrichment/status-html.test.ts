import { describe, expect, it } from "vitest";
import type { ClusterHealth } from "../../src/enrichment/cloudhsm/round.js";
import { EnrichmentStore } from "../../src/enrichment/state.js";
import { atRiskRow, enrichmentCell, showsEnrichment } from "../../src/enrichment/status-html.js";
import type { XksHealth } from "../../src/enrichment/xks/figures.js";
import type { KeyStore } from "../../src/model.js";
import { renderStatusPage } from "../../src/server/status-page.js";
import { StateStore } from "../../src/state/state.js";
import { buildStatus, RUNBOOKS_URL } from "../../src/status/report.js";
import { keyStore, target, xksHealth } from "../helpers/stores.js";

const NOW = 1_800_000_000_000;
const PROD = target("111111111111", "us-east-1", "prod");
const HOSTILE = `x"><script>alert('1')</script>&amp;`;
const HSM = keyStore({ id: "cks-h", name: "hsm" });
const XKS = keyStore({ id: "cks-x", name: "xks", type: "EXTERNAL_KEY_STORE" });

function cluster(overrides: Partial<ClusterHealth> = {}): ClusterHealth {
  return {
    id: HSM.cloudHsmClusterId,
    state: "ACTIVE",
    hsms: { ACTIVE: 2 },
    activeAvailabilityZones: 2,
    ...overrides,
  };
}

function proxy(overrides: Parameters<typeof xksHealth>[0] = {}): XksHealth {
  return xksHealth({
    storeId: XKS.id,
    certificateDaysToExpire: 200,
    latencySeconds: 0.04,
    ...overrides,
  });
}

function page(
  enrich: { clusters?: ClusterHealth[]; xks?: XksHealth[] } | undefined,
  stores: KeyStore[] = [HSM, XKS],
): string {
  const state = new StateStore();
  state.setTargets([PROD]);
  state.recordSuccess(PROD.key, stores, NOW - 1_000, 100);
  const results = new EnrichmentStore();
  if (enrich?.clusters) results.setClusters(PROD, enrich.clusters, NOW - 500);
  if (enrich?.xks) results.setXks(PROD, enrich.xks, NOW - 500);
  const context = { version: "1", intervalMs: 30_000, nowMs: NOW, enrichment: results };
  return renderStatusPage(buildStatus(state.states(), context), "/metrics");
}

/** The store's row, from its id to the end of the row. */
function row(html: string, id: string): string {
  const start = html.indexOf(`<span class="id">${id}</span>`);
  return html.slice(start, html.indexOf("</tr>", start));
}

describe("the status page's enrichments", () => {
  it("shows no column, no summary row and no flag while the enrichments are off", () => {
    const html = page(undefined);
    expect(html).not.toContain("CloudHSM cluster or XKS proxy");
    expect(html).not.toContain("data-at-risk");
    expect(html).not.toContain("at risk");
  });

  it("flags a CONNECTED store with one HSM in one zone in words, with the runbook", () => {
    const html = page({ clusters: [cluster({ hsms: { ACTIVE: 1 }, activeAvailabilityZones: 1 })] });
    expect(html).toContain("CloudHSM cluster or XKS proxy");
    const hsm = row(html, "cks-h");
    expect(hsm).toContain('<td class="enrichment" data-at-risk>');
    expect(hsm).toContain("⚠</span> at risk</strong>: 1 ACTIVE HSM: KMS needs 2 to create keys");
    expect(hsm).toContain(
      `<a href="${RUNBOOKS_URL}#kmscloudhsmkeystoreatrisk">Runbook: KMSCloudHsmKeyStoreAtRisk</a>`,
    );
    expect(hsm).toContain("1 ACTIVE HSM in 1 zone");
    expect(html).toContain('<tr class="state-connected at-risk">');
    expect(html).toMatch(/at risk<\/span><\/th><td data-at-risk-count>1<\/td>/);
  });

  it("shows a healthy cluster's state, HSMs and zones without a flag", () => {
    const html = page({ clusters: [cluster({ hsms: { ACTIVE: 3, DEGRADED: 1 } })] });
    const hsm = row(html, "cks-h");
    expect(hsm).toContain("ACTIVE: 3 ACTIVE HSMs (and 1 DEGRADED) in 2 zones");
    expect(hsm).not.toContain("at risk");
    expect(html).toMatch(/<td data-at-risk-count>0<\/td>/);
  });

  it.each([
    [200, "expires in <span data-certificate-days>200</span> days", false],
    [5, "renew soon</strong> Certificate <span", true],
    [2.5, "renew now</strong> Certificate <span", true],
    [undefined, "Certificate: no CloudWatch data", false],
  ])("an XKS certificate %s days from expiry: %s", (days, text, flagged) => {
    const html = page({ xks: [proxy({ certificateDaysToExpire: days })] });
    const xks = row(html, "cks-x");
    expect(xks).toContain(text);
    expect(xks.includes("data-at-risk")).toBe(flagged);
    if (flagged) {
      expect(xks).toContain(`${RUNBOOKS_URL}#kmsxksproxycertificateexpiring`);
      expect(xks).toContain(`certificate proxy.example.com expires in ${days} days`);
    }
  });

  it("shows managers not Active, errors and latency when known", () => {
    const html = page({
      xks: [
        proxy({
          externalKeyManagers: { Active: 1, Degraded: 1 },
          errors: { Retryable: 14, Other: 0 },
          latencySeconds: 0.18,
        }),
      ],
    });
    const xks = row(html, "cks-x");
    expect(xks).toContain("External key managers not Active: 1 Degraded");
    expect(xks).toContain("Proxy errors: 14 Retryable of 100 requests</p>");
    expect(xks).toContain("Proxy latency: 180 ms");
    expect(xks).toContain("Proxy credential age: 10 days");
    expect(xks).toContain(`${RUNBOOKS_URL}#kmsxksexternalkeymanagersunhealthy`);
    const quiet = row(page({ xks: [proxy({ latencySeconds: undefined })] }), "cks-x");
    expect(quiet).not.toContain("Proxy errors");
    expect(quiet).not.toContain("latency");
  });

  it("escapes every value that came from AWS", () => {
    const html = page(
      {
        clusters: [cluster({ id: HOSTILE, state: HOSTILE, hsms: { ACTIVE: 1, [HOSTILE]: 1 } })],
        xks: [
          proxy({
            storeId: HOSTILE,
            errors: { [HOSTILE]: 3 },
            externalKeyManagers: { [HOSTILE]: 1 },
          }),
        ],
      },
      [
        keyStore({ id: "cks-h", cloudHsmClusterId: HOSTILE }),
        keyStore({ id: HOSTILE, type: "EXTERNAL_KEY_STORE" }),
      ],
    );
    expect(html).toContain("Proxy errors: 3 x&quot;&gt;&lt;script&gt;");
    expect(html).toContain("and 1 x&quot;&gt;&lt;script&gt;");
    expect(html).not.toContain("<script>");
    expect(html).not.toContain(`x">`);
  });

  it("leaves a store no enrichment covers an empty cell, and the summary row to the count", () => {
    expect(
      enrichmentCell({ cloudHsm: undefined, xks: undefined, keys: undefined, atRisk: false }),
    ).toBe('<td class="enrichment"></td>');
    expect(atRiskRow({ summary: { storesAtRisk: undefined } })).toBe("");
    expect(atRiskRow({ summary: { storesAtRisk: 0 } })).not.toContain('class="at-risk"');
  });

  it("puts a store's keys first in its cell, and the keys affected in the summary", () => {
    const keys = {
      total: 8,
      byState: { Unavailable: 7, PendingDeletion: 1 },
      byLastAvailable: { Enabled: 5, Disabled: 2, PendingDeletion: 1 },
      enabledBeforeDown: 5,
      text: "8 keys (5 Enabled before it went down)",
      asOf: "2026-12-03T12:00:00.000Z",
    };
    expect(enrichmentCell({ cloudHsm: undefined, xks: undefined, keys, atRisk: false })).toBe(
      '<td class="enrichment"><p data-keys="8" data-enabled-before-down="5">8 keys (5 Enabled before it went down)</p></td>',
    );
    const summary = { storesAtRisk: undefined, keysAffected: 8, enabledKeysAffected: 5 };
    expect(showsEnrichment({ summary })).toBe(true);
    expect(atRiskRow({ summary })).toBe(
      '<tr class="at-risk"><th scope="row">Keys in stores not CONNECTED</th><td data-keys-affected="8" data-enabled-keys-affected="5">8 (5 Enabled before)</td></tr>',
    );
  });
});
