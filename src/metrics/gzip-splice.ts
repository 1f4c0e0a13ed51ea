import { promisify } from "node:util";
import { constants, crc32, deflateRaw, deflateRawSync, inflateRawSync } from "node:zlib";

const deflateRawAsync = promisify(deflateRaw);

/**
 * Below this a part is compressed on the event loop: at the fastest level that takes tens
 * of microseconds, less than the trip to libuv's thread pool and back, which a scrape of
 * many small changed parts (the target gauges of a poll round) would wait for in turn.
 */
const SYNC_BELOW_BYTES = 64 * 1024;

const OPTIONS = { finishFlush: constants.Z_SYNC_FLUSH, level: constants.Z_BEST_SPEED };

/** One part of a body, compressed on its own, ready to be stitched with the others. */
export interface DeflatedPart {
  deflated: Buffer;
  crc: number;
  length: number;
  /** x^(8·length) mod P: what the CRC before this part is multiplied by (stitchGzip). */
  shift: number;
}

/**
 * A sync flush ends the part on a byte boundary without a final block, so parts compressed
 * apart follow each other in one deflate stream: one gzip member, which every decoder reads
 * whole (curl stops after the first of several members). The fastest level: /metrics text
 * compresses some 15:1 at it, and a changed part is compressed while a scraper waits.
 */
export async function deflatePart(data: Buffer): Promise<DeflatedPart> {
  return data.length < SYNC_BELOW_BYTES
    ? deflatePartSync(data)
    : deflatedPart(data, await deflateRawAsync(data, OPTIONS));
}

/** deflatePart on the event loop, whatever the size. */
export function deflatePartSync(data: Buffer): DeflatedPart {
  return deflatedPart(data, deflateRawSync(data, OPTIONS));
}

function deflatedPart(data: Buffer, deflated: Buffer): DeflatedPart {
  return {
    deflated: exactSize(deflated),
    crc: crc32(data),
    length: data.length,
    shift: x2nModP(data.length, 3),
  };
}

/**
 * zlib hands back a view of a larger buffer (its output chunk, or Node's shared pool, 64 KiB
 * in Node 24): kept for as long as the part lives, a 30-byte part would hold all of it (25
 * MiB for 3 MiB of compressed parts at 10,000 targets). A copy of its own, not pooled.
 */
function exactSize(view: Buffer): Buffer {
  if (view.byteLength === view.buffer.byteLength) return view;
  const copy = Buffer.allocUnsafeSlow(view.byteLength);
  view.copy(copy);
  return copy;
}

/**
 * The bytes of a part that deflatePart compressed: each part is a deflate stream of its own
 * up to its sync flush, so it inflates alone.
 */
export function inflatePartSync(part: DeflatedPart): Buffer {
  return inflateRawSync(part.deflated, OPTIONS);
}

const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);
/** An empty final fixed-Huffman block: ends the deflate stream. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/** The parts as one gzip body: header, the parts' deflate data, final block, trailer. */
export function stitchGzip(parts: readonly DeflatedPart[]): Buffer[] {
  let crc = 0;
  let length = 0;
  // A scrape stitches every part (some 1,500 at 10,000 targets); each part's shift is
  // computed once, when it is compressed, so the combine is one multiplication per part.
  for (const part of parts) {
    crc = (multModP(part.shift, crc) ^ part.crc) >>> 0;
    length = (length + part.length) % 2 ** 32;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc, 0);
  trailer.writeUInt32LE(length, 4);
  return [HEADER, ...parts.map((part) => part.deflated), FINAL_BLOCK, trailer];
}

// CRC-32 of a concatenation from the parts' CRCs, as zlib's crc32_combine (1.2.12+) does
// it: crc(A‖B) = crc(A)·x^(8·len(B)) mod P xor crc(B), in the reflected bit order of CRC-32.
// node:zlib offers crc32 (20.15+, 22.2+) but not its combine.
const POLY = 0xedb88320;

/** a·b modulo the CRC-32 polynomial (reflected). */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  let factor = b;
  for (;;) {
    if ((a & m) !== 0) {
      p ^= factor;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    factor = factor & 1 ? (factor >>> 1) ^ POLY : factor >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) mod P for k = 0…31. */
const X2N: number[] = (() => {
  const table = [0x40000000];
  for (let k = 1; k < 32; k++) table.push(multModP(table[k - 1] as number, table[k - 1] as number));
  return table;
})();

/** x^(n·2^k) mod P. */
function x2nModP(n: number, k: number): number {
  let p = 0x80000000;
  let rest = n;
  let power = k;
  while (rest > 0) {
    if (rest & 1) p = multModP(X2N[power & 31] as number, p);
    rest = Math.floor(rest / 2);
    power++;
  }
  return p;
}
