/**
 * A real photo provider stand-in on 127.0.0.1 for the resolver and batch tests
 * (AVTRZ_UPSTREAM_URL = `template`). It answers by the slug of `?profile=linkedin.com/in/<slug>`:
 *
 *   photo-*          200 image/jpeg, a 400×300 photo in the slug's colour (`setPhoto` changes it)
 *   json-*           200 {"image_url": "<same origin>/img/<slug>"}   (followed: same origin)
 *   jsonrel-*        200 {"image_url": "/img/<slug>"}                 (relative, same origin)
 *   jsonhttp-*       200 {"image_url": "http://localhost:<port>/img/…"}  other origin, not https: refused
 *   jsonprivate-*    200 {"image_url": "https://10.1.2.3/img.jpg"}    private literal: refused
 *   jsondns-*        200 {"image_url": "https://localhost:<canary>/x"} name that resolves to loopback: refused
 *   redirect-*       302 to /img/<slug> on the same origin              (followed)
 *   redirprivate-*   302 to http://169.254.169.254/latest/meta-data/     refused
 *   redirdns-*       302 to https://localhost:<canary>/x                 refused after DNS
 *   loop-*           302 to itself, forever                              refused after 3 hops
 *   nophoto-*        404
 *   fail-*           500
 *   slow-*           the photo after 4 s (past the 3 s deadline)
 *   huge-*           image/jpeg, 6 MB with content-length
 *   stream-*         image/jpeg, 6 MB chunked (no content-length): aborted while streaming
 *   text-*           200 text/html
 *   svg-*            200 image/svg+xml
 *   garbage-*        200 image/png whose bytes are not an image
 *   bomb-*           200 image/png, 20000×20000 1-bit PNG of a few KB (400 megapixels decoded)
 *   delay-*          the photo after 150 ms (to observe how many lookups run at once)
 *
 * `canary` is a second listener on 127.0.0.1 that only counts connections: a refused URL must
 * never reach it. `hits` counts provider requests per slug (variants must not ask again).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { coldStart } from './runtime';

export interface Provider {
  origin: string;
  template: string;
  /** provider requests (/photo) per slug */
  hits: Map<string, number>;
  /** most /photo requests in flight at the same time */
  maxInFlight(): number;
  /** connections the canary listener received */
  canaryConnections(): number;
  canaryPort: number;
  /** change the photo of a slug (colour), e.g. to simulate a new profile picture */
  setPhoto(slug: string, rgb: { r: number; g: number; b: number }): void;
  /** make a slug answer 500 from now on (or back to normal) */
  setFailing(slug: string, failing: boolean): void;
  close(): Promise<void>;
}

export function colourOf(slug: string): { r: number; g: number; b: number } {
  const h = createHash('sha256').update(slug).digest();
  return { r: 40 + (h[0] % 176), g: 40 + (h[1] % 176), b: 40 + (h[2] % 176) };
}

/**
 * Expect `image` to be the stand-in's solid photo in `rgb` (each channel's mean within 6, which
 * survives resizing and lossy re-encoding but tells one slug's colour from another's).
 */
export async function expectPhotoColour(
  image: Buffer,
  rgb: { r: number; g: number; b: number },
): Promise<void> {
  const { channels } = await sharp(image).stats();
  const mean = { r: channels[0].mean, g: channels[1].mean, b: channels[2].mean };
  for (const c of ['r', 'g', 'b'] as const) expect(Math.abs(mean[c] - rgb[c])).toBeLessThan(6);
}

