/**
 * `linkedin_url` normalisation (spec section 3). Pure; the service never fetches this URL.
 * Accepts `linkedin.com/in/<slug>` with an optional http(s) scheme, an optional `www.`, `m.`
 * (LinkedIn's mobile site) or two-letter country subdomain, a trailing slash, a query string / fragment (ignored) and
 * URL-encoded forms. Result: `linkedin.com/in/<slug>`, slug percent-decoded and lower-cased.
 */
import { invalidParam } from './errors';

const MAX_INPUT = 2048;
const MAX_SLUG = 100;
const URL_RE = /^(?:https?:\/\/)?(?:(?:www|m|[a-z]{2})\.)?linkedin\.com\/in\/([^/?#]+)\/?(?:[?#].*)?$/is;
const SLUG_RE = /^[\p{L}\p{M}\p{N}_-]+$/u;

function tryDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function fromUrl(s: string): string | undefined {
  const m = URL_RE.exec(s);
  if (!m) return undefined;
  const decoded = tryDecode(m[1]);
  if (decoded === undefined) return undefined;
  const slug = decoded.normalize('NFC').toLowerCase();
  if ([...slug].length > MAX_SLUG || !SLUG_RE.test(slug)) return undefined;
  return `linkedin.com/in/${slug}`;
}

/** The normalised profile, or undefined when the input is not a LinkedIn profile URL. */
export function normaliseLinkedinUrl(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  let s = raw.trim();
  if (s.length === 0 || s.length > MAX_INPUT) return undefined;
  // the whole URL may arrive URL-encoded once or twice (https%3A%2F%2F…)
  for (let i = 0; i < 3; i++) {
    const out = fromUrl(s);
    if (out) return out;
    if (!s.includes('%')) return undefined;
    const d = tryDecode(s);
    if (d === undefined || d === s) return undefined;
    s = d.trim();
  }
  return undefined;
}

/** Throws `400 invalid_request` (param linkedin_url) unless valid. */
export function parseProfile(raw: unknown): string {
  if (raw === undefined || raw === '') throw invalidParam('linkedin_url', 'linkedin_url is required.');
  const p = normaliseLinkedinUrl(raw);
  if (!p) {
    throw invalidParam(
      'linkedin_url',
      'linkedin_url must be a LinkedIn profile URL such as linkedin.com/in/alex-rivera.',
    );
  }
  return p;
}

/** The slug of a normalised profile. */
export function slugOf(profile: string): string {
  return profile.slice('linkedin.com/in/'.length);
}
