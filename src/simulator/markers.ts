/**
 * Opaque pagination markers. They bind the offset to one simulator run and one target, so a
 * client that replays a stale marker or sends one target's marker to another gets
 * InvalidMarkerException, as it would from KMS.
 */
export interface MarkerCodec {
  encode(offset: number): string;
  /** The offset, or undefined when the marker was not issued for this run and target. */
  decode(marker: string): number | undefined;
}

export function markerCodec(nonce: string, targetKey: string): MarkerCodec {
  const encode = (offset: number) =>
    Buffer.from(`kms-sim:${nonce}:${targetKey}:${offset}`).toString("base64url");
  return {
    encode,
    decode(marker) {
      const offset = Number(Buffer.from(marker, "base64url").toString().split(":").at(-1));
      // Base64 decoding is lenient; re-encoding rejects anything we did not produce.
      if (!Number.isSafeInteger(offset) || offset < 0 || encode(offset) !== marker)
        return undefined;
      return offset;
    },
  };
}
