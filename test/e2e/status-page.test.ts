import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_SCENARIO_PATH } from "../../src/demo.js";
import { PACKAGE_ROOT } from "../../src/package/version.js";
import { loadScenarioFile } from "../../src/simulator/index.js";
import { startCli, waitForReady } from "../helpers/cli.js";
import { parseExposition, samplesNamed } from "../helpers/exposition.js";
import { toolOrSkipReason } from "../helpers/tools.js";
import { until } from "../helpers/wait.js";

const browser = toolOrSkipReason("chromium");
/** Gitignored; the screenshot stays there after the run, to be looked at. */
const ARTIFACTS = join(PACKAGE_ROOT, "test-artifacts");

// Nothing leaves the machine: no first-run, sync, component updates or QUIC probing.
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Headless Chromium with a fresh profile and JavaScript off: the page must not need it. */
async function openBrowser(path: string): Promise<{ context: BrowserContext; page: Page }> {
  const profile = mkdtempSync(join(tmpdir(), "kms-exporter-chromium-"));
  cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: path,
    headless: true,
    args: CHROMIUM_FLAGS,
    javaScriptEnabled: false,
    viewport: { width: 1400, height: 900 },
  });
  cleanups.push(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

interface Counts {
  states: Record<string, number>;
  targetsUp: number;
  targetsDown: number;
}

/** What /metrics says right now: stores per state, targets up and down. */
async function metricsCounts(url: string): Promise<Counts & { failedIds: string[] }> {
  const samples = parseExposition(await (await fetch(`${url}/metrics`)).text());
  const states: Record<string, number> = {};
  const failedIds: string[] = [];
  for (const sample of samplesNamed(samples, "aws_kms_custom_key_store_connection_state")) {
    const state = sample.labels.state ?? "";
    states[state] = (states[state] ?? 0) + sample.value;
    if (state === "FAILED" && sample.value === 1)
      failedIds.push(sample.labels.custom_key_store_id ?? "");
  }
  const up = samplesNamed(samples, "kms_keystore_exporter_target_up");
  return {
    states,
    targetsUp: up.filter((sample) => sample.value === 1).length,
    targetsDown: up.filter((sample) => sample.value === 0).length,
    failedIds: failedIds.sort(),
  };
}

interface Row {
  state: string;
  storeName: string;
  storeId: string;
  explanation: string;
  /** The CloudHSM cluster or XKS proxy cell (enrichments); "" when the column is absent. */
  enrichment: string;
  atRisk: boolean;
}

/** One read of the loaded document (it reloads itself every interval, so read it at once). */
function readPage(page: Page): Promise<Counts & { rows: Row[] }> {
  return page.evaluate(() => {
    const number = (element: Element) => Number(element.textContent);
    const states: Record<string, number> = {};
    for (const cell of Array.from(document.querySelectorAll("[data-state-count]"))) {
      states[cell.getAttribute("data-state-count") ?? ""] = number(cell);
    }
    const target = (status: string) =>
      number(document.querySelector(`[data-target-count="${status}"]`) as Element);
    const rows = Array.from(document.querySelectorAll("#stores tbody tr")).map((row) => {
      const cells = row.querySelectorAll("td");
      const store = cells[2] as HTMLTableCellElement;
      return {
        state: (cells[4]?.textContent ?? "").trim(),
        // The name is the cell's first text node; the id sits in its own span.
        storeName: store.childNodes[0]?.textContent ?? "",
        storeId: store.querySelector(".id")?.textContent ?? "",
        explanation: cells[5]?.textContent ?? "",
        enrichment: cells[8]?.textContent ?? "",
        atRisk: cells[8]?.hasAttribute("data-at-risk") ?? false,
      };
    });
    return { states, targetsUp: target("up"), targetsDown: target("down"), rows };
  });
}

describe("the status page in headless Chromium", () => {
  it.skipIf("skip" in browser)(
    "matches /metrics, puts FAILED stores first with explanations, filters, escapes, and is captured",
    async () => {
      const cli = await startCli(["--demo"]);
      await waitForReady(cli.url);
      // The enrichment calls of a round end after its polls: wait for the two demo stores
      // they flag (one HSM in one zone; a certificate 5 days from expiry).
      await until(async () => {
        const report = await (await fetch(`${cli.url}/status.json`)).json();
        return report.summary.storesAtRisk >= 2;
      });
      const { page } = await openBrowser((browser as { path: string }).path);

      // The demo moves (a store changes state, a target fails a third of its polls): compare
      // the page with /metrics as it was both just before and just after the page was read.
      let before: Awaited<ReturnType<typeof metricsCounts>> | undefined;
      let seen: Awaited<ReturnType<typeof readPage>> | undefined;
      for (let attempt = 0; attempt < 10; attempt++) {
        before = await metricsCounts(cli.url);
        await page.goto(`${cli.url}/`);
        seen = await readPage(page);
        const after = await metricsCounts(cli.url);
        if (JSON.stringify(before) === JSON.stringify(after)) break;
      }
      if (!before || !seen) throw new Error("no stable reading");
      expect(seen.states).toEqual(before.states);
      expect(seen.targetsUp).toBe(before.targetsUp);
      expect(seen.targetsDown).toBe(before.targetsDown);
      const failedCount = before.states.FAILED ?? 0;
      expect(failedCount).toBeGreaterThanOrEqual(3);

      // FAILED stores first, each with its error code, what it means and what to do.
      const failedRows = seen.rows.slice(0, failedCount);
      expect(failedRows.map((row) => row.state)).toEqual(failedRows.map(() => "✖ FAILED"));
      expect(failedRows.map((row) => row.storeId).sort()).toEqual(before.failedIds);
      expect(seen.rows.slice(failedCount).some((row) => row.state.includes("FAILED"))).toBe(false);
      for (const row of failedRows) {
        expect(row.explanation, row.storeName).toMatch(/^[A-Z_]+What it means:.+What to do:.+/s);
      }
      expect(failedRows.map((row) => row.explanation).join("\n")).toContain(
        "What it means:KMS could not reach the backing key store over the network.",
      );
      expect(await page.locator('meta[http-equiv="refresh"]').getAttribute("content")).toBe("5");

      // The enrichments: flagged in words (not by colour alone), with what flags them.
      const single = seen.rows.find((row) => row.storeName === "payments-eu-hsm-single");
      expect(single?.atRisk).toBe(true);
      expect(single?.enrichment).toContain("at risk: 1 ACTIVE HSM: KMS needs 2 to create keys");
      expect(single?.enrichment).toContain("Runbook: KMSCloudHsmKeyStoreAtRisk");
      const expiring = seen.rows.find((row) => row.storeName === "identity-xks-expiring");
      expect(expiring?.atRisk).toBe(true);
      expect(expiring?.enrichment).toContain(
        "renew soon Certificate hyok2.identity.example.org expires in 5 days",
      );
      const healthy = seen.rows.find((row) => row.storeName === "payments-hsm-primary");
      expect(healthy?.enrichment).toContain("2 ACTIVE HSMs in 2 zones");
      expect(healthy?.atRisk).toBe(false);
      expect(
        await page.locator("[data-at-risk-count]").textContent(),
        "the summary counts the flagged rows",
      ).toBe(String(seen.rows.filter((row) => row.atRisk).length));

      // A hostile store name is text: no element came out of it.
      const scenario = loadScenarioFile(DEMO_SCENARIO_PATH);
      const hostile = scenario.accounts
        .flatMap((account) => account.regions.flatMap((region) => region.stores))
        .find((store) => store.name.includes("</script>"));
      expect(hostile, "the demo has a store with a hostile name").toBeDefined();
      expect(seen.rows.find((row) => row.storeId === hostile?.id)?.storeName).toBe(hostile?.name);
      expect(await page.locator("script, img").count()).toBe(0);

      mkdirSync(ARTIFACTS, { recursive: true });
      const screenshot = join(ARTIFACTS, "status-page.png");
      await page.screenshot({ path: screenshot, fullPage: true });
      expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe("PNG");
      expect(statSync(screenshot).size).toBeGreaterThan(50_000);

      // The filter form works without JavaScript: a plain GET with query parameters.
      await page.selectOption("#filter-state", "DISCONNECTED");
      await page.click('form.filters button[type="submit"]');
      await page.waitForURL(/[?&]state=DISCONNECTED(&|$)/);
      const filtered = await readPage(page);
      expect(filtered.rows.length).toBeGreaterThan(0);
      expect(filtered.rows.map((row) => row.state)).toEqual(
        filtered.rows.map(() => "○ DISCONNECTED"),
      );
      // The summary still counts every store.
      expect(Object.values(filtered.states).reduce((a, b) => a + b, 0)).toBe(
        Object.values(before.states).reduce((a, b) => a + b, 0),
      );
      await page.goto(`${cli.url}/?state=FAILED&account=identity-prod`);
      const narrowed = await readPage(page);
      expect(narrowed.rows.map((row) => row.storeName)).toEqual(["identity-hsm-archive"]);
    },
    60_000,
  );
});
