import type { Logger } from "pino";

/**
 * A failure is worth a warn when it starts or changes; while the same one repeats (every
 * round, every region of a denied account) debug is enough, or the log drowns in it.
 */
export function logFailure(
  logger: Logger,
  changed: boolean,
  fields: object,
  message: string,
): void {
  if (changed) logger.warn(fields, message);
  else logger.debug(fields, message);
}
