import type { FaultSpec } from "./scenario.js";

/** A region's faults that script `operation` (faults without one script DescribeCustomKeyStores). */
export function faultsFor(faults: readonly FaultSpec[], operation: string): FaultSpec[] {
  return faults.filter((fault) => (fault.operation ?? "DescribeCustomKeyStores") === operation);
}

/**
 * The first scripted fault that applies to the `callNumber`-th (1-based) DescribeCustomKeyStores
 * call on a target. Random numbers are drawn only for probabilistic faults that are reached,
 * so a seeded run replays the same fault sequence.
 */
export function pickFault(
  faults: readonly FaultSpec[],
  callNumber: number,
  random: () => number,
): FaultSpec | undefined {
  return faults.find((fault) => {
    if (fault.calls !== undefined) return fault.calls.includes(callNumber);
    if (fault.probability !== undefined) return random() < fault.probability;
    return true;
  });
}
