import { fleetBenchmark } from "./fleet.js";

/** `npm run bench -- NAME`: runs one benchmark and prints its figures. */
const BENCHMARKS: Record<string, () => Promise<void>> = {
  fleet: fleetBenchmark,
};

const name = process.argv[2] ?? "fleet";
const run = BENCHMARKS[name];
if (!run) {
  console.error(`unknown benchmark ${name}; one of: ${Object.keys(BENCHMARKS).join(", ")}`);
  process.exit(2);
}
run().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
