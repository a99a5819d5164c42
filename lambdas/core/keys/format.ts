/**
 * API key format (spec section 1): prefix + 32 base62 chars of randomness + 6 base62 chars of
 * CRC32 checksum over everything before it. Pure functions; `node:crypto` only.
 */
import { createHash, randomInt } from 'node:crypto';

export type KeyType = 'publishable' | 'secret';
export const KEY_PREFIX: Record<KeyType, string> = { publishable: 'pk_live_', secret: 'sk_live_' };
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LEN = 32;
const CHECKSUM_LEN = 6;
const KEY_RE = /^(pk_live_|sk_live_)([0-9A-Za-z]{32})([0-9A-Za-z]{6})$/;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(s: string): number {
  let c = 0xffffffff;
  for (let i = 0; i < s.length; i++) c = CRC_TABLE[(c ^ s.charCodeAt(i)) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function base62Fixed(n: number, len: number): string {
  let out = '';
  for (let i = 0; i < len; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export function randomBase62(len: number): string {
  let out = '';
  for (let i = 0; i < len; i++) out += BASE62[randomInt(62)];
  return out;
}

export function checksum(body: string): string {
  return base62Fixed(crc32(body), CHECKSUM_LEN);
}

export function generateKey(type: KeyType): string {
  const body = KEY_PREFIX[type] + randomBase62(RANDOM_LEN);
  return body + checksum(body);
}

/** Shape + checksum check, no I/O. Returns the key type or undefined. */
export function parseKey(key: string): KeyType | undefined {
  if (typeof key !== 'string' || key.length !== 8 + RANDOM_LEN + CHECKSUM_LEN) return undefined;
  const m = KEY_RE.exec(key);
  if (!m) return undefined;
  if (checksum(m[1] + m[2]) !== m[3]) return undefined;
  return m[1] === 'pk_live_' ? 'publishable' : 'secret';
}

/** Loose prefix test, used to tell a secret key in the query string apart from garbage. */
export function looksLikeType(key: string): KeyType | undefined {
  if (key.startsWith('pk_')) return 'publishable';
  if (key.startsWith('sk_')) return 'secret';
  return undefined;
}

/** What is stored at rest: sha256 hex of the full key. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function last4(key: string): string {
  return key.slice(-4);
}

/** Public ids: `ws_…`, `key_…` */
export function newId(prefix: 'ws' | 'key'): string {
  return `${prefix}_${randomBase62(16)}`;
}
