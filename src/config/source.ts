import { readFileSync } from "node:fs";
import { parseDocument, type YAMLError } from "yaml";

/** The config file's parsed YAML, or what stopped it from being read, each problem prefixed. */
export type ConfigSource = { value: unknown; problems: [] } | { problems: string[] };

export type ReadFile = (path: string) => string;

export const readUtf8: ReadFile = (path) => readFileSync(path, "utf8");

/** Node's error codes for a file that cannot be read, said in words. */
const READ_ERRORS: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "is a directory, not a file",
  EACCES: "permission denied: the exporter's user cannot read it",
  EPERM: "permission denied: the exporter's user cannot read it",
  ENOTDIR: "a part of the path is not a directory",
  ELOOP: "too many symbolic links in the path",
  ENAMETOOLONG: "the path is too long",
};

export function readProblem(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  const words = (code && READ_ERRORS[code]) ?? (error as Error)?.message ?? String(error);
  return `--config.file: cannot read ${path}: ${words}`;
}

/** yaml's message without its own position and cut-off snippet, which we give in full. */
function yamlMessage(error: YAMLError): string {
  const first = error.message.split("\n")[0] ?? error.message;
  const text = first.replace(/ at line \d+, column \d+:?$/, "").replace(/:$/, "");
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * "c.yml: line 3, column 5: invalid YAML: …" and the offending line under it, with a caret.
 * yaml points past the end of the text for an unclosed bracket; then the end of the last
 * line that holds something is the place to show.
 */
export function yamlProblem(fileName: string, text: string, error: YAMLError): string {
  const lines = text.split(/\r?\n/);
  const { line, col } = error.linePos?.[0] ?? { line: 1, col: 1 };
  let shownLine = line;
  let caret = col;
  while (shownLine > 1 && (lines[shownLine - 1] ?? "").trim() === "") {
    shownLine--;
    caret = (lines[shownLine - 1] ?? "").length + 1;
  }
  const source = (lines[shownLine - 1] ?? "").replaceAll("\t", " ");
  const gutter = String(shownLine);
  return [
    `${fileName}: line ${shownLine}, column ${caret}: invalid YAML: ${yamlMessage(error)}`,
    `  ${gutter} | ${source}`,
    `  ${" ".repeat(gutter.length)} | ${" ".repeat(Math.max(0, caret - 1))}^`,
  ].join("\n");
}

/** A config of thousands of accounts is a few hundred KiB; parsing far more stalls the process. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/** Aliases a document may expand: a few anchors are handy, thousands are a "billion laughs". */
export const MAX_YAML_ALIASES = 100;

/**
 * Reads and parses the config file: duplicate keys are errors, an empty file is {}. A file
 * too big, or whose aliases expand too far, is a problem like any other, never a crash.
 */
export function readConfigSource(path: string, readFile: ReadFile = readUtf8): ConfigSource {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    return { problems: [readProblem(path, error)] };
  }
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_CONFIG_FILE_BYTES) {
    return {
      problems: [
        `${path}: the config file is ${bytes} bytes; the limit is ${MAX_CONFIG_FILE_BYTES} (1 MiB)`,
      ],
    };
  }
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    return { problems: document.errors.map((error) => yamlProblem(path, text, error)) };
  }
  try {
    return { value: document.toJS({ maxAliasCount: MAX_YAML_ALIASES }) ?? {}, problems: [] };
  } catch (error) {
    // yaml throws a ReferenceError for an alias expansion past maxAliasCount.
    return {
      problems: [
        `${path}: invalid YAML: ${(error as Error).message} (at most ${MAX_YAML_ALIASES} aliases)`,
      ],
    };
  }
}
