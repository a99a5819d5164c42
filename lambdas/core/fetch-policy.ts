/**
 * Fetch policy for photo sources (ARCHITECTURE.md "Photo source"): which URLs and which resolved
 * addresses the resolver may connect to. Pure functions, no I/O, no AWS imports.
 *
 * - The operator's provider origin (scheme, host, port of AVTRZ_UPSTREAM_URL) is trusted as set:
 *   plain http and loopback included, and so is every URL on that same origin.
 * - Any other URL must be https, carry no credentials, and resolve only to public addresses;
 *   the address check runs on the resolved IP (see `isPublicAddress`) on every hop.
 */
import { isIP } from 'node:net';

export const FETCH_LIMITS = {
  /** byte cap of one response body */
  maxBytes: 5 * 1024 * 1024,
  /** total time for the provider lookup including every hop and the image body */
  timeoutMs: 3000,
  /** redirects followed (each hop checked again) */
  maxRedirects: 3,
  /** decoded pixel cap handed to sharp (width × height) */
  maxInputPixels: 40_000_000,
} as const;

export type AddressClass =
  | 'public'
  | 'invalid'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link-local'
  | 'metadata'
  | 'multicast'
  | 'reserved'
  | 'documentation'
  | 'unique-local'
  | 'site-local'
  | 'translated';

type V4Range = readonly [base: number, prefix: number, cls: AddressClass];

const v4 = (s: string): number => s.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);

/** Non-public IPv4 ranges (IANA special-purpose registry), most specific first. */
const V4_RANGES: readonly V4Range[] = [
  [v4('169.254.169.254'), 32, 'metadata'],
  [v4('0.0.0.0'), 8, 'unspecified'],
  [v4('10.0.0.0'), 8, 'private'],
  [v4('100.64.0.0'), 10, 'cgnat'],
  [v4('127.0.0.0'), 8, 'loopback'],
  [v4('169.254.0.0'), 16, 'link-local'],
  [v4('172.16.0.0'), 12, 'private'],
  [v4('192.0.0.0'), 24, 'reserved'],
  [v4('192.0.2.0'), 24, 'documentation'],
  [v4('192.88.99.0'), 24, 'reserved'],
  [v4('192.168.0.0'), 16, 'private'],
  [v4('198.18.0.0'), 15, 'reserved'],
  [v4('198.51.100.0'), 24, 'documentation'],
  [v4('203.0.113.0'), 24, 'documentation'],
  [v4('224.0.0.0'), 4, 'multicast'],
  [v4('240.0.0.0'), 4, 'reserved'],
];

function classifyV4(n: number): AddressClass {
  for (const [base, prefix, cls] of V4_RANGES) {
    const size = 2 ** (32 - prefix);
    if (n >= base && n < base + size) return cls;
  }
  return 'public';
}

/** Parse an IPv6 literal (already validated by isIP) into 8 groups of 16 bits. */
function parseV6(addr: string): number[] | undefined {
  let s = addr;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  // embedded dotted IPv4 in the last 32 bits
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  let tailGroups: number[] = [];
  if (tail.includes('.')) {
    const n = v4(tail);
    tailGroups = [Math.floor(n / 65536), n % 65536];
    // drop the colon before the dotted part, unless it is half of a `::` (expanded below)
    s = s.slice(0, lastColon + 1);
    if (!s.endsWith('::')) s = s.slice(0, -1);
  }
  const parts = s.split('::');
  if (parts.length > 2) return undefined;
  const head = parts[0] ? parts[0].split(':') : [];
  const rest = parts.length === 2 && parts[1] ? parts[1].split(':') : [];
  const explicit = head.length + rest.length + tailGroups.length;
  const fill = parts.length === 2 ? 8 - explicit : 0;
  if (fill < 0) return undefined;
  const groups = [
    ...head.map((h) => Number.parseInt(h, 16)),
    ...new Array<number>(fill).fill(0),
    ...rest.map((h) => Number.parseInt(h, 16)),
    ...tailGroups,
  ];
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g) || g < 0 || g > 0xffff)) return undefined;
  return groups;
}

