import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentityProvider } from "@aws-sdk/types";

/** STS is regional; an account without regions (the discovery role's) asks this one. */
export const DEFAULT_STS_REGION = "us-east-1";

/**
 * The STS region rule, the one place it is written: the configured `sts.region`, else the
 * first region the caller names (an account's first region: its partition's), else
 * us-east-1.
 */
export function stsRegionFor(
  configured: string | undefined,
  ...candidates: Array<string | undefined>
): string {
  return configured ?? candidates.find((region) => region !== undefined) ?? DEFAULT_STS_REGION;
}

/** Where the organisation is asked, and through which role (none: the default credentials). */
export interface OrganizationsAccess {
  region: string;
  roleArn?: string | undefined;
  externalId?: string | undefined;
  /** The role's account, for the labels of its AssumeRole calls. */
  roleAccountId?: string;
}

/** Clients made on first use for a region and kept until told to forget it. */
export /** Per-region clients of one kind, made on first use. */
class RegionalClients<C> {
  private readonly byRegion = new Map<string, C>();

  constructor(private readonly create: (region: string) => C) {}

  get(region: string): C {
    let client = this.byRegion.get(region);
    if (!client) {
      client = this.create(region);
      this.byRegion.set(region, client);
    }
    return client;
  }

  forgetRegionsBut(regions: string[]): void {
    for (const region of this.byRegion.keys())
      if (!regions.includes(region)) this.byRegion.delete(region);
  }
}

/**
 * The pool's clients that are not an account's: GetCallerIdentity with the default
 * credentials (one STS client per region) and Organizations for discovery (one per region,
 * role and external id, kept until `clear`).
 */
export class AccountlessClients {
  private readonly callerIdentity: RegionalClients<STSClient>;
  private readonly organizations = new Map<string, OrganizationsClient>();

  constructor(
    private readonly optionsFor: (
      region: string,
      credentials?: AwsCredentialIdentityProvider,
    ) => ReturnType<typeof import("./clients.js").clientOptions>,
    private readonly roleCredentials: (
      access: OrganizationsAccess,
    ) => AwsCredentialIdentityProvider,
  ) {
    this.callerIdentity = new RegionalClients(
      // A one-off lookup at start: the SDK's own retries are enough here.
      (region) => new STSClient({ ...optionsFor(region), maxAttempts: 3 }),
    );
  }

  callerIdentityClient(region: string): STSClient {
    return this.callerIdentity.get(region);
  }

  organizationsClient(access: OrganizationsAccess): OrganizationsClient {
    const key = [access.region, access.roleArn ?? "", access.externalId ?? ""].join("\u0000");
    let client = this.organizations.get(key);
    if (!client) {
      const credentials = access.roleArn ? this.roleCredentials(access) : undefined;
      client = new OrganizationsClient({
        ...this.optionsFor(access.region, credentials),
        maxAttempts: 3,
      });
      this.organizations.set(key, client);
    }
    return client;
  }

  clear(): void {
    this.organizations.clear();
  }
}