async function jpeg(rgb: { r: number; g: number; b: number }): Promise<Buffer> {
  return sharp({ create: { width: 400, height: 300, channels: 3, background: rgb } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

let bombCache: Buffer | undefined;
/** A valid PNG claiming side×side 1-bit greyscale pixels, all zero: tiny file, huge canvas. */
export function bombPng(side = 20000): Buffer {
  if (side === 20000 && bombCache) return bombCache;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const row = Math.ceil(side / 8) + 1; // filter byte + packed pixels
  const raw = Buffer.alloc(row * side); // 50 MB of zeros for 20000²
  const idat = zlib.deflateSync(raw, { level: 9 });
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  if (side === 20000) bombCache = png;
  return png;
}

export async function startProvider(): Promise<Provider> {
  const hits = new Map<string, number>();
  const colours = new Map<string, { r: number; g: number; b: number }>();
  const failing = new Set<string>();
  const sockets = new Set<net.Socket>();
  let canaryCount = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const canary = net.createServer((s) => {
    canaryCount++;
    s.destroy();
  });
  await new Promise<void>((r) => canary.listen(0, '127.0.0.1', r));
  const canaryPort = (canary.address() as AddressInfo).port;
  let origin = '';
  let port = 0;

  const sendPhoto = async (res: http.ServerResponse, slug: string) => {
    const body = await jpeg(colours.get(slug) ?? colourOf(slug));
    if (!res.destroyed)
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }).end(body);
  };

  const server = http.createServer(async (req, res) => {
    try {
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname.startsWith('/img/')) {
        await sendPhoto(res, decodeURIComponent(u.pathname.slice(5)));
        return;
      }
      const m = /^linkedin\.com\/in\/([^/?#]+)$/.exec(u.searchParams.get('profile') ?? '');
      if (u.pathname !== '/photo' || !m) {
        res.writeHead(400).end();
        return;
      }
      const slug = m[1];
      hits.set(slug, (hits.get(slug) ?? 0) + 1);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.once('close', () => inFlight--);
      const kind = slug.split('-')[0];
      const json = (o: unknown): void => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o));
      };
      const redirect = (loc: string): void => {
        res.writeHead(302, { location: loc }).end();
      };
      if (failing.has(slug)) {
        res.writeHead(500).end('down');
        return;
      }
      switch (kind) {
        case 'photo':
          return void (await sendPhoto(res, slug));
        case 'json':
          return json({ image_url: `${origin}/img/${slug}` });
        case 'jsonrel':
          return json({ image_url: `/img/${slug}` });
        case 'jsonhttp':
          return json({ image_url: `http://localhost:${port}/img/${slug}` });
        case 'jsonprivate':
          return json({ image_url: 'https://10.1.2.3/img.jpg' });
        case 'jsondns':
          return json({ image_url: `https://localhost:${canaryPort}/x.jpg` });
        case 'redirect':
          return redirect(`/img/${slug}`);
        case 'redirprivate':
          return redirect('http://169.254.169.254/latest/meta-data/');
        case 'redirdns':
          return redirect(`https://localhost:${canaryPort}/x.jpg`);
        case 'loop':
          return redirect(req.url ?? '/');
        case 'nophoto':
          return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
        case 'fail':
          return void res.writeHead(500).end('provider error');
        case 'slow':
          await new Promise<void>((r) => {
            const t = setTimeout(r, 4000);
            res.once('close', () => {
              clearTimeout(t);
              r();
            });
          });
          return void (await sendPhoto(res, slug));
        case 'delay':
          await new Promise((r) => setTimeout(r, 150));
          return void (await sendPhoto(res, slug));
        case 'huge': {
          const size = 6 * 1024 * 1024;
          res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': size });
          return void res.end(Buffer.alloc(size, 1));
        }
        case 'stream': {
          res.writeHead(200, { 'content-type': 'image/jpeg' });
          const piece = Buffer.alloc(256 * 1024, 1);
          for (let i = 0; i < 24 && !res.destroyed; i++) {
            if (!res.write(piece))
              await new Promise<void>((r) => {
                const done = () => {
                  res.off('drain', done).off('close', done);
                  r();
                };
                res.on('drain', done).on('close', done);
              });
          }
          return void res.end();
        }
        case 'text':
          return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>no</html>');
        case 'svg':
          return void res
            .writeHead(200, { 'content-type': 'image/svg+xml' })
            .end('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
        case 'garbage':
          return void res
            .writeHead(200, { 'content-type': 'image/png' })
            .end(Buffer.from('not an image at all'));
        case 'bomb':
          return void res.writeHead(200, { 'content-type': 'image/png' }).end(bombPng());
        default:
          res.writeHead(404).end();
      }
      return;
    } catch {
      if (!res.headersSent) res.writeHead(500).end();
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    template: `${origin}/photo?profile={profile}`,
    hits,
    canaryConnections: () => canaryCount,
    maxInFlight: () => maxInFlight,
    canaryPort,
    setPhoto: (slug, rgb) => colours.set(slug, rgb),
    setFailing: (slug, f) => (f ? failing.add(slug) : failing.delete(slug)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        canary.close();
        server.close(() => resolve());
      }),
  };
}

/**
 * Jest hooks for a test file: start the stand-in before its tests and cold-start the test runtime
 * with AVTRZ_UPSTREAM_URL (and `env`) pointing at it; afterwards close it and start cold again. Returns the running provider.
 */
export function useProvider(env: Record<string, string> = {}): () => Provider {
  let p: Provider | undefined;
  beforeAll(async () => {
    p = await startProvider();
    coldStart({ env: { ...env, AVTRZ_UPSTREAM_URL: p.template } });
  });
  afterAll(async () => {
    coldStart();
    await p?.close();
  });
  return () => {
    if (!p) throw new Error('the provider stand-in runs only inside tests (useProvider)');
    return p;
  };
}
