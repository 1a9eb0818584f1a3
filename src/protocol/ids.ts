/** UUIDv7 ids: 48 bits of milliseconds, then random bits; monotonic within one process. */
import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let counter = 0;
const random = Buffer.alloc(10);
/** Random bytes drawn 4 KiB at a time: one system call per ~400 ids, not one per id. */
const pool = Buffer.alloc(4_096);
let poolAt = pool.length;

function fillRandom(target: Buffer, offset: number, length: number): void {
  if (poolAt + length > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  pool.copy(target, offset, poolAt, poolAt + length);
  poolAt += length;
}

export function uuidv7(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    fillRandom(random, 0, 10);
    counter = random.readUInt16BE(0) & 0x0fff;
  } else {
    counter++;
    if (counter > 0x0fff) {
      lastMs++;
      counter = 0;
    }
    fillRandom(random, 2, 8);
  }
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (random[2]! & 0x3f);
  random.copy(bytes, 9, 3, 10);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
