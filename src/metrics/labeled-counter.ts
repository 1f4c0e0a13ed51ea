import { escapeLabelValue, type FamilyHeader, formatValue } from "./exposition.js";
import type { Section } from "./section.js";

interface Series {
  labels: Partial<Record<string, string>>;
  /** `name{labels} `, escaped once when the series is first counted. */
  prefix: string;
  value: number;
}

/** One target's series of the family; `version` moves with each of their changes. */
interface TargetGroup {
  version: number;
  series: Map<string, Series>;
}

type TargetLabel = "account_id" | "region";

/**
 * A counter with a series per target (and operation, error, …), rendered by hand as a
 * Section: its series are grouped by target (in the order targets are first counted, each
 * target's series in the order they are first counted), so a poll's increments make only
 * that target's chunk render again. At 10,000 targets prom-client formatted some 15,000
 * such series on every scrape, most of a scrape's time (BENCHMARKS.md). A series' key joins
 * its label values with a NUL, which no two different label sets share.
 */
export class LabeledCounter<L extends string> implements Section<TargetGroup> {
  readonly families: readonly FamilyHeader[];
  readonly headersWhenEmpty = true;
  readonly blankLineAfter: boolean;
  private readonly groups = new Map<string, TargetGroup>();
  /** Bumped with every change of any group, and when a group goes. */
  private version = 0;

  /** `blankLineAfter`: for a family that prom-client wrote before (process-series.ts). */
  constructor(
    private readonly family: FamilyHeader & {
      labelNames: readonly (L | TargetLabel)[];
      blankLineAfter?: boolean;
    },
  ) {
    this.families = [family];
    this.blankLineAfter = family.blankLineAfter ?? false;
  }

  private keyOf(labels: Partial<Record<string, string>>, names: readonly string[]): string {
    return names.map((name) => labels[name] ?? "").join("\u0000");
  }

  inc(labels: Partial<Record<L | TargetLabel, string>>, value = 1): void {
    if (!(value >= 0)) throw new Error(`${this.family.name}: a counter cannot move by ${value}`);
    const targetKey = this.keyOf(labels, ["account_id", "region"]);
    let group = this.groups.get(targetKey);
    if (!group) {
      group = { version: 0, series: new Map() };
      this.groups.set(targetKey, group);
    }
    const key = this.keyOf(labels, this.family.labelNames);
    let series = group.series.get(key);
    if (!series) {
      const body = this.family.labelNames
        .filter((name) => labels[name] !== undefined)
        .map((name) => `${name}="${escapeLabelValue(labels[name] as string)}"`)
        .join(",");
      series = { labels: { ...labels }, prefix: `${this.family.name}{${body}} `, value: 0 };
      group.series.set(key, series);
    }
    series.value += value;
    group.version++;
    this.version++;
  }

  /** Every series, in prom-client's shape (tests read counters the same way). */
  async get(): Promise<{
    values: { labels: Partial<Record<L | TargetLabel, string>>; value: number }[];
  }> {
    const values = [];
    for (const group of this.groups.values()) {
      for (const { labels, value } of group.series.values()) values.push({ labels, value });
    }
    return { values };
  }

  /** Drops every series of these targets (`account_id/region` keys). */
  forgetTargets(targetKeys: ReadonlySet<string>): void {
    for (const key of this.groups.keys()) {
      if (targetKeys.has(key.replace("\u0000", "/"))) {
        this.groups.delete(key);
        this.version++;
      }
    }
  }

  changes(): number {
    return this.version;
  }

  eachMember(visit: (group: TargetGroup) => void): void {
    for (const group of this.groups.values()) visit(group);
  }

  stamp(group: TargetGroup): number {
    return group.version;
  }

  render(group: TargetGroup): string[] {
    let text = "";
    for (const series of group.series.values())
      text += `${series.prefix}${formatValue(series.value)}\n`;
    return [text];
  }
}
