import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U

/**
 * Random bytes for ids, drawn from the system in blocks: a call of `randomBytes` costs ~6 µs
 * here, and a settler step that queues its messages makes an id each (ids are names, not
 * secrets; the outbox's lease tokens draw their own).
 */
const POOL = Buffer.alloc(4096);
let poolAt = POOL.length;
function randomChars(length: number): string {
  if (poolAt + length > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[POOL[poolAt + i]! % 32];
  poolAt += length;
  return out;
}

/** Time-ordered ids (`O` + ms timestamp + random) so that ids sort roughly by creation. */
export function newId(prefix: string): string {
  return `${prefix}${Date.now().toString(36).toUpperCase()}${randomChars(8)}`;
}

/** Short invite codes shoppers can type. */
export function newInviteCode(): string {
  return randomChars(6);
}
