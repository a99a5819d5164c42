/**
 * Photo facts shared by the avatar hot path and the resolver. Pure and light: no sharp, no I/O,
 * so importing it never pulls image code into the avatar Lambda's bundle.
 */
import { createHash } from 'node:crypto';
import { FORMATS, type Format } from './size';

export const CONTENT_TYPE: Record<Format | 'svg', string> = {
  webp: 'image/webp',
  png: 'image/png',
  jpeg: 'image/jpeg',
  svg: 'image/svg+xml',
};

/** CDN objects never change: a new photo gets a new version and so a new URL. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** `"<size>.<format>"`, the entry kept in the avatar record's variants list */
export function variantName(size: number, format: string): string {
  return `${size}.${format}`;
}

/**
 * The variants-list entry a request for `size.format` needs: the photo variant, or for an initials
 * record the SVG at that size (initials objects are per size, whatever the format asked for).
 */
export function servedVariant(kind: 'photo' | 'initials', size: number, format: string): string {
  return variantName(size, kind === 'photo' ? format : 'svg');
}

/** The size and format of a variants-list entry, or undefined when it is not one. */
export function parseVariantName(name: string): { size: number; format: Format } | undefined {
  const [size, format, ...rest] = name.split('.');
  if (rest.length || !/^\d+$/.test(size) || !(FORMATS as readonly string[]).includes(format))
    return undefined;
  return { size: Number(size), format: format as Format };
}

/** Version of a photo: the first 12 hex digits of sha256 of the original bytes (same bytes, same version). */
export function photoVersion(original: Uint8Array): string {
  return createHash('sha256').update(original).digest('hex').slice(0, 12);
}

/**
 * Is an avatar record due for a background refresh? The last check is the later of
 * `fetched_at` (photo stored) and `checked_at` (last refresh attempt, successful or not), so a
 * provider that keeps failing is asked again once per refresh period, not on every request.
 */
export function isStale(
  rec: { fetched_at?: string; checked_at?: string },
  refreshDays: number,
  now: number = Date.now(),
): boolean {
  const last = Math.max(Date.parse(rec.fetched_at ?? '') || 0, Date.parse(rec.checked_at ?? '') || 0);
  return now - last > refreshDays * 86_400_000;
}
