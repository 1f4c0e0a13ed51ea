import {
  latencyBenchmark,
  memoryBenchmark,
  scrapeBenchmark,
  throughputBenchmark,
} from "./scenarios.js";
import { smokeBenchmark } from "./smoke.js";
import { soakBenchmark } from "./soak.js";
import { throttleBenchmark } from "./throttle.js";

/** `npm run bench -- NAME [options]`: runs one benchmark and prints its figures. */
const BENCHMARKS: Record<string, (argv: string[]) => Promise<void>> = {
  throughput: throughputBenchmark,
  latency: latencyBenchmark,
  scrape: scrapeBenchmark,
  memory: memoryBenchmark,
  smoke: smokeBenchmark,
  soak: soakBenchmark,
  throttle: throttleBenchmark,
};

const name = process.argv[2];
const run = name === undefined ? undefined : BENCHMARKS[name];
if (!run) {
  console.error(
    `usage: npm run bench -- NAME [--accounts N] [--minutes M]; NAME is one of ${Object.keys(BENCHMARKS).join(", ")}`,
  );
  process.exit(2);
}
run(process.argv.slice(3)).then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
