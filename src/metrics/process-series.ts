import { type FamilyHeader, formatValue, type Labels, sampleLine } from "./exposition.js";
import type { Section } from "./section.js";

/**
 * A process-wide gauge or counter (build facts, settings, reload and discovery outcomes):
 * a few series, rendered by hand as a Section like every other family of the exporter's
 * own. Each family is followed by a blank line, as when prom-client wrote them, so that the
 * exposition stays byte for byte what it was.
 */
export class ProcessSeries<L extends string = never> implements Section<ProcessSeries<L>> {
  readonly families: readonly FamilyHeader[];
  readonly headersWhenEmpty = true;
  readonly blankLineAfter = true;
  private readonly series = new Map<
    string,
    { labels: Labels; byName: Partial<Record<L, string>>; value: number }
  >();
  private version = 0;

  constructor(private readonly family: FamilyHeader & { labelNames?: readonly L[] }) {
    this.families = [family];
    this.initial();
  }

  /** A family without labels has its one series from the start, at 0 (as in prom-client). */
  private initial(): void {
    if ((this.family.labelNames ?? []).length === 0) this.entry({});
  }

  private entry(labels: Partial<Record<L, string>>): { labels: Labels; value: number } {
    const pairs: Labels = (this.family.labelNames ?? [])
      .filter((name) => labels[name] !== undefined)
      .map((name) => [name, labels[name] as string] as const);
    const key = pairs.map(([, value]) => value).join("\u0000");
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels: pairs, byName: { ...labels }, value: 0 };
      this.series.set(key, entry);
    }
    return entry;
  }

  set(value: number): void;
  set(labels: Partial<Record<L, string>>, value: number): void;
  set(first: number | Partial<Record<L, string>>, second?: number): void {
    const [labels, value] = typeof first === "number" ? [{}, first] : [first, second ?? 0];
    this.entry(labels).value = value;
    this.version++;
  }

  inc(value = 1): void {
    if (this.family.type === "counter" && !(value >= 0)) {
      throw new Error(`${this.family.name}: a counter cannot move by ${value}`);
    }
    this.entry({}).value += value;
    this.version++;
  }

  /** Drops every series. */
  reset(): void {
    this.series.clear();
    this.initial();
    this.version++;
  }

  /** Every series, in prom-client's shape (tests read them the same way). */
  async get(): Promise<{ values: { labels: Partial<Record<L, string>>; value: number }[] }> {
    return {
      values: [...this.series.values()].map(({ byName, value }) => ({ labels: byName, value })),
    };
  }

  changes(): number {
    return this.version;
  }

  /** The family's one member is the family itself. */
  eachMember(visit: (member: this) => void): void {
    visit(this);
  }

  stamp(): number {
    return this.version;
  }

  render(): string[] {
    let text = "";
    for (const { labels, value } of this.series.values()) {
      text +=
        labels.length === 0
          ? `${this.family.name} ${formatValue(value)}\n`
          : sampleLine(this.family.name, labels, value);
    }
    return [text];
  }
}
