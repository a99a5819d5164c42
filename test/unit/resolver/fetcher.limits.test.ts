/**
 * Security review probes of the guarded fetcher against a real server on 127.0.0.1: bodies the
 * fetcher does not use (redirect hops, non-2xx answers) must not keep downloading after the
 * lookup returned, a trickling body is cut by the deadline, and a gzip body is never inflated.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { lookupPhoto } from '../../../lambdas/resolver/provider';

type Mode = 'endless-404' | 'endless-redirect' | 'trickle' | 'gzip';

let server: http.Server;
let origin = '';
/** per request path: resolves when the server side of that connection has closed */
const closed = new Map<string, Promise<void>>();
const intervals = new Set<NodeJS.Timeout>();
const GZIP_PLAIN = 8 * 1024 * 1024; // inflates past the 5 MB cap
let gzipped: Buffer;

function endless(res: http.ServerResponse, chunk: Buffer, everyMs: number) {
  const t = setInterval(() => {
    if (res.destroyed || res.writableEnded) return clearInterval(t);
    res.write(chunk);
  }, everyMs);
  intervals.add(t);
  res.on('close', () => clearInterval(t));
}

beforeAll(async () => {
  gzipped = zlib.gzipSync(Buffer.alloc(GZIP_PLAIN));
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const mode = url.searchParams.get('mode') as Mode;
    const tag = `${url.pathname}?${url.searchParams.toString()}`;
    closed.set(tag, new Promise((r) => req.socket.once('close', () => r())));
    if (url.pathname === '/next') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no');
      return;
    }
    switch (mode) {
      case 'endless-404':
        res.writeHead(404, { 'content-type': 'text/plain' });
        return endless(res, Buffer.alloc(16 * 1024), 5);
      case 'endless-redirect':
        res.writeHead(302, { location: '/next', 'content-type': 'text/plain' });
        return endless(res, Buffer.alloc(16 * 1024), 5);
      case 'trickle':
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        return endless(res, Buffer.from([0xff]), 50);
      case 'gzip':
        res.writeHead(200, { 'content-type': 'image/png', 'content-encoding': 'gzip' });
        res.end(gzipped);
        return;
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const t of intervals) clearInterval(t);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const template = (mode: Mode) => `${origin}/photo?mode=${mode}&p={profile}`;
const PROFILE = 'linkedin.com/in/ada-lovelace';
const tagOf = (mode: Mode) => `/photo?${new URLSearchParams({ mode, p: PROFILE }).toString()}`;

/** 'closed' when the server saw the connection end within `ms`, else 'open' (a bound, not a timing assertion). */
async function closedWithin(tag: string, ms: number): Promise<'closed' | 'open'> {
  const p = closed.get(tag);
  if (!p) throw new Error(`no request seen for ${tag}`);
  let timer: NodeJS.Timeout | undefined;
  const open = new Promise<'open'>((r) => {
    timer = setTimeout(() => r('open'), ms);
  });
  const out = await Promise.race([p.then(() => 'closed' as const), open]);
  clearTimeout(timer);
  return out;
}

test.each([
  ['endless-404', 'not_found'],
  ['endless-redirect', 'not_found'],
] as const)('an unused %s body is not downloaded after the lookup returned', async (mode, reason) => {
  const out = await lookupPhoto(template(mode), PROFILE, { timeoutMs: 1000 });
  expect(out).toMatchObject({ kind: 'none', reason });
  // the lookup is over: its connections must be gone, not draining an endless body in the
  // background past the deadline (the deadline timer is cleared when the lookup returns)
  expect(await closedWithin(tagOf(mode), 2000)).toBe('closed');
});

test('a trickling image body is cut by the deadline and its connection closed', async () => {
  const out = await lookupPhoto(template('trickle'), PROFILE, { timeoutMs: 400 });
  expect(out).toMatchObject({ kind: 'failed', reason: 'timeout' });
  expect(await closedWithin(tagOf('trickle'), 2000)).toBe('closed');
});

test('a gzip content-encoding is never inflated: the bytes are the compressed ones (then refused as no image)', async () => {
  const out = await lookupPhoto(template('gzip'), PROFILE, { timeoutMs: 2000 });
  expect(out.kind).toBe('image');
  if (out.kind !== 'image') return;
  expect(out.bytes.length).toBe(gzipped.length);
  expect(out.bytes.length).toBeLessThan(GZIP_PLAIN);
});
