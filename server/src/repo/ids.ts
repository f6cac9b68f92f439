import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U

function base32(bytes: Buffer, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! % 32];
  return out;
}

/** Time-ordered ids (`O` + ms timestamp + random) so that ids sort roughly by creation. */
export function newId(prefix: string): string {
  return `${prefix}${Date.now().toString(36).toUpperCase()}${base32(randomBytes(8), 8)}`;
}

/** Short invite codes shoppers can type. */
export function newInviteCode(): string {
  return base32(randomBytes(6), 6);
}
