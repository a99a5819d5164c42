/**
 * The photo resolver Lambda (lib/routes.ts RESOLVER): not a route; the avatar and batch
 * functions invoke it (RequestResponse for lookup/variant, Event for refresh). It is the only
 * function that bundles sharp and the guarded fetcher. The event is validated here because it
 * crosses a process boundary; the use cases live in resolve.ts.
 */
import { ID_RE } from '../core/hmac';
import { normaliseLinkedinUrl } from '../core/profile';
import { FORMATS, type Format, SIZES } from '../core/size';
import type { ResolverRequest, ResolverResult } from '../shared/resolver-client';
import { resolve } from './resolve';

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
  if (ev.op === 'variant') {
    if (typeof ev.version !== 'string' || !VERSION_RE.test(ev.version)) throw new BadResolverEvent('version');
    return { op: 'variant', id, profile, version: ev.version, size, format: f };
  }
  throw new BadResolverEvent('op');
}

export const handler = async (event: unknown): Promise<ResolverResult> => resolve(parseResolverEvent(event));
