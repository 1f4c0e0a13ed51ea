import { fleetBenchmark } from "./fleet.js";
import { soakBenchmark } from "./soak.js";
import { throttleBenchmark } from "./throttle.js";

/** `npm run bench -- NAME`: runs one benchmark and prints its figures. */
const BENCHMARKS: Record<string, (argv: string[]) => Promise<void>> = {
  fleet: fleetBenchmark,
  soak: soakBenchmark,
  throttle: throttleBenchmark,
};

const name = process.argv[2] ?? "fleet";
const run = BENCHMARKS[name];
if (!run) {
  console.error(`unknown benchmark ${name}; one of: ${Object.keys(BENCHMARKS).join(", ")}`);
  process.exit(2);
}
run(process.argv.slice(3)).then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
