/**
 * The guarded HTTP client of the resolver (no fetch(), no automatic redirects):
 * - every URL, the first and every redirect hop, passes `checkUrl` (core/fetch-policy);
 * - for an untrusted host the socket connects to an address our own `lookup` resolved and
 *   judged public, so a DNS answer cannot be swapped between check and connect;
 * - one deadline for the whole call (all hops and the body), a byte cap that aborts the stream,
 *   no connection reuse across hops (`agent: false`).
 */
import dns from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkUrl, FETCH_LIMITS, isPublicAddress } from '../core/fetch-policy';

export class FetchRefused extends Error {
  constructor(
    readonly reason: string,
    message = reason,
  ) {
    super(message);
    this.name = 'FetchRefused';
  }
}

export interface FetchResponse {
  status: number;
  contentType: string | undefined;
  /** final URL after redirects */
  url: URL;
  /** body (only read for 2xx; empty otherwise) */
  body: Buffer;
}

export interface FetchOptions {
  /** the provider's origin, trusted as the operator configured it */
  trustedOrigin?: string;
  /** shared abort signal carrying the overall deadline */
  signal: AbortSignal;
  /** base URL for a relative first URL */
  base?: string;
  maxBytes?: number;
  maxRedirects?: number;
  accept?: string;
  /** content types whose 2xx body is read; anything else is refused before the body is downloaded */
  accepts?: (contentType: string | undefined) => boolean;
  /** DNS resolver (node:dns lookup signature); tests may inject one to simulate answers */
  resolve?: typeof dns.lookup;
}

type DnsAddress = { address: string; family: number };

/** A `lookup` for http(s).request that resolves, refuses any non-public answer, and hands over the checked address. */
export function guardedLookup(resolve: typeof dns.lookup = dns.lookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { all: true, family: options.family ?? 0 }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as unknown as DnsAddress[];
      const bad = list.find((a) => !isPublicAddress(a.address));
      if (!list.length || bad) {
        const e = Object.assign(new FetchRefused('address', `refused address for ${hostname}`), {
          code: 'EADDRREFUSED',
        });
        return callback(e, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: DnsAddress[]) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function requestOnce(url: URL, trusted: boolean, opts: FetchOptions): Promise<IncomingMessage> {
  return new Promise((resolvePromise, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(
      url,
      {
        method: 'GET',
        agent: false,
        signal: opts.signal,
        headers: { accept: opts.accept ?? 'image/*', 'user-agent': 'avtrz-resolver/1' },
        ...(trusted ? {} : { lookup: guardedLookup(opts.resolve) }),
      },
      resolvePromise,
    );
    req.on('error', reject);
    req.end();
  });
}

/** Read a body, aborting as soon as it passes the cap (declared or streamed). */
function readCapped(res: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.destroy();
      return reject(new FetchRefused('too_large', `declared ${declared} bytes`));
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const onAbort = () => {
      res.destroy();
      reject(new FetchRefused('timeout'));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    res.on('data', (c: Buffer) => {
      total += c.length;
      if (total > maxBytes) {
        signal.removeEventListener('abort', onAbort);
        res.destroy();
        reject(new FetchRefused('too_large', `more than ${maxBytes} bytes`));
        return;
      }
      chunks.push(c);
    });
    res.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      resolveBody(Buffer.concat(chunks, total));
    });
    res.on('error', (e) => {
      signal.removeEventListener('abort', onAbort);
      reject(signal.aborted ? new FetchRefused('timeout') : e);
    });
  });
}

/** GET with every hop checked; returns the first non-redirect response (body read for 2xx only). */
export async function guardedGet(raw: string, opts: FetchOptions): Promise<FetchResponse> {
  const maxRedirects = opts.maxRedirects ?? FETCH_LIMITS.maxRedirects;
  const maxBytes = opts.maxBytes ?? FETCH_LIMITS.maxBytes;
  let next = raw;
  let base: string | undefined = opts.base;
  for (let hop = 0; hop <= maxRedirects; hop++) {
    const verdict = checkUrl(next, base, opts.trustedOrigin);
    if (!verdict.ok) throw new FetchRefused(verdict.reason, `refused URL (${verdict.reason})`);
    let res: IncomingMessage;
    try {
      res = await requestOnce(verdict.url, verdict.trusted, opts);
    } catch (e) {
      if (e instanceof FetchRefused) throw e;
      if ((e as { cause?: unknown }).cause instanceof FetchRefused)
        throw (e as { cause: FetchRefused }).cause;
      if (opts.signal.aborted) throw new FetchRefused('timeout');
      throw new FetchRefused('network', (e as Error).message);
    }
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    // bodies we do not use are destroyed, not drained: with no connection reuse there is nothing
    // to gain from reading them, and a drain would outlive the deadline (cleared on return)
    if (REDIRECTS.has(status) && location) {
      res.destroy();
      base = verdict.url.href;
      next = location;
      continue;
    }
    const contentType = res.headers['content-type'];
    if (status < 200 || status > 299) {
      res.destroy();
      return { status, contentType, url: verdict.url, body: Buffer.alloc(0) };
    }
    if (opts.accepts && !opts.accepts(contentType)) {
      res.destroy();
      throw new FetchRefused('content_type', `unexpected content type ${String(contentType).slice(0, 64)}`);
    }
    const body = await readCapped(res, maxBytes, opts.signal);
    return { status, contentType, url: verdict.url, body };
  }
  throw new FetchRefused('redirects', `more than ${maxRedirects} redirects`);
}
