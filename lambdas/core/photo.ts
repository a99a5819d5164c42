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

/** A provider failure holds this long before the profile is looked up again (one look per profile per minute). */
export const FAILURE_RETRY_MS = 60_000;

/**
 * The provider configuration a look was made under, as stored in a record: `none`, or a hash of
 * the template URL (which may carry the provider's own credentials, so not the URL itself).
 */
export function providerTag(upstreamUrl: string | undefined): string {
  if (!upstreamUrl) return 'none';
  return `p${createHash('sha256').update(upstreamUrl, 'utf8').digest('hex').slice(0, 12)}`;
}

export interface FreshnessPolicy {
  /** AVTRZ_REFRESH_DAYS: a photo */
  refreshDays: number;
  /** AVTRZ_MISS_RECHECK_HOURS: "the provider has no photo" */
  missRecheckHours: number;
  /** providerTag of the configured provider */
  provider: string;
}

/** Was the record's last look a failure that may be retried now? */
export function isRetryDue(rec: { failed_at?: string }, now: number = Date.now()): boolean {
  if (!rec.failed_at) return false;
  const at = Date.parse(rec.failed_at);
  return !(now - at < FAILURE_RETRY_MS);
}

/**
 * Is the record due for another look at the provider (spec section 3, "Freshness")? A failure
 * after a minute; "no photo" after AVTRZ_MISS_RECHECK_HOURS, or at once when it was made under
 * another provider configuration (or before records carried one); a photo after
 * AVTRZ_REFRESH_DAYS.
 */
export function isDue(
  rec: {
    kind: 'photo' | 'initials';
    fetched_at?: string;
    checked_at?: string;
    provider?: string;
    failed_at?: string;
  },
  policy: FreshnessPolicy,
  now: number = Date.now(),
): boolean {
  if (rec.kind === 'initials' && rec.provider !== policy.provider) return true;
  if (rec.failed_at) return isRetryDue(rec, now);
  if (rec.kind === 'initials') return now - lastLook(rec) > policy.missRecheckHours * 3_600_000;
  return isStale(rec, policy.refreshDays, now);
}

function lastLook(rec: { fetched_at?: string; checked_at?: string }): number {
  return Math.max(Date.parse(rec.fetched_at ?? '') || 0, Date.parse(rec.checked_at ?? '') || 0);
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
  return now - lastLook(rec) > refreshDays * 86_400_000;
}
