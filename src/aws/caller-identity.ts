import timers from "node:timers/promises";
import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import { clip } from "../log/clip.js";

/** The account id of the default credentials: one GetCallerIdentity (the pool's STS client). */
export async function callerAccountId(
  client: Pick<STSClient, "send">,
  signal: AbortSignal,
): Promise<string> {
  const identity = await client.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
  if (!identity.Account || !/^\d{12}$/.test(identity.Account)) {
    // The answer is quoted cut short: it is logged on every retry.
    throw new Error(
      `GetCallerIdentity returned no valid account id (${clip(String(identity.Account), 32)})`,
    );
  }
  return identity.Account;
}

export interface DefaultAccountLookup {
  /** One attempt; bounded by the signal. */
  lookUp: (signal: AbortSignal) => Promise<string>;
  /** Read before each attempt: a reload can change them. */
  timeoutMs: () => number;
  retryDelayMs: () => number;
  /** A reload can remove the last account that needs the default credentials' id. */
  stillNeeded: () => boolean;
  onFailure: (error: unknown) => void;
  /** Shutdown. */
  signal: AbortSignal;
}

/**
 * The default credentials' account id labels its series, so it must be known before that
 * account's targets exist. A failure is never fatal: the lookup is retried every interval
 * until it works, it is no longer needed, or the process stops (then: undefined).
 */
export async function lookUpDefaultAccount(
  lookup: DefaultAccountLookup,
): Promise<string | undefined> {
  while (!lookup.signal.aborted && lookup.stillNeeded()) {
    try {
      const signal = AbortSignal.any([lookup.signal, AbortSignal.timeout(lookup.timeoutMs())]);
      return await lookup.lookUp(signal);
    } catch (error) {
      if (lookup.signal.aborted) return undefined;
      lookup.onFailure(error);
      await timers
        .setTimeout(lookup.retryDelayMs(), undefined, { signal: lookup.signal })
        .catch(() => undefined);
    }
  }
  return undefined;
}
