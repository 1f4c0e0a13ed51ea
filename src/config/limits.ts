import { z } from "zod";
import { shown } from "./issues.js";
import { compileStorePattern } from "./store-pattern.js";

/**
 * Limits on list sizes and numbers. Beyond them a config is a mistake or an attack: each
 * item costs a timer, clients and a poll, and checking a huge list stalls a reload.
 */
export const LIMITS = {
  /** AWS has about 35 regions; one list never needs more. */
  regionsPerList: 64,
  accounts: 10_000,
  /** Patterns per include or exclude list, and characters per pattern. */
  patternsPerFilter: 100,
  patternLength: 1_000,
  excludedAccounts: 10_000,
  organizationalUnits: 1_000,
  concurrency: 1_000,
  /** A poll more often than this would be throttled by KMS anyway (5 calls/s). */
  minIntervalMs: 1_000,
  /** Calls per second per target: at least one in 100 s, so a poll ever ends. */
  minRatePerSecond: 0.01,
  maxRatePerSecond: 1_000,
} as const;

/**
 * A list refused by its length before any item is checked, so a huge list costs nothing;
 * the message names the limit.
 */
export function boundedList<T extends z.ZodType>(
  item: T,
  max: number,
  what: string,
  min: [number, string?] = [0],
) {
  return z
    .array(z.unknown())
    .max(max, `too many ${what}: at most ${max} (a limit of the exporter)`)
    .pipe(z.array(item).min(...min));
}

/** A regular expression on store names and ids (RE2 syntax), compiled once here. */
export const storePattern = z
  .string()
  .max(LIMITS.patternLength)
  .transform((text, context) => {
    const compiled = compileStorePattern(text);
    if ("problem" in compiled) {
      context.addIssue({
        code: "custom",
        message: `${shown(text)} is not an RE2 regular expression (the syntax Prometheus uses): ${compiled.problem}`,
      });
      return z.NEVER;
    }
    return compiled;
  });
