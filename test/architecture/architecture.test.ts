import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const SRC = join(ROOT, "src");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Relative imports of a file (type-only ones too: they tie modules together just the same). */
function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const specifiers: string[] = [];
  source.forEachChild((node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      node.moduleSpecifier.text.startsWith(".")
    ) {
      specifiers.push(resolve(dirname(file), node.moduleSpecifier.text.replace(/\.js$/, ".ts")));
    }
  });
  return specifiers;
}

/** src/aws/x.ts → "aws"; src/exporter.ts → "exporter.ts". */
function unitOf(file: string): string {
  return relative(SRC, file).split("/")[0] ?? "";
}

function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "open") return [...path.slice(path.indexOf(node)), node];
    state.set(node, "open");
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Files that hold logic: anything beyond type declarations and re-exports. */
function holdsLogic(file: string): boolean {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  return source.statements.some(
    (statement) =>
      !ts.isInterfaceDeclaration(statement) &&
      !ts.isTypeAliasDeclaration(statement) &&
      !ts.isImportDeclaration(statement) &&
      !ts.isExportDeclaration(statement),
  );
}

const product = filesUnder(SRC).filter((file) => !file.startsWith(join(SRC, "simulator")));

describe("architecture", () => {
  it("has no import cycle between src/'s top-level folders and files", () => {
    const graph = new Map<string, Set<string>>();
    for (const file of filesUnder(SRC)) {
      const from = unitOf(file);
      const edges = graph.get(from) ?? new Set<string>();
      for (const target of importsOf(file)) {
        const to = unitOf(target);
        if (to !== from) edges.add(to);
      }
      graph.set(from, edges);
    }
    expect(findCycle(graph)).toBeUndefined();
  });

  it("keeps product files under 300 lines and classes under 200", () => {
    const tooLong: string[] = [];
    for (const file of product) {
      const text = readFileSync(file, "utf8");
      const lines = text.split("\n").length;
      if (lines > 300) tooLong.push(`${relative(ROOT, file)}: ${lines} lines`);
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node) => {
        if (ts.isClassDeclaration(node)) {
          const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
          const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
          if (end - start + 1 > 200)
            tooLong.push(
              `${relative(ROOT, file)}: class ${node.name?.text} ${end - start + 1} lines`,
            );
        }
        node.forEachChild(visit);
      };
      visit(source);
    }
    expect(tooLong).toEqual([]);
  });

  it("imports at least 90% of the product modules that hold logic directly from a test", () => {
    const imported = new Set(filesUnder(join(ROOT, "test")).flatMap(importsOf));
    const logic = product.filter(holdsLogic);
    const untested = logic
      .filter((file) => !imported.has(file))
      .map((file) => relative(ROOT, file));
    const share = (logic.length - untested.length) / logic.length;
    expect(share, `not imported by any test: ${untested.join(", ")}`).toBeGreaterThanOrEqual(0.9);
  });
});
