/** A configuration problem the user must fix; the CLI prints every message and exits 2. */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
    this.problems = problems;
  }
}

export const CONFIG_ERROR_EXIT_CODE = 2;
