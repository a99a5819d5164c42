/**
 * Domain allow-lists (spec section 2). Pure functions, no I/O.
 *
 * Entry grammar (case-insensitive, no scheme, no path):
 *   host[:port]      host = DNS name (labels of a-z 0-9 -), `localhost` or an IPv4 literal
 *   *.host[:port]    any subdomain of host (at least two labels), never host itself
 * An entry without a port matches any port; with a port, only that port.
 */
import { AvtrzError } from './errors';
import type { KeyType } from './keys/format';

export interface DomainEntry {
  wildcard: boolean;
  host: string;
  port?: number;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function validHost(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  if (IPV4.test(host)) return true;
  const labels = host.split('.');
  if (!labels.every((l) => LABEL.test(l))) return false;
  // an all-numeric dotted name that is not a valid IPv4 literal is refused (e.g. 999.1.1.1)
  return !labels.every((l) => /^\d+$/.test(l));
}

/** Parse one allow-list entry; undefined when invalid. */
export function parseDomainEntry(raw: unknown): DomainEntry | undefined {
  if (typeof raw !== 'string') return undefined;
  const s = raw.trim().toLowerCase();
  if (s.length === 0 || s.length > 260) return undefined;
  const m = /^(\*\.)?([^:]+)(?::(\d{1,5}))?$/.exec(s);
  if (!m) return undefined;
  const wildcard = !!m[1];
  const host = m[2];
  if (!validHost(host)) return undefined;
  if (wildcard && (IPV4.test(host) || host.split('.').length < 2)) return undefined;
  let port: number | undefined;
  if (m[3] !== undefined) {
    port = Number(m[3]);
    if (!Number.isInteger(port) || port < 1 || port > 65535 || m[3].startsWith('0')) return undefined;
  }
  return { wildcard, host, port };
}

/** Validator for create/update (issue 4): true when the entry is acceptable. */
export function isValidDomainEntry(raw: unknown): boolean {
  return parseDomainEntry(raw) !== undefined;
}

/** Canonical (lower-cased, trimmed) form of a valid entry; undefined when invalid. */
export function normaliseDomainEntry(raw: unknown): string | undefined {
  const e = parseDomainEntry(raw);
  if (!e) return undefined;
  return `${e.wildcard ? '*.' : ''}${e.host}${e.port !== undefined ? `:${e.port}` : ''}`;
}

export type RequestSite =
  | { kind: 'none' }
  /** a header was sent but names no usable host (`Origin: null`, garbage Referer) */
  | { kind: 'invalid' }
  | { kind: 'host'; host: string; port: number };

/** The calling site from `Origin`, else `Referer`. */
export function requestSite(origin: string | undefined, referer: string | undefined): RequestSite {
  const raw = origin !== undefined && origin !== '' ? origin : referer;
  if (raw === undefined || raw === '') return { kind: 'none' };
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return { kind: 'invalid' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { kind: 'invalid' };
  if (u.username || u.password) return { kind: 'invalid' };
  const host = u.hostname.toLowerCase();
  if (!host) return { kind: 'invalid' };
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  return { kind: 'host', host, port };
}

export function entryMatches(entry: DomainEntry, host: string, port: number): boolean {
  if (entry.port !== undefined && entry.port !== port) return false;
  if (entry.wildcard) return host.length > entry.host.length + 1 && host.endsWith(`.${entry.host}`);
  return host === entry.host;
}

export function hostAllowed(allowed: readonly string[], host: string, port: number): boolean {
  for (const raw of allowed) {
    const e = parseDomainEntry(raw);
    if (e && entryMatches(e, host, port)) return true;
  }
  return false;
}

/** What a refused request is reported as: its host, or one of these names (never a host name). */
export const BLOCKED_NO_SITE = '(none)';
export const BLOCKED_BAD_SITE = '(invalid)';
/** longest host[:port] reported by name; a DNS name is at most 253, real ones far shorter */
export const BLOCKED_HOST_MAX = 100;
const REPORTABLE_HOST = /^([a-z0-9_-]+(\.[a-z0-9_-]+)*\.?|\[[0-9a-f:.]+\])(:\d{1,5})?$/;

/**
 * The refused site as the operator would write it in the allow-list: the parsed, lower-cased host
 * (IDNs already in punycode), with the port unless it is 80 or 443 (an entry without a port
 * matches any port, so the host alone is always a working entry). Only
 * hostname characters and bounded in length, so it can be echoed in a JSON message and stored as
 * a counter's name; anything else is reported as `(invalid)`.
 */
export function blockedSiteName(site: RequestSite): string {
  if (site.kind === 'none') return BLOCKED_NO_SITE;
  if (site.kind === 'invalid') return BLOCKED_BAD_SITE;
  const name = site.port === 80 || site.port === 443 ? site.host : `${site.host}:${site.port}`;
  if (name.length > BLOCKED_HOST_MAX || !REPORTABLE_HOST.test(name)) return BLOCKED_BAD_SITE;
  return name;
}

/** Which key a refusal is about, so the message can say where to fix it. */
export interface KeyRef {
  workspaceId: string;
  keyId: string;
}

function whereToAdd(ref: KeyRef | undefined): string {
  const cli = ref
    ? `npx avtrz keys update --workspace ${ref.workspaceId} --key ${ref.keyId} --domain … (repeat --domain for every entry you keep: the list is replaced)`
    : 'npx avtrz keys update --key … --domain …';
  return `Console → API Keys → Allowed domains, or ${cli}`;
}

/** The `domain_blocked` message: it names the refused host (see blockedSiteName) and where to allow it. */
export function domainBlockedMessage(siteName: string, ref?: KeyRef): string {
  if (siteName === BLOCKED_NO_SITE) {
    return (
      'This publishable key needs the Origin or Referer header, and the request carried neither. ' +
      'A Referrer-Policy of no-referrer on the page (or referrerpolicy="no-referrer" on the <img>) is the likely cause; ' +
      'use strict-origin-when-cross-origin.'
    );
  }
  if (siteName === BLOCKED_BAD_SITE) {
    return (
      "The request's Origin/Referer names no host this key could allow (Origin: null comes from file:// pages, " +
      `sandboxed iframes and some redirects). Serve the page from a host on the key's allow-list: ${whereToAdd(ref)}.`
    );
  }
  return `Requests from ${siteName} are not on this key's allow-list. To allow them, add ${siteName} to the key's allowed domains: ${whereToAdd(ref)}.`;
}

export type DomainVerdict = { allowed: true } | { allowed: false; site: string; error: AvtrzError };

/**
 * May the request use this key from where it came? Publishable: a matching Origin/Referer is
 * required. Secret: checked only when a header is present. A refusal names the site.
 */
export function domainVerdict(
  type: KeyType,
  allowed: readonly string[],
  origin: string | undefined,
  referer: string | undefined,
  ref?: KeyRef,
): DomainVerdict {
  const site = requestSite(origin, referer);
  if (site.kind === 'none' && type === 'secret') return { allowed: true };
  if (site.kind === 'host' && hostAllowed(allowed, site.host, site.port)) return { allowed: true };
  const name = blockedSiteName(site);
  return {
    allowed: false,
    site: name,
    error: new AvtrzError('domain_blocked', domainBlockedMessage(name, ref)),
  };
}

/** Throws `403 domain_blocked` unless domainVerdict allows the request. */
export function checkDomain(
  type: KeyType,
  allowed: readonly string[],
  origin: string | undefined,
  referer: string | undefined,
): void {
  const v = domainVerdict(type, allowed, origin, referer);
  if (!v.allowed) throw v.error;
}
