import type { z } from "zod";
import { closestKey } from "./suggest.js";

/**
 * The validator's findings in the project's words: what was given, what is expected, and a
 * key the user may have meant. Passed to zod as the error map of every parse, so no zod
 * wording ("Invalid input: expected string, received number") ever reaches a user.
 */

/** A value as a user would recognise it from their YAML. */
export function shown(value: unknown): string {
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
    case "boolean":
      return String(value);
    case "object":
      return "a mapping (key: value)";
    default:
      return "nothing";
  }
}

const EXPECTED: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping (key: value)",
};

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function sizeProblem(issue: z.core.$ZodRawIssue, bound: "minimum" | "maximum"): string {
  const value = issue.input;
  const limit = Number((issue as unknown as Record<string, unknown>)[bound]);
  const inclusive = (issue as { inclusive?: boolean }).inclusive !== false;
  const origin = (issue as { origin?: string }).origin;
  if (origin === "array") {
    if (bound === "minimum" && limit <= 1) return "the list is empty";
    return `${bound === "minimum" ? "needs at least" : "takes at most"} ${limit} ${limit === 1 ? "entry" : "entries"}`;
  }
  if (origin === "string") {
    const length = typeof value === "string" ? value.length : 0;
    if (length === 0) return "must not be empty";
    return bound === "minimum"
      ? `${shown(value)} is too short: at least ${plural(limit, "character")}`
      : `too long: at most ${plural(limit, "character")}, got ${length}`;
  }
  const relation =
    bound === "minimum"
      ? inclusive
        ? `at least ${limit}`
        : `more than ${limit}`
      : inclusive
        ? `at most ${limit}`
        : `less than ${limit}`;
  return `${shown(value)} is ${bound === "minimum" ? "too small" : "too large"}: must be ${relation}`;
}

function unknownKeys(issue: z.core.$ZodRawIssue): string {
  const keys = (issue as { keys?: string[] }).keys ?? [];
  const shape = (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def
    ?.shape;
  const known = shape ? Object.keys(shape) : [];
  return keys.map((key) => unknownKeyProblem(key, known)).join("\n");
}

/** `key: unknown key; did you mean …?`, one per line, for describeIssue to place. */
export function unknownKeyProblem(key: string, known: readonly string[]): string {
  const meant = closestKey(key, known);
  return `${key}: unknown key${meant ? `; did you mean ${meant}?` : ""}`;
}

/** zod error map: every issue zod can raise on the config schema, in our words. */
export function configErrorMap(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case "invalid_type": {
      if (issue.input === undefined) return "is required";
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return `expected ${expected}, got ${shown(issue.input)}`;
    }
    case "too_small":
      return sizeProblem(issue, "minimum");
    case "too_big":
      return sizeProblem(issue, "maximum");
    case "unrecognized_keys":
      return unknownKeys(issue);
    case "invalid_value":
      return `${shown(issue.input)} is not one of ${issue.values.map((v) => String(v)).join(", ")}`;
    default:
      return `${shown(issue.input)} is not valid here`;
  }
}

/** A path as the user would write it: `accounts[0].roleArn`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`,
    )
    .join("");
}

/** One line per problem, each starting with the key it is about. */
export function describeIssue(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[] = []) {
  const at = issuePath([...prefix, ...issue.path]);
  if (issue.code === "unrecognized_keys") {
    return issue.message.split("\n").map((line) => (at === "" ? line : `${at}.${line}`));
  }
  return [`${at === "" ? "(top level)" : at}: ${issue.message}`];
}
