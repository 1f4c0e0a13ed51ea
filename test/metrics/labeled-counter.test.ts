import { Counter, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { LabeledCounter } from "../../src/metrics/labeled-counter.js";
import { SectionChunks } from "../../src/metrics/section.js";
import { parseExposition, partsText, samplesNamed, sectionText } from "../helpers/exposition.js";

const FAMILY = {
  name: "kms_keystore_exporter_api_requests_total",
  help: "HTTP attempts to AWS APIs, retries included.",
  type: "counter" as const,
  labelNames: ["account_id", "region", "operation"] as const,
};

describe("LabeledCounter", () => {
  it("renders what prom-client renders for the same counts", async () => {
    const counter = new LabeledCounter(FAMILY);
    const registry = new Registry();
    const reference = new Counter({
      ...FAMILY,
      labelNames: [...FAMILY.labelNames],
      registers: [registry],
    });
    expect(sectionText(counter)).toBe(await registry.metrics());
    for (const [labels, value] of [
      [{ account_id: "111111111111", region: "us-east-1", operation: "AssumeRole" }, 1],
      [
        { account_id: "111111111111", region: "eu-west-1", operation: "DescribeCustomKeyStores" },
        2.5,
      ],
      [{ account_id: "111111111111", region: "us-east-1", operation: "AssumeRole" }, 1],
    ] as const) {
      counter.inc(labels, value);
      reference.inc(labels, value);
    }
    expect(sectionText(counter)).toBe(await registry.metrics());
    expect((await counter.get()).values).toEqual((await reference.get()).values);
  });

  it("keeps label sets apart that a joined key would merge, and escapes values", () => {
    const counter = new LabeledCounter(FAMILY);
    counter.inc({ account_id: "a", region: "x,operation:y", operation: "z" });
    counter.inc({ account_id: "a", region: "x", operation: 'y,operation:z "q"\n' });
    const samples = samplesNamed(parseExposition(sectionText(counter)), FAMILY.name);
    expect(samples.map((sample) => sample.labels.operation)).toEqual(["z", 'y,operation:z "q"\n']);
  });

  it("renders a target's series again only after they change, and forgets removed targets", () => {
    const counter = new LabeledCounter(FAMILY);
    const chunks = new SectionChunks(counter);
    const labels = { account_id: "1", region: "r", operation: "o" };
    counter.inc(labels);
    const [, first] = chunks.parts();
    expect(chunks.parts()[1]).toBe(first);
    counter.inc(labels, 2);
    expect(chunks.parts()[1]).not.toBe(first);
    expect(sectionText(counter)).toContain("} 3\n");
    counter.inc({ account_id: "2", region: "r", operation: "o" });
    chunks.parts();
    counter.forgetTargets(new Set(["1/r"]));
    // The same chunks as before: forgetting is a change the next scrape sees.
    const text = partsText(chunks.parts());
    expect(
      samplesNamed(parseExposition(text), FAMILY.name).map((s) => s.labels.account_id),
    ).toEqual(["2"]);
  });

  it("counts by zero, and leaves out a label it was not given", () => {
    const counter = new LabeledCounter(FAMILY);
    counter.inc({ account_id: "1", region: "r" }, 0);
    expect(sectionText(counter)).toContain(`${FAMILY.name}{account_id="1",region="r"} 0\n`);
  });

  it("refuses to count down", () => {
    const counter = new LabeledCounter(FAMILY);
    expect(() => counter.inc({ account_id: "1" }, -1)).toThrow(/cannot move by -1/);
    expect(() => counter.inc({ account_id: "1" }, Number.NaN)).toThrow(/cannot move/);
  });
});
