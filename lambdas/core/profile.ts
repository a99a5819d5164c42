/**
 * `linkedin_url` / `username` normalisation (spec section 3). Pure; the service never fetches this URL.
 * Accepts `linkedin.com/in/<slug>` with an optional http(s) scheme, an optional `www.`, `m.`
 * (LinkedIn's mobile site) or two-letter country subdomain, a trailing slash, a query string / fragment (ignored) and
 * URL-encoded forms. Result: `linkedin.com/in/<slug>`, slug percent-decoded and lower-cased.
 */
import { invalidParam } from './errors';

export const MAX_INPUT = 2048;
export const MAX_SLUG = 100;
const URL_RE = /^(?:https?:\/\/)?(?:(?:www|m|[a-z]{2})\.)?linkedin\.com\/in\/([^/?#]+)\/?(?:[?#].*)?$/is;
const SLUG_RE = /^[\p{L}\p{M}\p{N}_-]+$/u;

function tryDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** The one slug rule for both parameters: percent-decoded once, NFC, lower-cased, letters/digits/_/-. */
function fromSlug(raw: string): string | undefined {
  const decoded = tryDecode(raw);
  if (decoded === undefined) return undefined;
  const slug = decoded.normalize('NFC').toLowerCase();
  if ([...slug].length > MAX_SLUG || !SLUG_RE.test(slug)) return undefined;
  return `linkedin.com/in/${slug}`;
}

function fromUrl(s: string): string | undefined {
  const m = URL_RE.exec(s);
  return m ? fromSlug(m[1]) : undefined;
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

/**
 * `username` is the slug after `/in/` (`alex-rivera`, `Jos%C3%A9`), normalised like the slug of a
 * `linkedin_url`; the result is the same normalised profile, so both name the same avatar.
 */
export function normaliseUsername(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const s = raw.trim();
  if (s.length === 0 || s.length > MAX_INPUT) return undefined;
  return fromSlug(s);
}

/** The profile parameters of an avatar request or a batch item: exactly one of the two. */
export interface ProfileInput {
  linkedin_url?: unknown;
  username?: unknown;
}

export const PROFILE_MESSAGES = {
  required: 'linkedin_url or username is required.',
  both: 'Send linkedin_url or username, not both.',
  linkedin_url: 'linkedin_url must be a LinkedIn profile URL such as linkedin.com/in/alex-rivera.',
  username: 'username must be a LinkedIn profile name such as alex-rivera (the part after /in/).',
} as const;

const given = (v: unknown) => v !== undefined && v !== null && v !== '';

/**
 * The normalised profile from `linkedin_url` or `username`. Throws `400 invalid_request`: neither
 * (param linkedin_url), both (param username), or the one given is not a profile (that param).
 */
export function parseProfile(input: ProfileInput): string {
  const url = given(input.linkedin_url);
  const name = given(input.username);
  if (url && name) throw invalidParam('username', PROFILE_MESSAGES.both);
  if (name) {
    const p = normaliseUsername(input.username);
    if (!p) throw invalidParam('username', PROFILE_MESSAGES.username);
    return p;
  }
  if (!url) throw invalidParam('linkedin_url', PROFILE_MESSAGES.required);
  const p = normaliseLinkedinUrl(input.linkedin_url);
  if (!p) throw invalidParam('linkedin_url', PROFILE_MESSAGES.linkedin_url);
  return p;
}

/** The valid profile of a request, if any (for the initials of an error SVG); never throws. */
export function profileOf(input: ProfileInput): string | undefined {
  try {
    return parseProfile(input);
  } catch {
    return undefined;
  }
}

/** The slug of a normalised profile. */
export function slugOf(profile: string): string {
  return profile.slice('linkedin.com/in/'.length);
}
