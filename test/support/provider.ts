/**
 * The photo provider stand-in on 127.0.0.1, for every tier that needs one: the resolver's hostile
 * cases, batch, e2e, browser, faults, load and the benchmark (AVTRZ_UPSTREAM_URL = `template`).
 * It answers by the slug of `?profile=linkedin.com/in/<slug>`, so one instance serves every
 * behaviour a test needs:
 *
 *   photo-*          200 image/jpeg, a 400×300 photo in the slug's colour (`setPhoto` changes it;
 *                    json-, jsonrel-, redirect-, slow-, delay- serve the same photo)
 *   any other slug   200 image/jpeg, a 400×400 photo in the slug's colour
 *   big-*            200 image/jpeg, 4000×4000 (resolver memory; JPEG can be shrunk while decoding)
 *   bigpng-*         200 image/png, 4000×4000 (resolver memory; PNG must be decoded in full)
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
 *   slow-*           the photo after `slowMs` (default 4 s: past the resolver's 3 s deadline)
 *   huge-*           image/jpeg, 6 MB with content-length
 *   stream-*         image/jpeg, 6 MB chunked (no content-length): aborted while streaming
 *   text-*           200 text/html
 *   svg-*            200 image/svg+xml
 *   garbage-*        200 image/png whose bytes are not an image
 *   bomb-*           200 image/png, 20000×20000 1-bit PNG of a few KB (400 megapixels decoded)
 *   delay-*          the photo after 150 ms (to observe how many lookups run at once)
 *
 * `/img/<slug>` serves that slug's photo (big-*, bigpng-* at their size). `mode` switches the
 * whole provider to 'down' (500 for everything) or 'hang' (never answers); `setFailing` makes one
 * slug answer 500. `canary` is a second listener on 127.0.0.1 that only counts connections: a
 * refused URL must never reach it. `hits` counts provider requests (/photo) per slug (variants
 * must not ask again).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { coldStart } from './runtime';

type Rgb = { r: number; g: number; b: number };

export interface Provider {
  origin: string;
  /** value for AVTRZ_UPSTREAM_URL */
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
  /** the whole provider: 'down' answers 500 to everything, 'hang' never answers */
  mode: 'normal' | 'down' | 'hang';
  /** how long slow-* waits before its photo */
  slowMs: number;
  close(): Promise<void>;
}

/** The solid colour of a slug's photo: lets a test tell "the photo" from initials by its pixels. */
export function colourOf(slug: string): Rgb {
  const h = createHash('sha256').update(slug).digest();
  // keep channels apart from each other and from grey so resampling cannot confuse them
  return { r: 40 + (h[0] % 176), g: 40 + (h[1] % 176), b: 40 + (h[2] % 176) };
}

/**
 * Expect `image` to be the stand-in's solid photo in `rgb` (each channel's mean within 6, which
 * survives resizing and lossy re-encoding but tells one slug's colour from another's).
 */
export async function expectPhotoColour(image: Buffer, rgb: Rgb): Promise<void> {
  const { channels } = await sharp(image).stats();
  const mean = { r: channels[0].mean, g: channels[1].mean, b: channels[2].mean };
  for (const c of ['r', 'g', 'b'] as const) expect(Math.abs(mean[c] - rgb[c])).toBeLessThan(6);
}

const images = new Map<string, Buffer>();
/** A solid photo; the 4000×4000 ones take a while to encode, so every image is made once. */
async function image(
  rgb: Rgb,
  width: number,
  height: number,
  format: 'jpeg' | 'png',
  quality = 90,
): Promise<Buffer> {
  const k = `${rgb.r},${rgb.g},${rgb.b}:${width}x${height}:${format}:${quality}`;
  let buf = images.get(k);
  if (!buf) {
    const img = sharp({ create: { width, height, channels: 3, background: rgb } });
    buf = await (format === 'png' ? img.png({ compressionLevel: 9 }) : img.jpeg({ quality })).toBuffer();
    images.set(k, buf);
  }
  return buf;
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

/** kinds whose photo is 400×300 (the resolver tests check the stored original's shape) */
const LANDSCAPE = new Set(['photo', 'json', 'jsonrel', 'jsonhttp', 'redirect', 'slow', 'delay']);

export async function startProvider(): Promise<Provider> {
  const hits = new Map<string, number>();
  const colours = new Map<string, Rgb>();
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
  const provider: Provider = {
    origin: '',
    template: '',
    hits,
    canaryConnections: () => canaryCount,
    maxInFlight: () => maxInFlight,
    canaryPort,
    setPhoto: (slug, rgb) => void colours.set(slug, rgb),
    setFailing: (slug, f) => void (f ? failing.add(slug) : failing.delete(slug)),
    mode: 'normal',
    slowMs: 4000,
    close: async () => {},
  };

  const sendPhoto = async (res: http.ServerResponse, slug: string) => {
    const rgb = colours.get(slug) ?? colourOf(slug);
    const kind = slug.split('-')[0];
    const body =
      kind === 'big' || kind === 'bigpng'
        ? await image(rgb, 4000, 4000, kind === 'big' ? 'jpeg' : 'png', 95)
        : LANDSCAPE.has(kind)
          ? await image(rgb, 400, 300, 'jpeg', 90)
          : await image(rgb, 400, 400, 'jpeg', 95);
    if (!res.destroyed)
      res
        .writeHead(200, {
          'content-type': kind === 'bigpng' ? 'image/png' : 'image/jpeg',
          'content-length': body.length,
        })
        .end(body);
  };

  const server = http.createServer(async (req, res) => {
    try {
      const u = new URL(req.url ?? '/', 'http://x');
      const img = u.pathname.startsWith('/img/');
      const m = /^linkedin\.com\/in\/([^/?#]+)$/.exec(u.searchParams.get('profile') ?? '');
      const slug = img
        ? decodeURIComponent(u.pathname.slice(5))
        : u.pathname === '/photo'
          ? m?.[1]
          : undefined;
      if (!slug) {
        res.writeHead(400).end();
        return;
      }
      if (!img) {
        hits.set(slug, (hits.get(slug) ?? 0) + 1);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        res.once('close', () => inFlight--);
      }
      if (provider.mode === 'hang') return; // never answer
      if (provider.mode === 'down') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('provider error');
        return;
      }
      if (img) {
        await sendPhoto(res, slug);
        return;
      }
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
        case 'json':
          return json({ image_url: `${origin}/img/${encodeURIComponent(slug)}` });
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
            const t = setTimeout(r, provider.slowMs);
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
        default: // photo-*, big-*, bigpng-* and any slug of no kind above
          return void (await sendPhoto(res, slug));
      }
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
  provider.origin = origin;
  provider.template = `${origin}/photo?profile={profile}`;
  provider.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      canary.close();
      server.close(() => resolve());
    });
  return provider;
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
