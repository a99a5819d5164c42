/**
 * What crosses the boundary between the avatar/batch functions and the photo resolver function:
 * the three requests, the answer, and the validation of a request on arrival (it crosses a
 * process boundary, so the resolver trusts nothing in it). Pure.
 */
import { normaliseLinkedinUrl } from './profile';
import { ID_RE } from './profile-id';
import type { AvatarRecord } from './records';
import { FORMATS, type Format, SIZES } from './size';

export type ResolverRequest =
  /** a profile never looked up: provider → original → variant → record (initials on any failure) */
  | { op: 'lookup'; id: string; profile: string; size: number; format: Format }
  /** a known photo lacks `<size>.<format>`: render it from the stored original */
  | { op: 'variant'; id: string; profile: string; version: string; size: number; format: Format }
  /** a stale record: look the profile up again; a failure keeps what is stored */
  | { op: 'refresh'; id: string; profile: string }
  /** a failed initials record whose minute is over: look again (one caller per minute), then serve */
  | { op: 'retry'; id: string; profile: string; size: number; format: Format };

export interface ResolverResult {
  /**
   * What to serve: the stored record, except when a stored photo could not be rendered, where it
   * is an initials stand-in for this one request (the stored record is left as it was).
   */
  record: AvatarRecord;
  /** S3 key of the object to redirect to (the variant, or initials.svg); absent for refresh */
  key?: string;
}

/**
 * How long a caller waits for a synchronous resolver answer: the provider's 3 s deadline plus
 * decoding, resizing and two S3 writes, within the avatar function's 10 s timeout. Past it the
 * caller serves the initials for this request (and stores nothing, so the next one retries).
 */
export const RESOLVER_WAIT_MS = 7000;
/**
 * What a synchronous wait leaves of the request's deadline: enough for the initials PutObject
 * (one small object, normally well under 100 ms) that answers when the resolver did not.
 */
export const FALLBACK_RESERVE_MS = 1000;

const VERSION_RE = /^[0-9a-f]{12}$/;

class BadResolverEvent extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadResolverEvent';
  }
}

export function parseResolverEvent(e: unknown): ResolverRequest {
  const ev = (e ?? {}) as Record<string, unknown>;
  const id = ev.id;
  const profile = ev.profile;
  if (typeof id !== 'string' || !ID_RE.test(id)) throw new BadResolverEvent('id');
  if (typeof profile !== 'string' || normaliseLinkedinUrl(profile) !== profile)
    throw new BadResolverEvent('profile');
  if (ev.op === 'refresh') return { op: 'refresh', id, profile };
  const size = ev.size;
  const format = ev.format;
  if (typeof size !== 'number' || !(SIZES as readonly number[]).includes(size))
    throw new BadResolverEvent('size');
  if (typeof format !== 'string' || !(FORMATS as readonly string[]).includes(format))
    throw new BadResolverEvent('format');
  const f = format as Format;
  if (ev.op === 'lookup') return { op: 'lookup', id, profile, size, format: f };
  if (ev.op === 'retry') return { op: 'retry', id, profile, size, format: f };
  if (ev.op === 'variant') {
    if (typeof ev.version !== 'string' || !VERSION_RE.test(ev.version)) throw new BadResolverEvent('version');
    return { op: 'variant', id, profile, version: ev.version, size, format: f };
  }
  throw new BadResolverEvent('op');
}
