import { parseArgs } from "node:util";
import { loadScenarioFile } from "./scenario.js";
import { startSimulator } from "./server.js";

/** Standalone simulator: `node dist/simulator/main.js --scenario FILE [--port N] [--host H]`. */
const USAGE = "usage: npm run simulator -- --scenario FILE [--port N] [--host 127.0.0.1]";

const HELP = `${USAGE}

A wire-level fake of AWS KMS, STS and Organizations for the exporter's demo and tests,
and for trying dashboards and alerts without AWS. It answers the real AWS SDK and CLI.

Options:
  --scenario FILE   accounts, regions, key stores, state changes and faults to serve
                    (see scenarios/demo.yaml and scenarios/example-small.yaml)
  --port N          port to listen on; 0 (the default) picks a free one
  --host HOST       address to listen on (default 127.0.0.1)
  -h, --help        print this help and exit

The simulator verifies SigV4 signatures. Unless the scenario lists its own
\`credentials\`, sign with the default static keys below.

Example:
  npm run simulator -- --scenario scenarios/demo.yaml --port 4566
  AWS_ACCESS_KEY_ID=AKIAFAKEFAKEFAKEFAKE \\
  AWS_SECRET_ACCESS_KEY=fake/secret/fake/secret/fake/secret/0000 \\
    aws kms describe-custom-key-stores --endpoint-url http://127.0.0.1:4566 --region us-east-1
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function readOptions(): { scenarioPath: string; port: number; host: string } {
  let values: { scenario?: string; port?: string; host?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        scenario: { type: "string" },
        port: { type: "string", default: "0" },
        host: { type: "string", default: "127.0.0.1" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  if (values.scenario === undefined) return fail("--scenario is required (see --help)");
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    return fail(`--port must be an integer 0-65535, not ${values.port}`);
  }
  return { scenarioPath: values.scenario, port, host: values.host ?? "127.0.0.1" };
}

async function main(): Promise<void> {
  const { scenarioPath, port, host } = readOptions();
  let scenario: ReturnType<typeof loadScenarioFile>;
  try {
    scenario = loadScenarioFile(scenarioPath);
  } catch (error) {
    return fail((error as Error).message);
  }
  const simulator = await startSimulator({ scenario, port, host }).catch((error: Error) =>
    fail(error.message),
  );
  const region = scenario.accounts[0]?.regions[0]?.region ?? "us-east-1";
  process.stdout.write(
    `kms simulator listening on ${simulator.url}\n` +
      `try: aws kms describe-custom-key-stores --endpoint-url ${simulator.url} --region ${region}\n` +
      (scenario.organizations
        ? `     aws organizations list-accounts --endpoint-url ${simulator.url} --region us-east-1\n`
        : ""),
  );
  const stop = () => {
    simulator.close().then(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

await main();
