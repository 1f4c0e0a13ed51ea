import { existsSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/package/version.js";
import { MANUAL_PAGES, prose, readPage } from "./manual.js";

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replaceAll(" ", "-");
}

function anchorsOf(page: string): Set<string> {
  const headings = prose(readPage(page)).match(/^#{1,6} .+$/gm) ?? [];
  return new Set(headings.map((line) => anchor(line.replace(/^#+ /, ""))));
}

/** Relative links of a page: [text](target) outside code, web addresses left out. */
function relativeLinks(page: string): string[] {
  const targets = [...prose(readPage(page)).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? "");
  return targets.filter((target) => !/^[a-z]+:/.test(target));
}

describe("the manual's links", () => {
  it("splits the README into docs/ pages", () => {
    expect(MANUAL_PAGES).toEqual(
      expect.arrayContaining([
        "docs/configuration.md",
        "docs/metrics.md",
        "docs/alerts.md",
        "docs/runbooks.md",
        "docs/deployment.md",
        "docs/iam.md",
        "docs/operations.md",
        "docs/architecture.md",
      ]),
    );
    // CI runs the README's test command.
    expect(readPage("README.md")).toContain("npm test");
  });

  it("links the README to every page of docs/", () => {
    const linked = new Set(relativeLinks("README.md").map((target) => target.split("#")[0]));
    for (const page of MANUAL_PAGES.filter((p) => p !== "README.md")) {
      expect(linked, page).toContain(page);
    }
  });

  it.each(MANUAL_PAGES)("%s links only to files and headings that exist", (page) => {
    const broken: string[] = [];
    for (const target of relativeLinks(page)) {
      const [path = "", fragment] = target.split("#");
      const linked = path === "" ? page : normalize(join(dirname(page), path));
      if (!existsSync(join(PACKAGE_ROOT, linked))) broken.push(`${target}: no file ${linked}`);
      else if (fragment !== undefined && linked.endsWith(".md") && !anchorsOf(linked).has(fragment))
        broken.push(`${target}: no heading #${fragment} in ${linked}`);
    }
    expect(broken).toEqual([]);
  });
});
