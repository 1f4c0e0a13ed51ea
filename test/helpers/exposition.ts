import type { RenderedMetrics } from "../../src/metrics/cache.js";
import type { FamilyHeader } from "../../src/metrics/exposition.js";
import type { Part } from "../../src/metrics/part.js";
import { type Section, SectionChunks } from "../../src/metrics/section.js";

/**
 * A strict reader of the Prometheus text format for assertions: it unescapes label values
 * and fails loudly on any line it does not understand, so a serializer bug cannot hide.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseLabels(text: string, line: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let position = 0;
  if (text[position] !== "{") return { labels, rest: text };
  position++;
  while (text[position] !== "}") {
    const nameMatch = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(text.slice(position));
    if (!nameMatch) throw new Error(`bad label at ${position} in: ${line}`);
    const labelName = nameMatch[1] as string;
    position += nameMatch[0].length;
    let value = "";
    for (;;) {
      const character = text[position];
      if (character === undefined) throw new Error(`unterminated label value in: ${line}`);
      if (character === '"') break;
      if (character === "\\") {
        const escaped = text[position + 1];
        if (escaped === "n") value += "\n";
        else if (escaped === "\\" || escaped === '"') value += escaped;
        else throw new Error(`bad escape \\${escaped} in: ${line}`);
        position += 2;
        continue;
      }
      if (character === "\n") throw new Error(`raw newline in label value: ${line}`);
      value += character;
      position++;
    }
    position++;
    if (labelName in labels) throw new Error(`duplicate label ${labelName} in: ${line}`);
    labels[labelName] = value;
    if (text[position] === ",") position++;
  }
  return { labels, rest: text.slice(position + 1) };
}

export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) throw new Error(`bad sample line: ${line}`);
    const { labels, rest } = parseLabels(line.slice(nameMatch[0].length), line);
    const valueText = rest.trim().split(" ")[0] ?? "";
    const value =
      valueText === "+Inf" ? Infinity : valueText === "-Inf" ? -Infinity : Number(valueText);
    if (valueText === "" || (Number.isNaN(value) && valueText !== "NaN"))
      throw new Error(`bad value in: ${line}`);
    samples.push({ name: nameMatch[0], labels, value });
  }
  return samples;
}

export function samplesNamed(
  samples: Sample[],
  name: string,
  match: Record<string, string> = {},
): Sample[] {
  return samples.filter(
    (sample) =>
      sample.name === name &&
      Object.entries(match).every(([key, value]) => sample.labels[key] === value),
  );
}

export function sampleValue(
  samples: Sample[],
  name: string,
  match: Record<string, string> = {},
): number | undefined {
  const found = samplesNamed(samples, name, match);
  if (found.length > 1)
    throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(match)}`);
  return found[0]?.value;
}

/** A section's whole text, as one scrape writes it. */
export function sectionText<M>(section: Section<M>): string {
  return partsText(new SectionChunks(section).parts());
}

/** Parts as the text they hold, inflated where kept compressed. */
export function partsText(parts: readonly Part[]): string {
  return Buffer.concat(parts.map((part) => part.bytes())).toString("utf8");
}

/** A rendered exposition's plain text, as a scrape without gzip gets it. */
export function plainText(rendered: RenderedMetrics): string {
  return Buffer.concat(rendered.textParts()).toString("utf8");
}

/** Families under their headers, each with the lines of every source in order. */
export function familiesText(
  families: readonly FamilyHeader[],
  linesPerSource: readonly (readonly string[])[],
): string {
  return sectionText<readonly string[]>({
    families,
    headersWhenEmpty: true,
    changes: () => 0,
    eachMember: (visit) => linesPerSource.forEach(visit),
    stamp: () => 0,
    render: (lines) => lines,
  });
}
