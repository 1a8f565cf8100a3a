// Sortable unique ids (ULID: 48-bit ms timestamp + 80 random bits, Crockford base32).
import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
// Random bytes are drawn 4 KiB at a time: one syscall per 256 ids instead of one per id (the
// scheduler makes two ids per submission on its hot path).
const pool = Buffer.alloc(4096);
let offset = pool.length;

export function newId(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ALPHABET[pool[offset + i]! % 32];
  offset += 16;
  return time + rand;
}
