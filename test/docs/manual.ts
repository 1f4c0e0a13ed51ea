import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../src/package/version.js";

/** The user's manual: the README and every page under docs/, as paths from the package root. */
export const MANUAL_PAGES = [
  "README.md",
  ...readdirSync(join(PACKAGE_ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`),
];

export function readPage(page: string): string {
  return readFileSync(join(PACKAGE_ROOT, page), "utf8");
}

/** The text of a page outside its fenced code blocks. */
export function prose(text: string): string {
  return text.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");
}
