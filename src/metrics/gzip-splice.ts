import { promisify } from "node:util";
import { constants, crc32, deflateRaw } from "node:zlib";

const deflateRawAsync = promisify(deflateRaw);

/** The compressed head of a gzip body, ready to have any tail spliced after it. */
export interface GzipHead {
  deflated: Buffer;
  crc: number;
  length: number;
}

const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);

/**
 * Compresses the large, rarely changing head once. A sync flush ends it on a byte boundary
 * without a final block, so a separately compressed tail can follow it in the same deflate
 * stream: one gzip member, which every decoder reads whole (curl stops after the first of
 * several members).
 */
export async function compressHead(data: Buffer): Promise<GzipHead> {
  return {
    deflated: await deflateRawAsync(data, { finishFlush: constants.Z_SYNC_FLUSH }),
    crc: crc32(data),
    length: data.length,
  };
}

/** head + tail as one gzip body; only the tail is compressed here (off the event loop). */
export async function gzipWithTail(head: GzipHead, tailText: string): Promise<Buffer[]> {
  const tail = Buffer.from(tailText, "utf8");
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(tail, head.crc), 0);
  trailer.writeUInt32LE((head.length + tail.length) % 2 ** 32, 4);
  return [HEADER, head.deflated, await deflateRawAsync(tail), trailer];
}
