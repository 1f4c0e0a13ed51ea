import { readFileSync } from "node:fs";
import { ConnectionErrorCodeType } from "@aws-sdk/client-kms";
import { describe, expect, it } from "vitest";
import {
  alertRules,
  DEFAULT_RUNBOOK_BASE,
  dashboardLinks,
  grafanaVariable,
  headingAnchors,
  RUNBOOKS_FILE,
  readDashboard,
} from "./files.js";

const markdown = readFileSync(RUNBOOKS_FILE, "utf8");
const anchors = headingAnchors(markdown);
const errorCodes = Object.values(ConnectionErrorCodeType);

// KMSCustomKeyStoreFailed links to the section of the store's error code, lower-cased,
// or to its own section when AWS reports no code.
const ERROR_CODE_FRAGMENT =
  /^\{\{ with \$labels\.error_code \}\}\{\{ \. \| toLower \}\}\{\{ else \}\}([\w-]+)\{\{ end \}\}$/;

/** The anchors a runbook_url can render to. */
function fragmentsOf(url: string): string[] {
  expect(url.startsWith(`${DEFAULT_RUNBOOK_BASE}#`), url).toBe(true);
  const fragment = url.slice(DEFAULT_RUNBOOK_BASE.length + 1);
  if (!fragment.includes("{{")) return [fragment];
  const fallback = ERROR_CODE_FRAGMENT.exec(fragment)?.[1];
  if (fallback === undefined)
    throw new Error(`a runbook_url template this test cannot expand: ${url}`);
  return [fallback, ...errorCodes.map((code) => code.toLowerCase())];
}

describe("docs/runbooks.md", () => {
  it("has a section for every alert, and every runbook_url anchor exists", () => {
    const rules = alertRules();
    expect(rules).toHaveLength(14);
    for (const rule of rules) {
      expect(anchors, `section for ${rule.alert}`).toContain(rule.alert?.toLowerCase());
      const url = rule.annotations?.runbook_url ?? "";
      for (const fragment of fragmentsOf(url)) {
        expect(anchors, `${rule.alert}: #${fragment}`).toContain(fragment);
      }
    }
  });

  it("has a section for every ConnectionErrorCode the KMS API defines", () => {
    expect(errorCodes).toHaveLength(18);
    for (const code of errorCodes) expect(anchors, code).toContain(code.toLowerCase());
  });

  it("has every anchor that its own links and the dashboard's links point at", () => {
    const internal = [...markdown.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1]);
    expect(internal.length).toBeGreaterThan(20);
    for (const fragment of internal) expect(anchors, `#${fragment}`).toContain(fragment);

    const dashboard = readDashboard();
    const base = dashboard.templating.list.find((variable) => variable.name === "runbooks");
    expect(base?.query).toBe(DEFAULT_RUNBOOK_BASE);
    const links = dashboardLinks(dashboard).filter((url) =>
      url.startsWith(grafanaVariable("runbooks")),
    );
    expect(links.length).toBeGreaterThan(5);
    for (const url of links) {
      const fragment = url.split("#")[1];
      if (fragment !== undefined) expect(anchors, url).toContain(fragment);
    }
  });
});
