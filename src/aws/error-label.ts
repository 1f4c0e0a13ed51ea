/**
 * Bounds on the `error` label. AWS names its exceptions with letters, digits and dots; a
 * name outside that shape, or one more than the per-target budget, is counted as `Other`,
 * so a proxy or fake that invents names cannot grow /metrics without end.
 */
const AWS_ERROR_NAME = /^[A-Za-z][A-Za-z0-9.]{0,63}$/;

export const OTHER_ERROR = "Other";
/** Distinct error names kept per target (per role for AssumeRole); the rest are `Other`. */
export const MAX_ERROR_NAMES_PER_TARGET = 32;

/** An exception name as AWS sent it, or `Other` when it does not look like one. */
export function awsErrorName(name: string): string {
  return AWS_ERROR_NAME.test(name) ? name : OTHER_ERROR;
}

/** Remembers the error names each scope (a target) has been counted under, up to `max`. */
export class ErrorLabels {
  private readonly seen = new Map<string, Set<string>>();

  constructor(private readonly max = MAX_ERROR_NAMES_PER_TARGET) {}

  /** The label to count `name` under in `scope`: itself while the budget lasts, else `Other`. */
  label(scope: string, name: string): string {
    let names = this.seen.get(scope);
    if (names === undefined) {
      names = new Set();
      this.seen.set(scope, names);
    }
    if (names.has(name)) return name;
    if (names.size >= this.max) return OTHER_ERROR;
    names.add(name);
    return name;
  }

  /** A target that went takes its budget with it. */
  forget(scope: string): void {
    this.seen.delete(scope);
  }
}
