import { execFileSync } from "node:child_process";

/**
 * Tests that need a Debian tool (promtool, aws, prometheus, ...) skip with a message naming
 * it when it is missing, so `npm test` passes on a machine that has only Node. CI installs
 * every tool and sets KMS_EXPORTER_REQUIRE_TOOLS=1, which turns such a skip into a failure.
 */
export const REQUIRE_TOOLS_VARIABLE = "KMS_EXPORTER_REQUIRE_TOOLS";

export function findTool(name: string): string | undefined {
  try {
    return (
      execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/** Path of the tool, or a skip reason; throws when CI demands the tool. */
export function toolOrSkipReason(name: string): { path: string } | { skip: string } {
  const path = findTool(name);
  if (path) return { path };
  const message = `${name} is not installed (Debian package needed); skipping`;
  if (process.env[REQUIRE_TOOLS_VARIABLE] === "1") {
    throw new Error(`${name} is required because ${REQUIRE_TOOLS_VARIABLE}=1 but is not on PATH`);
  }
  console.warn(message);
  return { skip: message };
}
