import { RE2JS } from "re2js";
import type { StorePattern } from "../model.js";

/**
 * What RE2 refuses that JavaScript's RegExp accepts, in words. Prometheus relabelling speaks
 * RE2 too, so a pattern copied from there works here and the other way round.
 */
const UNSUPPORTED: Array<[RegExp, string]> = [
  [/\(\?<?[=!]/, "look-arounds ((?=…), (?!…), (?<=…), (?<!…)) are not supported in RE2 syntax"],
  [/\\[1-9]|\\k</, "back-references (\\1, \\k<name>) are not supported in RE2 syntax"],
];

/**
 * Compiles a pattern with RE2 semantics on a linear-time engine: matching a store name set by
 * anyone who can create a key store takes time in proportion to the name, whatever the
 * pattern (`(a+)+$` included).
 */
export function compileStorePattern(text: string): StorePattern | { problem: string } {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(text);
  } catch (error) {
    const why =
      UNSUPPORTED.find(([shape]) => shape.test(text))?.[1] ??
      (error as Error).message.replace(/^error parsing regexp: /, "");
    return { problem: why };
  }
  return { source: text, test: (input) => compiled.test(input) };
}
