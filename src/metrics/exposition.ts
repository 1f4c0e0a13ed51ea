/**
 * The Prometheus text format (version 0.0.4), written by hand for the series built from
 * snapshots: prom-client's internal series key joins `name:value,` pairs, so two stores
 * whose user-chosen names contain such text could merge into one series.
 */

export type Labels = ReadonlyArray<readonly [name: string, value: string]>;

export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (character) =>
    character === "\\" ? "\\\\" : character === '"' ? '\\"' : "\\n",
  );
}

function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (character) => (character === "\\" ? "\\\\" : "\\n"));
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

export function sampleLine(name: string, labels: Labels, value: number): string {
  const body = labels.map(([label, text]) => `${label}="${escapeLabelValue(text)}"`).join(",");
  return `${name}{${body}} ${formatValue(value)}\n`;
}

export interface FamilyHeader {
  name: string;
  help: string;
  type: "gauge" | "counter" | "histogram" | "summary";
}

export function familyHeader(family: FamilyHeader): string {
  return `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
}
