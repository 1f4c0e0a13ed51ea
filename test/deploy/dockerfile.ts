/** A Dockerfile read just enough to check its structure: stages and their instructions. */
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

export interface Dockerfile {
  globalArgs: Map<string, string>;
  stages: Stage[];
}

/** Joins continuation lines and drops comments, as BuildKit does, then splits into stages. */
export function parseDockerfile(text: string): Dockerfile {
  const logical: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#") || line === "") continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(`${pending}${line}`.trim());
    pending = "";
  }
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logical.filter((text) => text !== "")) {
    const [, keyword = "", args = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === "FROM") {
      const [, image = "", name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ image: substitute(image, globalArgs), name, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword === "ARG") {
        const [key = "", value = ""] = args.split("=", 2);
        globalArgs.set(key, value);
      }
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

function substitute(text: string, args: Map<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced, bare) => args.get(braced ?? bare) ?? "");
}

export function instructions(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((entry) => entry.keyword === keyword).map((entry) => entry.args);
}

export interface Copy {
  from: string | undefined;
  sources: string[];
  destination: string;
}

/** COPY instructions of a stage, with --from split off (other flags dropped). */
export function copies(stage: Stage): Copy[] {
  return instructions(stage, "COPY").map((args) => {
    const words = args.split(/\s+/);
    const from = words.find((word) => word.startsWith("--from="))?.slice("--from=".length);
    const paths = words.filter((word) => !word.startsWith("--"));
    return { from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? "" };
  });
}

/** The stage's working directory (the last WORKDIR), "/" without one. */
export function workdir(stage: Stage): string {
  return instructions(stage, "WORKDIR").at(-1) ?? "/";
}

/** The numeric user id the final stage runs as, NaN when USER is missing or a name. */
export function finalUserId(dockerfile: Dockerfile): number {
  const final = dockerfile.stages.at(-1);
  const user = final ? (instructions(final, "USER").at(-1) ?? "") : "";
  const [, uid] = /^(\d+)(?::\d+)?$/.exec(user) ?? [];
  return uid === undefined ? Number.NaN : Number(uid);
}
