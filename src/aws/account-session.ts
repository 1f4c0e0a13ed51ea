import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { KMSClient } from "@aws-sdk/client-kms";
import type { AwsCredentialIdentityProvider } from "@aws-sdk/types";
import type { Account } from "../model.js";
import type { CloudHsmClient } from "./cloudhsm-client.js";
import type { SharedCredentialProvider } from "./credentials.js";
import { RegionalClients } from "./pool-clients.js";

/** Credentials that may say whether a fetch is under way (the default chain's and roles' do). */
export type SessionCredentials = AwsCredentialIdentityProvider &
  Partial<Pick<SharedCredentialProvider, "pending">>;

/** A pool's regional client seen through one account's credentials. */
export type AccountKmsClient = Pick<KMSClient, "send">;
export type AccountCloudWatchClient = Pick<CloudWatchClient, "send">;

/** How a session makes its per-region clients. */
export interface ClientFactories {
  kms: (region: string) => AccountKmsClient;
  cloudHsm: (region: string) => CloudHsmClient;
  cloudWatch: (region: string) => AccountCloudWatchClient;
}

/**
 * One account's credentials, shared by its regions, and the clients signed with them: KMS
 * always, CloudHSM and CloudWatch only once an enrichment asks for them.
 */
export class AccountSession {
  private readonly kms: RegionalClients<AccountKmsClient>;
  private readonly cloudHsm: RegionalClients<CloudHsmClient>;
  private readonly cloudWatch: RegionalClients<AccountCloudWatchClient>;

  constructor(
    /** Replaced by `retain` when only the name or regions change. */
    public account: Account,
    readonly identity: string,
    readonly credentials: SessionCredentials,
    factories: ClientFactories,
  ) {
    this.kms = new RegionalClients(factories.kms);
    this.cloudHsm = new RegionalClients(factories.cloudHsm);
    this.cloudWatch = new RegionalClients(factories.cloudWatch);
  }

  kmsClient(region: string): AccountKmsClient {
    return this.kms.get(region);
  }

  cloudHsmClient(region: string): CloudHsmClient {
    return this.cloudHsm.get(region);
  }

  cloudWatchClient(region: string): AccountCloudWatchClient {
    return this.cloudWatch.get(region);
  }

  forgetRegionsBut(regions: string[]): void {
    for (const clients of [this.kms, this.cloudHsm, this.cloudWatch]) {
      clients.forgetRegionsBut(regions);
    }
  }
}
