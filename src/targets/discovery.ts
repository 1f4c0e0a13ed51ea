import type { Logger } from "pino";
import { accountIdOfRoleArn } from "../aws/arn.js";
import { classifyError } from "../aws/errors.js";
import type { OrganizationsDiscovery } from "../config/types.js";
import type { ExporterMetrics } from "../metrics/exporter-metrics.js";
import type { Account } from "../model.js";
import { memberAccounts, type OrganizationMember } from "./organizations.js";

/** The organisation's members; `onRequest` is called before each Organizations request. */
export type ListMembers = (
  signal: AbortSignal,
  onRequest: (operation: string) => void,
) => Promise<OrganizationMember[]>;

export interface DiscoveryOptions {
  /** A lister for one discovery config; made once per config, so its role session is reused. */
  createLister: (discovery: OrganizationsDiscovery) => ListMembers;
  /** Labels the ListAccounts counters when discovery uses the default credentials. */
  defaultAccountId: () => string | undefined;
  /** The discovered accounts changed (or the first refresh ended). */
  onChange: () => void;
  metrics: Pick<
    ExporterMetrics,
    | "apiRequests"
    | "apiRequestErrors"
    | "discoveryAccounts"
    | "discoveryRefreshFailures"
    | "discoveryLastSuccessTimestamp"
  >;
  logger: Logger;
  now: () => number;
}

interface DiscoverySettings {
  discovery: OrganizationsDiscovery | undefined;
  defaultRegions: string[];
  timeoutMs: number;
}

/**
 * Organizations discovery: refreshes the member list on its own timer and keeps the last
 * good one through failures. A config change starts a new generation; a refresh of an older
 * generation that ends later is thrown away.
 */
export class Discovery {
  private settings: DiscoverySettings = { discovery: undefined, defaultRegions: [], timeoutMs: 0 };
  /** Last good member list; undefined until the first refresh of this config ends. */
  private discovered: Account[] | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;
  private readonly stopController = new AbortController();

  constructor(private readonly options: DiscoveryOptions) {}

  /** Applies the discovery part of a config; a changed one restarts the refreshes. */
  configure(settings: DiscoverySettings): void {
    const changed = JSON.stringify(settings.discovery) !== JSON.stringify(this.settings.discovery);
    this.settings = settings;
    if (!changed) return;
    // The accounts found so far (and their series) stay until the new refresh replaces
    // them; only a config without discovery drops them at once.
    if (!settings.discovery) this.discovered = undefined;
    clearTimeout(this.timer);
    const generation = ++this.generation;
    const { discovery } = settings;
    if (discovery) void this.refresh(generation, this.options.createLister(discovery));
  }

  accounts(): Account[] {
    return this.discovered ?? [];
  }

  /** No discovery configured, or its first refresh has ended (well or not). */
  settled(): boolean {
    return !this.settings.discovery || this.discovered !== undefined;
  }

  stop(): void {
    this.stopController.abort();
    clearTimeout(this.timer);
  }

  private current(generation: number): boolean {
    return generation === this.generation && !this.stopController.signal.aborted;
  }

  /** One refresh, then the next one after `refresh`. */
  private async refresh(generation: number, list: ListMembers): Promise<void> {
    const { discovery, defaultRegions, timeoutMs } = this.settings;
    if (!discovery || !this.current(generation)) return;
    const { metrics, logger } = this.options;
    const labels = {
      account_id:
        (discovery.roleArn
          ? accountIdOfRoleArn(discovery.roleArn)
          : this.options.defaultAccountId()) ?? "",
      region: discovery.region,
    };
    // The operation of the request in flight, which a failure is counted under.
    let operation = "ListAccounts";
    try {
      const signal = AbortSignal.any([
        this.stopController.signal,
        AbortSignal.timeout(timeoutMs * 4),
      ]);
      const members = await list(signal, (current) => {
        operation = current;
        metrics.apiRequests.inc({ ...labels, operation });
      });
      if (!this.current(generation)) return;
      this.discovered = memberAccounts(members, discovery, defaultRegions);
      metrics.discoveryAccounts.set(this.discovered.length);
      metrics.discoveryLastSuccessTimestamp.set(this.options.now() / 1000);
      logger.info(
        { members: members.length, accounts: this.discovered.length },
        "organizations accounts refreshed",
      );
      this.options.onChange();
    } catch (error) {
      if (!this.current(generation)) return;
      const name = classifyError(error).name;
      metrics.apiRequestErrors.inc({ ...labels, operation, error: name });
      metrics.discoveryRefreshFailures.inc();
      logger.warn(
        { error: name, message: (error as Error).message, kept: this.discovered?.length ?? 0 },
        "organizations refresh failed; keeping the last good account list",
      );
      // The first refresh counts as done even when it fails, so /readyz does not hang on it.
      if (this.discovered === undefined) {
        this.discovered = [];
        this.options.onChange();
      }
    }
    this.timer = setTimeout(() => void this.refresh(generation, list), discovery.refreshMs);
    this.timer.unref();
  }
}
