import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";
import { SignatureV4 } from "@smithy/signature-v4";

/**
 * Signs one command with credentials of its own, so that one SDK client per region can
 * serve every account. A client per account × region costs about 20 KB of heap (80 KB
 * resident) and a first call several times dearer than the next: at 10,000 targets that
 * was most of the exporter's memory and much of its first round (BENCHMARKS.md).
 *
 * The client's own credential provider is memoized by the SDK for the client's lifetime,
 * and its SigV4 signer reads the client's credentials, not the identity the auth-scheme
 * step picked. So this middleware, run just before signing, gives the command a view of
 * the client's config whose signer is made with the command's credentials, exactly as the
 * SDK makes its own (same region, service, hash and path escaping). Writes through the
 * view (the clock-skew correction) still land on the client's config.
 */
const MIDDLEWARE_NAME = "kmsKeystoreExporterCommandCredentials";
/** The SDK keeps the selected auth scheme here (`SMITHY_CONTEXT_KEY` of @smithy/types). */
const SMITHY_CONTEXT_KEY = "__smithy_context";

/**
 * What a shared client is built with: an identity no AWS endpoint accepts, so a command
 * sent without useCredentials fails loudly instead of being signed as some other account.
 */
const UNSET: AwsCredentialIdentity = {
  accessKeyId: "UNSET-USE-COMMAND-CREDENTIALS",
  secretAccessKey: "unset",
};
export const UNSET_CREDENTIALS: AwsCredentialIdentityProvider = async () => UNSET;

interface SelectedScheme {
  identity: unknown;
  httpAuthOption: { signingProperties?: Record<string, unknown> };
}

/** What the SDK's SigV4 signer factory reads from a client's resolved config. */
interface SignerConfig {
  signer: (authScheme?: unknown) => Promise<unknown>;
  signingRegion?: string;
  signingName?: string;
  sha256: ConstructorParameters<typeof SignatureV4>[0]["sha256"];
  signingEscapePath?: boolean;
}

function configSignedWith(config: SignerConfig, credentials: AwsCredentialIdentityProvider) {
  const signer = async (authScheme?: unknown) => {
    // The SDK's own factory settles the signing region and name on the config, once: it
    // never changes them after (`config.signingRegion ||= …`), so later calls skip it.
    if (config.signingRegion === undefined || config.signingName === undefined)
      await config.signer(authScheme);
    return new SignatureV4({
      credentials,
      region: config.signingRegion ?? "",
      service: config.signingName ?? "",
      sha256: config.sha256,
      uriEscapePath: config.signingEscapePath ?? true,
    });
  };
  return new Proxy(config, {
    get: (target, property, receiver) =>
      property === "signer" ? signer : Reflect.get(target, property, receiver),
  });
}

interface StackOwner {
  middlewareStack: object;
}

/** The one call of the SDK's middleware stack used here, loosely typed for any command. */
interface RelativeStack {
  addRelativeTo(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: Record<string, unknown>,
    ) => (args: unknown) => Promise<unknown>,
    options: { relation: "before"; toMiddleware: string; name: string; override: boolean },
  ): void;
}

export function useCredentials<Command extends StackOwner>(
  command: Command,
  credentials: AwsCredentialIdentityProvider,
): Command {
  (command.middlewareStack as RelativeStack).addRelativeTo(
    (next, context) => async (args) => {
      const scheme = (context[SMITHY_CONTEXT_KEY] as { selectedHttpAuthScheme?: SelectedScheme })
        ?.selectedHttpAuthScheme;
      const config = scheme?.httpAuthOption.signingProperties?.config as SignerConfig | undefined;
      if (!scheme || typeof config?.signer !== "function") {
        throw new Error("the SDK selected no SigV4 auth scheme; cannot sign the command");
      }
      scheme.identity = await credentials();
      scheme.httpAuthOption = {
        ...scheme.httpAuthOption,
        signingProperties: {
          ...scheme.httpAuthOption.signingProperties,
          config: configSignedWith(config, credentials),
        },
      };
      return next(args);
    },
    {
      relation: "before",
      toMiddleware: "httpSigningMiddleware",
      name: MIDDLEWARE_NAME,
      override: true,
    },
  );
  return command;
}

type Send = (command: StackOwner, ...rest: unknown[]) => unknown;

/** A shared client seen through one account's credentials: every command it sends is signed with them. */
export function signedWith<Client extends { send: unknown }>(
  client: Client,
  credentials: AwsCredentialIdentityProvider,
): Pick<Client, "send"> {
  const send = client.send as Send;
  return {
    send: ((command: StackOwner, ...rest: unknown[]) =>
      send.call(client, useCredentials(command, credentials), ...rest)) as Client["send"],
  };
}
