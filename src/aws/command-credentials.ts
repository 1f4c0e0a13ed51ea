import { httpSigningMiddlewareOptions } from "@smithy/core";
import { SignatureV4 } from "@smithy/signature-v4";
import {
  type AwsCredentialIdentity,
  type AwsCredentialIdentityProvider,
  type FinalizeHandler,
  type FinalizeHandlerArguments,
  type HandlerExecutionContext,
  type MiddlewareStack,
  type SelectedHttpAuthScheme,
  SMITHY_CONTEXT_KEY,
} from "@smithy/types";

/**
 * The one hook into the SDK's insides, and why it stays (BENCHMARKS.md, "Credentials
 * design", measured 2026-12-03): it signs one command with credentials of its own, so that
 * one SDK client per region serves every account. The public-API designs cost more than
 * the limits allow: a client per account × region kept holds about 28 KB each (RSS at
 * 10,000 targets well past today's), and a client made per poll, even sharing one
 * NodeHttpHandler, runs at about 0.48× a warm client (the limit is 0.5× a plain SDK loop).
 *
 * What it touches, all pinned to exact versions in package.json and upgraded together by
 * Dependabot (one group, so the suite, and the verifying simulator, run on each upgrade):
 * the `SMITHY_CONTEXT_KEY` context entry and its `selectedHttpAuthScheme` (@smithy/types),
 * the signing middleware's name (@smithy/core's `httpSigningMiddlewareOptions`), and the
 * SigV4 signer factory's config fields (@aws-sdk/core). A signing regression fails the
 * wire tests: the simulator verifies every signature.
 *
 * The client's own credential provider is memoized by the SDK for the client's lifetime,
 * and its SigV4 signer reads the client's credentials, not the identity the auth-scheme
 * step picked. So this middleware, run just before signing, gives the command a view of
 * the client's config whose signer is made with the command's credentials, exactly as the
 * SDK makes its own (same region, service, hash and path escaping). Writes through the
 * view (the clock-skew correction) still land on the client's config.
 */
const MIDDLEWARE_NAME = "kmsKeystoreExporterCommandCredentials";
/** The SDK's signing step, which this hook runs just before. */
const SIGNING_MIDDLEWARE = (() => {
  const { name } = httpSigningMiddlewareOptions;
  if (!name) throw new Error("@smithy/core no longer names its signing middleware");
  return name;
})();

/**
 * What a shared client is built with: an identity no AWS endpoint accepts, so a command
 * sent without useCredentials fails loudly instead of being signed as some other account.
 */
const UNSET: AwsCredentialIdentity = {
  accessKeyId: "UNSET-USE-COMMAND-CREDENTIALS",
  secretAccessKey: "unset",
};
export const UNSET_CREDENTIALS: AwsCredentialIdentityProvider = async () => UNSET;

/** What the SDK's SigV4 signer factory reads from a client's resolved config. */
interface SignerConfig {
  signer: (authScheme?: unknown) => Promise<unknown>;
  signingRegion?: string;
  signingName?: string;
  sha256: ConstructorParameters<typeof SignatureV4>[0]["sha256"];
  signingEscapePath?: boolean;
  /** Written by the SDK's clock-skew correction after a response. */
  systemClockOffset?: number;
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
  // A view of the client's config that reads through to it (prototype) with its own signer;
  // the clock-skew correction's write still lands on the client's config.
  return Object.create(config, {
    signer: { value: signer },
    systemClockOffset: {
      get: () => config.systemClockOffset,
      set: (offset: number) => {
        config.systemClockOffset = offset;
      },
    },
  }) as SignerConfig;
}

interface StackOwner {
  // biome-ignore lint/suspicious/noExplicitAny: any command's stack (input and output types vary).
  middlewareStack: MiddlewareStack<any, any>;
}

export function useCredentials<Command extends StackOwner>(
  command: Command,
  credentials: AwsCredentialIdentityProvider,
): Command {
  command.middlewareStack.addRelativeTo(
    (next: FinalizeHandler<object, object>, context: HandlerExecutionContext) =>
      async (args: FinalizeHandlerArguments<object>) => {
        const scheme: SelectedHttpAuthScheme | undefined =
          context[SMITHY_CONTEXT_KEY]?.selectedHttpAuthScheme;
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
      toMiddleware: SIGNING_MIDDLEWARE,
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
