import { escapeLabelValue, type FamilyHeader, familyHeader, formatValue } from "./exposition.js";

interface Series<L extends string> {
  labels: Partial<Record<L, string>>;
  /** `name{labels} `, escaped once when the series is first counted. */
  prefix: string;
  value: number;
}

/**
 * A counter with labels, rendered by hand. The exporter's per-target counters have a series
 * per target (and operation, error): at 10,000 targets prom-client formatted some 15,000
 * series on every scrape, most of a scrape's time (BENCHMARKS.md). Here each series'
 * name and labels are escaped once, and the family's text is rebuilt only after a change.
 * The methods the exporter and its tests use (`inc`, `get`, `remove`) read as prom-client's.
 * Its key joins the label values with a NUL, which no two different label sets share.
 */
export class LabeledCounter<L extends string> {
  private readonly series = new Map<string, Series<L>>();
  private text: string | undefined;
  private readonly header: string;

  constructor(private readonly family: FamilyHeader & { labelNames: readonly L[] }) {
    this.header = familyHeader(family);
  }

  private keyOf(labels: Partial<Record<L, string>>): string {
    return this.family.labelNames.map((name) => labels[name] ?? "").join("\u0000");
  }

  inc(labels: Partial<Record<L, string>>, value = 1): void {
    if (!(value >= 0)) throw new Error(`${this.family.name}: a counter cannot move by ${value}`);
    const key = this.keyOf(labels);
    let series = this.series.get(key);
    if (!series) {
      const body = this.family.labelNames
        .filter((name) => labels[name] !== undefined)
        .map((name) => `${name}="${escapeLabelValue(labels[name] as string)}"`)
        .join(",");
      series = { labels: { ...labels }, prefix: `${this.family.name}{${body}} `, value: 0 };
      this.series.set(key, series);
    }
    series.value += value;
    this.text = undefined;
  }

  remove(labels: Partial<Record<L, string>>): void {
    if (this.series.delete(this.keyOf(labels))) this.text = undefined;
  }

  async get(): Promise<{ values: { labels: Partial<Record<L, string>>; value: number }[] }> {
    return {
      values: [...this.series.values()].map(({ labels, value }) => ({ labels, value })),
    };
  }

  /** The family in the text format, header included even without series (as prom-client). */
  render(): string {
    if (this.text === undefined) {
      let text = this.header;
      for (const series of this.series.values())
        text += `${series.prefix}${formatValue(series.value)}\n`;
      this.text = text;
    }
    return this.text;
  }
}
