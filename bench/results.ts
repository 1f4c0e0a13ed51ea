import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { arch, cpus, totalmem } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../src/package/version.js";

/** One line of the benchmark table: the exporter's figure beside its in-run baseline. */
export interface Figure {
  scenario: string;
  figure: string;
  value: number;
  unit: string;
  baseline: string;
  baselineValue: number;
  /** value / baselineValue, or what the goal is stated in. */
  ratio: number;
  goal: string;
  met: boolean;
}

const RESULTS = join(PACKAGE_ROOT, "bench", "results.json");

function format(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

export function printFigure(figure: Figure): void {
  console.log(
    `  ${figure.figure}: ${format(figure.value)} ${figure.unit} | baseline (${figure.baseline}): ${format(figure.baselineValue)} ${figure.unit} | ratio ${figure.ratio.toFixed(2)} | goal ${figure.goal}: ${figure.met ? "met" : "MISSED"}`,
  );
}

/**
 * Prints the figures and replaces this scenario's entries in bench/results.json (not with
 * BENCH_NO_RESULTS=1: a sizing run at other sizes than the table's).
 */
export function recordFigures(scenario: string, figures: Figure[]): void {
  for (const figure of figures) printFigure(figure);
  if (process.env.BENCH_NO_RESULTS === "1") return;
  const previous = existsSync(RESULTS)
    ? (JSON.parse(readFileSync(RESULTS, "utf8")) as { figures: Figure[] })
    : { figures: [] };
  const results = {
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? "unknown",
      arch: arch(),
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    updatedAt: new Date().toISOString(),
    figures: [...previous.figures.filter((figure) => figure.scenario !== scenario), ...figures],
  };
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
}
