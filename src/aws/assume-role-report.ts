import type { Logger } from "pino";
import { logFailure } from "../log/failure.js";
import type { ExporterMetrics } from "../metrics/exporter-metrics.js";
import { REFRESH_BEFORE_EXPIRY_MS } from "./credentials.js";
import { ErrorLabels } from "./error-label.js";
import { classifyError } from "./errors.js";
import type { RoleToAssume } from "./sessions.js";

/**
 * Counts every AssumeRole call of a role and logs its failures when they start or change,
 * and warns once when STS hands out credentials shorter than the refresh window.
 * One reporter per role session, so what it remembers goes with the session.
 */
export function assumeRoleReporter(
  metrics: Pick<ExporterMetrics, "apiRequests" | "apiRequestErrors">,
  logger: Logger,
): (role: RoleToAssume) => (error?: unknown, validForMs?: number) => void {
  return (role) => {
    const labels = { account_id: role.accountId, region: role.region, operation: "AssumeRole" };
    let lastErrorName: string | undefined;
    let warnedShortLived = false;
    const errorLabels = new ErrorLabels();
    return (error, validForMs) => {
      metrics.apiRequests.inc(labels);
      if (error === undefined) {
        lastErrorName = undefined;
        if (
          validForMs !== undefined &&
          validForMs <= REFRESH_BEFORE_EXPIRY_MS &&
          !warnedShortLived
        ) {
          warnedShortLived = true;
          logger.warn(
            {
              account_id: role.accountId,
              account_name: role.accountName,
              role_arn: role.roleArn,
              valid_for_seconds: Math.round(validForMs / 1000),
              refresh_window_seconds: REFRESH_BEFORE_EXPIRY_MS / 1000,
            },
            "AssumeRole handed out credentials shorter than the refresh window; they are fetched again at most once per poll",
          );
        }
        return;
      }
      const name = classifyError(error).name;
      metrics.apiRequestErrors.inc({ ...labels, error: errorLabels.label(role.roleArn, name) });
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
