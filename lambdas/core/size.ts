/** `size`, `format` and `fallback` query parameters (spec section 3). Pure. */
import { invalidParam } from './errors';

export const SIZES = [16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024] as const;
export const DEFAULT_SIZE = 128;
export const FORMATS = ['webp', 'png', 'jpeg'] as const;
export type Format = (typeof FORMATS)[number];
export type Fallback = 'initials' | '404';

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
  if (n < 16 || n > 1024) throw invalidParam('size', 'size must be an integer from 16 to 1024.');
  return snapSize(n);
}

export function parseFormat(raw: unknown): Format {
  if (raw === undefined) return 'webp';
  if (typeof raw === 'string' && (FORMATS as readonly string[]).includes(raw)) return raw as Format;
  throw invalidParam('format', 'format must be one of webp, png, jpeg.');
}

export function parseFallback(raw: unknown): Fallback {
  if (raw === undefined || raw === 'initials') return 'initials';
  if (raw === '404') return '404';
  throw invalidParam('fallback', 'fallback must be initials or 404.');
}
