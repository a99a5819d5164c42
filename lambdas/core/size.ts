/**
 * `size`, `format` and `fallback` query parameters (spec section 3). Pure. The avatar route checks
 * with these functions (no schema library on its hot path); core/schemas/avatar.ts documents the
 * same rules from the same constants, and a test holds the two to the same answers.
 */
import { invalidParam } from './errors';

export const SIZES = [16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024] as const;
export const MIN_SIZE = SIZES[0];
export const MAX_SIZE = SIZES[SIZES.length - 1];
export const DEFAULT_SIZE = 128;
export const FORMATS = ['webp', 'png', 'jpeg'] as const;
export const DEFAULT_FORMAT = 'webp';
export type Format = (typeof FORMATS)[number];
export const FALLBACKS = ['initials', '404'] as const;
export type Fallback = (typeof FALLBACKS)[number];

/** Snap an integer 16–1024 up to the nearest supported size. */
export function snapSize(n: number): number {
  for (const s of SIZES) if (s >= n) return s;
  return SIZES[SIZES.length - 1];
}

export function parseSize(raw: unknown): number {
  if (raw === undefined) return DEFAULT_SIZE;
  if (typeof raw !== 'string' || !/^\d{1,4}$/.test(raw)) {
    throw invalidParam('size', 'size must be an integer from 16 to 1024.');
  }
  const n = Number(raw);
  if (n < MIN_SIZE || n > MAX_SIZE) throw invalidParam('size', 'size must be an integer from 16 to 1024.');
  return snapSize(n);
}

export function parseFormat(raw: unknown): Format {
  if (raw === undefined) return DEFAULT_FORMAT;
  if (typeof raw === 'string' && (FORMATS as readonly string[]).includes(raw)) return raw as Format;
  throw invalidParam('format', 'format must be one of webp, png, jpeg.');
}

export function parseFallback(raw: unknown): Fallback {
  if (raw === undefined || raw === 'initials') return 'initials';
  if (raw === '404') return '404';
  throw invalidParam('fallback', 'fallback must be initials or 404.');
}