function classifyV6(g: number[]): AddressClass {
  const allZeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  const embeddedV4 = (hi: number, lo: number) => g[hi] * 65536 + g[lo];
  if (allZeroUpTo(8)) return 'unspecified';
  if (allZeroUpTo(7) && g[7] === 1) return 'loopback';
  // IPv4-mapped ::ffff:a.b.c.d and the deprecated IPv4-compatible ::a.b.c.d: judge the IPv4 inside
  if (allZeroUpTo(5) && g[5] === 0xffff) return classifyV4(embeddedV4(6, 7));
  if (allZeroUpTo(6)) return classifyV4(embeddedV4(6, 7));
  // AWS IMDS over IPv6
  if (g[0] === 0xfd00 && g[1] === 0x0ec2 && g.slice(2, 7).every((x) => x === 0) && g[7] === 0x0254)
    return 'metadata';
  if ((g[0] & 0xfe00) === 0xfc00) return 'unique-local'; // fc00::/7
  if ((g[0] & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((g[0] & 0xffc0) === 0xfec0) return 'site-local'; // fec0::/10 (deprecated)
  if ((g[0] & 0xff00) === 0xff00) return 'multicast'; // ff00::/8
  if (g[0] === 0x0064 && g[1] === 0xff9b) return 'translated'; // NAT64 64:ff9b::/96 and 64:ff9b:1::/48
  if (g[0] === 0x2001 && g[1] === 0x0db8) return 'documentation'; // 2001:db8::/32
  if (g[0] === 0x3fff && g[1] < 0x1000) return 'documentation'; // 3fff::/20
  if (g[0] === 0x2001 && g[1] === 0) return 'translated'; // Teredo 2001::/32 hides an IPv4 peer
  if (g[0] === 0x2002) {
    // 6to4 2002:AABB:CCDD::/48 carries an IPv4 address: judged as that address
    return classifyV4(embeddedV4(1, 2));
  }
  if (g[0] === 0x2001 && g[1] < 0x0200) return 'reserved'; // 2001::/23 IETF protocol assignments
  // only global unicast 2000::/3 is public
  if ((g[0] & 0xe000) !== 0x2000) return 'reserved';
  return 'public';
}

/** Classify an IP literal (v4 or v6, zone ids tolerated); anything unparsable is 'invalid'. */
export function classifyAddress(ip: string): AddressClass {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const fam = isIP(bare.split('%')[0]);
  if (fam === 4) return classifyV4(v4(bare));
  if (fam === 6) {
    const g = parseV6(bare);
    return g ? classifyV6(g) : 'invalid';
  }
  return 'invalid';
}

export function isPublicAddress(ip: string): boolean {
  return classifyAddress(ip) === 'public';
}

/** scheme://host:port of the configured provider template, or undefined when none is set. */
export function providerOrigin(template: string | undefined): string | undefined {
  if (!template) return undefined;
  try {
    return new URL(template.replace('{profile}', 'x')).origin;
  } catch {
    return undefined;
  }
}

/** The provider URL for one normalised profile (`linkedin.com/in/<slug>`), URL-encoded. */
export function providerUrl(template: string, profile: string): string {
  return template.split('{profile}').join(encodeURIComponent(profile));
}

export type UrlVerdict =
  | { ok: true; url: URL; trusted: boolean }
  | { ok: false; reason: 'malformed' | 'scheme' | 'credentials' | 'address' };

/**
 * May the resolver request this URL? `trustedOrigin` is the provider's origin. For an untrusted
 * URL whose host is an IP literal the address is judged here; host names are judged after DNS
 * resolution by the fetcher's lookup hook (`isPublicAddress` on every resolved address).
 */
export function checkUrl(
  raw: string,
  base: string | undefined,
  trustedOrigin: string | undefined,
): UrlVerdict {
  let url: URL;
  try {
    url = base ? new URL(raw, base) : new URL(raw);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'scheme' };
  if (trustedOrigin && url.origin === trustedOrigin) return { ok: true, url, trusted: true };
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(host) && !isPublicAddress(host)) return { ok: false, reason: 'address' };
  if (url.protocol !== 'https:') return { ok: false, reason: 'scheme' };
  if (url.username || url.password) return { ok: false, reason: 'credentials' };
  return { ok: true, url, trusted: false };
}

/** The media type of a Content-Type header, lower-cased, without parameters ('' when absent). */
const mimeOf = (contentType: string | undefined) => (contentType ?? '').split(';')[0].trim().toLowerCase();

/**
 * Raster image types only: `image/*` as the spec says, minus SVG (a document, not pixels; it
 * would be rendered by librsvg from untrusted input).
 */
export function isAcceptedImageType(contentType: string | undefined): boolean {
  const mime = mimeOf(contentType);
  return /^image\/[a-z0-9.+-]+$/.test(mime) && !mime.startsWith('image/svg');
}

/** Is a JSON answer from the provider? */
export function isJsonType(contentType: string | undefined): boolean {
  const mime = mimeOf(contentType);
  return mime === 'application/json' || mime.endsWith('+json');
}
