#!/usr/bin/env node
// Writes src/status/error-codes.ts from the "Connection error codes" sections of
// docs/runbooks.md, so that the status page and the runbook explain each ConnectionErrorCode
// in the same words, from one source. Per code it takes the "Meaning." paragraph (with its
// bullet list, if any) and the first paragraph of "Fix.".
//
//   node scripts/generate-error-codes.mjs [--output=FILE|-]
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = "docs/runbooks.md";
const TARGET = "src/status/error-codes.ts";
const SECTION = "## Connection error codes";

/** Paragraphs and bullet lists of a Markdown block, soft line breaks joined. */
function blocks(text) {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((paragraph) => {
      const lines = paragraph.split("\n").map((line) => line.trim());
      if (!lines[0].startsWith("- ")) return lines.join(" ");
      const items = [];
      for (const line of lines) {
        if (line.startsWith("- ")) items.push(line.slice(2));
        else items[items.length - 1] += ` ${line}`;
      }
      return items;
    });
}

/** The text after `**Label.**` up to the next bold label, heading or code block. */
function labelled(section, label, code) {
  const start = section.indexOf(`**${label}.**`);
  if (start < 0) throw new Error(`${SOURCE}: ### ${code} has no **${label}.**`);
  const rest = section.slice(start + label.length + 5);
  const end = rest.search(/\n\n(\*\*[A-Z][\w ]*\.\*\*|#|```)/);
  return end < 0 ? rest : rest.slice(0, end);
}

function generate(markdown) {
  const start = markdown.indexOf(`\n${SECTION}\n`);
  if (start < 0) throw new Error(`${SOURCE}: no "${SECTION}" section`);
  const after = markdown.slice(start + SECTION.length + 2);
  const next = after.search(/\n## /);
  const section = next < 0 ? after : after.slice(0, next);
  const help = {};
  for (const part of section.split(/\n### /).slice(1)) {
    const code = part.slice(0, part.indexOf("\n")).trim();
    if (!/^[A-Z0-9_]+$/.test(code)) throw new Error(`${SOURCE}: odd error code heading ${code}`);
    const fix = blocks(labelled(part, "Fix", code));
    if (typeof fix[0] !== "string")
      throw new Error(`${SOURCE}: ### ${code}: Fix starts with a list`);
    help[code] = { meaning: blocks(labelled(part, "Meaning", code)), fix: fix[0] };
  }
  if (Object.keys(help).length === 0) throw new Error(`${SOURCE}: no error code sections`);
  const source = `// Generated from ${SOURCE} by scripts/generate-error-codes.mjs (npm run generate).
// Edit the runbook's "${SECTION.slice(3)}" sections and regenerate; a test fails when this
// file is out of date.

/** A paragraph, or the items of a bullet list; inline Markdown: \`code\` and [text](#anchor). */
export type RunbookBlock = string | readonly string[];

export interface ErrorCodeHelp {
  meaning: readonly RunbookBlock[];
  /** The first paragraph of the runbook's Fix: what to do, in short. */
  fix: string;
}

export const ERROR_CODE_HELP: Readonly<Record<string, ErrorCodeHelp>> = ${JSON.stringify(help)};
`;
  // Formatted by the project's own formatter, so the file passes \`npm run lint\` as written.
  return execFileSync(
    join(ROOT, "node_modules/.bin/biome"),
    ["format", `--stdin-file-path=${TARGET}`],
    { cwd: ROOT, input: source, encoding: "utf8" },
  );
}

const { values } = parseArgs({ options: { output: { type: "string" } } });
const text = generate(readFileSync(join(ROOT, SOURCE), "utf8"));
const output = values.output ?? join(ROOT, TARGET);
if (output === "-") process.stdout.write(text);
else writeFileSync(output, text);
