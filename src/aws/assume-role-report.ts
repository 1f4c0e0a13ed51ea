import type { Logger } from "pino";
import { logFailure } from "../log-failure.js";
import type { ExporterMetrics } from "../metrics/exporter-metrics.js";
import { classifyError } from "./errors.js";
import type { RoleToAssume } from "./sessions.js";

/**
 * Counts every AssumeRole call of a role and logs its failures when they start or change.
 * One reporter per role session, so what it remembers goes with the session.
 */
export function assumeRoleReporter(
  metrics: Pick<ExporterMetrics, "apiRequests" | "apiRequestErrors">,
  logger: Logger,
): (role: RoleToAssume) => (error?: unknown) => void {
  return (role) => {
    const labels = { account_id: role.accountId, region: role.region, operation: "AssumeRole" };
    let lastErrorName: string | undefined;
    return (error) => {
      metrics.apiRequests.inc(labels);
      if (error === undefined) {
        lastErrorName = undefined;
        return;
      }
      const name = classifyError(error).name;
      metrics.apiRequestErrors.inc({ ...labels, error: name });
      const changed = lastErrorName !== name;
      lastErrorName = name;
      logFailure(
        logger,
        changed,
        {
          account_id: role.accountId,
          account_name: role.accountName,
          role_arn: role.roleArn,
          error: name,
          message: (error as Error).message,
        },
        "cannot assume the account's role",
      );
    };
  };
}
