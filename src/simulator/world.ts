import { type MarkerCodec, markerCodec } from "./markers.js";
import type { AccountSpec, FaultSpec, Scenario, StoreSpec } from "./scenario.js";
import { generateStores } from "./stores.js";

/** One account × region as KMS sees it, plus the per-target call counter faults key on. */
export interface Target {
  readonly accountId: string;
  readonly region: string;
  stores: StoreSpec[];
  readonly pageSize: number;
  readonly faults: readonly FaultSpec[];
  readonly markers: MarkerCodec;
  describeCalls: number;
}

/** Who a set of credentials belongs to, as GetCallerIdentity reports it. */
export interface Identity {
  accountId: string;
  arn: string;
  userId: string;
}

const DEFAULT_PAGE_SIZE = 1000;

/** Mutable simulator state: targets (created lazily for unknown ones) and issued credentials. */
export class World {
  private readonly targets = new Map<string, Target>();
  private readonly identities = new Map<string, Identity>();

  constructor(
    private readonly scenario: Scenario,
    private readonly markerNonce: string,
  ) {
    for (const account of scenario.accounts) {
      for (const spec of account.regions) {
        const generated = spec.generate
          ? generateStores(account.id, spec.region, spec.generate)
          : [];
        this.targets.set(
          targetKey(account.id, spec.region),
          this.newTarget(
            account.id,
            spec.region,
            [...spec.stores, ...generated],
            spec.pageSize,
            spec.faults,
          ),
        );
      }
    }
  }

  account(accountId: string): AccountSpec | undefined {
    return this.scenario.accounts.find((account) => account.id === accountId);
  }

  target(accountId: string, region: string): Target {
    const key = targetKey(accountId, region);
    let target = this.targets.get(key);
    if (target === undefined) {
      target = this.newTarget(accountId, region, [], undefined, []);
      this.targets.set(key, target);
    }
    return target;
  }

  setStores(accountId: string, region: string, stores: readonly StoreSpec[]): void {
    this.target(accountId, region).stores = [...stores];
  }

  /** Credentials from this simulator's AssumeRole map to the role; any others to the default account. */
  identity(accessKeyId: string): Identity {
    return (
      this.identities.get(accessKeyId) ?? {
        accountId: this.scenario.defaultAccountId,
        arn: `arn:aws:iam::${this.scenario.defaultAccountId}:user/simulator`,
        userId: "AIDASIMULATORUSER0000",
      }
    );
  }

  bindCredentials(accessKeyId: string, identity: Identity): void {
    this.identities.set(accessKeyId, identity);
  }

  private newTarget(
    accountId: string,
    region: string,
    stores: StoreSpec[],
    pageSize: number | undefined,
    faults: readonly FaultSpec[],
  ): Target {
    return {
      accountId,
      region,
      stores,
      pageSize: pageSize ?? this.scenario.pageSize ?? DEFAULT_PAGE_SIZE,
      faults,
      markers: markerCodec(this.markerNonce, targetKey(accountId, region)),
      describeCalls: 0,
    };
  }
}

function targetKey(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}
