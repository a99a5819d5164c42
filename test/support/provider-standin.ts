/**
 * A photo provider stand-in on 127.0.0.1 for browser, fault, load tests and the benchmark
 * (AVTRZ_UPSTREAM_URL = `template`). It answers by the profile's slug, so one instance serves
 * every behaviour a test needs:
 *   nophoto-*  -> 404 (no photo: initials)
 *   fail-*     -> 500
 *   slow-*     -> the photo after `slowMs` (default 20 s: longer than any fetch timeout)
 *   big-*      -> a 4000x4000 JPEG (resolver memory; JPEG can be shrunk while decoding)
 *   bigpng-*   -> a 4000x4000 PNG (resolver memory; PNG must be decoded in full)
 *   json-*     -> {"image_url": "<this origin>/img/<slug>"} (same-origin indirection)
 *   anything else -> a 400x400 JPEG filled with `colorOf(slug)`
 * `mode` switches the whole provider to 'down' (500 for all) or 'hang' (never answers).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export interface ProviderStandin {
  origin: string;
  /** value for AVTRZ_UPSTREAM_URL */
  template: string;
  /** requests seen, by slug */
  hits: Map<string, number>;
  mode: 'normal' | 'down' | 'hang';
  slowMs: number;
  close(): Promise<void>;
}

/** The solid colour of a slug's photo: lets a test tell "the photo" from initials by its pixels. */
export function colorOf(slug: string): { r: number; g: number; b: number } {
  const h = createHash('sha256').update(slug).digest();
  // keep channels apart from each other and from grey so resampling cannot confuse them
  return { r: 40 + (h[0] % 176), g: 40 + (h[1] % 176), b: 40 + (h[2] % 176) };
}

const cache = new Map<string, Buffer>();
async function photo(slug: string, side: number, format: 'jpeg' | 'png' = 'jpeg'): Promise<Buffer> {
  const k = `${slug}:${side}:${format}`;
  let buf = cache.get(k);
  if (!buf) {
    const c = colorOf(slug);
    const img = sharp({ create: { width: side, height: side, channels: 3, background: c } });
    buf = await (format === 'png' ? img.png({ compressionLevel: 9 }) : img.jpeg({ quality: 95 })).toBuffer();
    cache.set(k, buf);
  }
  return buf;
}

function slugOf(profile: string | null): string | undefined {
  const m = /^linkedin\.com\/in\/([^/?#]+)$/.exec(profile ?? '');
  return m ? m[1] : undefined;
}

export async function startProviderStandin(): Promise<ProviderStandin> {
  const hits = new Map<string, number>();
  const sockets = new Set<import('node:net').Socket>();
  const state: ProviderStandin = {
    origin: '',
    template: '',
    hits,
    mode: 'normal',
    slowMs: 20_000,
    close: async () => {},
  };
  const server = http.createServer(async (req, res) => {
    try {
      const u = new URL(req.url ?? '/', 'http://x');
      let slug: string | undefined;
      if (u.pathname === '/photo') slug = slugOf(u.searchParams.get('profile'));
      else if (u.pathname.startsWith('/img/')) slug = decodeURIComponent(u.pathname.slice(5));
      if (!slug) {
        res.writeHead(400).end();
        return;
      }
      if (u.pathname === '/photo') hits.set(slug, (hits.get(slug) ?? 0) + 1);
      if (state.mode === 'hang') return; // never answer
      if (state.mode === 'down' || slug.startsWith('fail-')) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('provider error');
        return;
      }
      if (slug.startsWith('nophoto-')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      if (slug.startsWith('slow-')) await new Promise((r) => setTimeout(r, state.slowMs));
      if (u.pathname === '/photo' && slug.startsWith('json-')) {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ image_url: `${state.origin}/img/${encodeURIComponent(slug)}` }));
        return;
      }
      const png = slug.startsWith('bigpng-');
      const body = await photo(slug, png || slug.startsWith('big-') ? 4000 : 400, png ? 'png' : 'jpeg');
      if (res.destroyed) return;
      res
        .writeHead(200, { 'content-type': png ? 'image/png' : 'image/jpeg', 'content-length': body.length })
        .end(body);
    } catch {
      if (!res.headersSent) res.writeHead(500).end();
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.origin = `http://127.0.0.1:${port}`;
  state.template = `${state.origin}/photo?profile={profile}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}
