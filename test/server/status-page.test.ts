import { describe, expect, it } from "vitest";
import { MAX_PAGE_ROWS, renderStatusPage } from "../../src/server/status-page.js";
import { StateStore } from "../../src/state/state.js";
import { buildStatus, NO_FILTERS, RUNBOOKS_URL } from "../../src/status/report.js";
import { keyStore, target } from "../helpers/stores.js";

const NOW = 1_800_000_000_000;
const CONTEXT = { version: "1.2.3", intervalMs: 30_000, nowMs: NOW };
const HOSTILE = `x"><script>alert('1')</script>&amp; ü`;
const PROD = target("111111111111", "us-east-1", "prod");

function page(stores = [keyStore()], filters = NO_FILTERS): string {
  const state = new StateStore();
  state.setTargets([PROD]);
  state.recordSuccess(PROD.key, stores, NOW - 1_000, 100);
  return renderStatusPage(buildStatus(state.states(), CONTEXT, filters), "/metrics");
}

describe("renderStatusPage", () => {
  it("escapes every value that came from AWS: name, id, type, state, error code, poll error", () => {
    const hostile = keyStore({
      id: `cks-${HOSTILE}`,
      name: HOSTILE,
      type: HOSTILE,
      state: HOSTILE,
      errorCode: HOSTILE,
    });
    const state = new StateStore();
    const account = target("111111111111", "us-east-1", HOSTILE);
    state.setTargets([account, target("222222222222", "us-east-1")]);
    state.recordSuccess(account.key, [hostile], NOW - 1_000, 100);
    state.recordFailure("222222222222/us-east-1", { name: HOSTILE, message: HOSTILE }, 10);
    const html = renderStatusPage(buildStatus(state.states(), CONTEXT), "/metrics");
    expect(html).not.toContain("<script>");
    expect(html).not.toContain(`x">`);
    expect(html).toContain("x&quot;&gt;&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt;&amp;amp; ü");
  });

  it("writes the state as a word with a symbol, not by colour alone", () => {
    const html = page([keyStore({ state: "FAILED", errorCode: "NETWORK_ERRORS" })]);
    expect(html).toContain('<span aria-hidden="true">✖</span> FAILED</span>');
  });

  it("explains a known error code in the runbook's words, with the code linked to its section", () => {
    const html = page([keyStore({ state: "FAILED", errorCode: "USER_LOCKED_OUT" })]);
    expect(html).toContain(`<a href="${RUNBOOKS_URL}#user_locked_out">USER_LOCKED_OUT</a>`);
    // Inline Markdown of the runbook becomes markup: code spans and links to sections.
    expect(html).toContain("The <code>kmsuser</code> crypto user is locked out");
    expect(html).toContain(`<a href="${RUNBOOKS_URL}#invalid_credentials">INVALID_CREDENTIALS</a>`);
    expect(html).toContain("What to do:");
  });

  it("says so when it does not know an error code", () => {
    const html = page([keyStore({ state: "FAILED", errorCode: "SOMETHING_NEW" })]);
    expect(html).toContain("does not know this error code");
    expect(html).toContain(`${RUNBOOKS_URL}#connection-error-codes`);
  });

  it("reloads itself every interval and links metrics, JSON (same filters) and runbooks", () => {
    const html = page([keyStore()], { states: ["FAILED"], accounts: ["prod"], regions: [] });
    expect(html).toContain('<meta http-equiv="refresh" content="30">');
    expect(html).toContain('href="/metrics"');
    expect(html).toContain('href="/status.json?state=FAILED&amp;account=prod"');
    expect(html).toContain(`href="${RUNBOOKS_URL}"`);
    expect(html).toContain("filtered by state FAILED, account prod");
    expect(html).toContain('<option value="FAILED" selected>FAILED</option>');
  });

  it(`shows at most ${MAX_PAGE_ROWS} stores and says where the rest are`, () => {
    const stores = Array.from({ length: MAX_PAGE_ROWS + 5 }, (_, index) =>
      keyStore({ id: `cks-${index}`, name: `store-${index}` }),
    );
    const html = page(stores);
    expect(html.match(/<td class="store">/g)).toHaveLength(MAX_PAGE_ROWS);
    expect(html).toContain(`${MAX_PAGE_ROWS + 5} of ${MAX_PAGE_ROWS + 5} stores`);
    expect(html).toContain(`The first ${MAX_PAGE_ROWS} are shown`);
  });

  it("tells time in state as 'at least' until it has seen the store change", () => {
    expect(page()).toContain("at least 1s");
  });
});
