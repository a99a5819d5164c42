/**
 * The <img> tag as users meet it: headless Chromium (Debian package, playwright-core) loads pages
 * from our own small origin server, the tag points at the local stack (real gateway, handlers,
 * DynamoDB Local, s3rver, CDN stand-in) and the photo comes from a provider stand-in on loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Response } from 'playwright-core';

interface Seen {
  url: string;
  status: number;
  headers: Record<string, string>;
}

import sharp from 'sharp';
import { requestJson } from '../../bench/lib/http';
import type { LocalStack } from '../../lib/local/stack';
import { startLocalStack } from '../../lib/local/stack';
import { colourOf, type Provider, startProvider } from '../support/provider';
import { launchChromium } from './support/chromium';
import { imgPage, type PageServer, startPageServer } from './support/page-server';

let stack: LocalStack;
let provider: Provider;
let pages: PageServer;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'avtrz-browser-'));
  // revocation must show within the test: a 1 s key cache instead of the default 30 s
  provider = await startProvider();
  [stack, pages, browser] = await Promise.all([
    startLocalStack({ dataDir, upstreamUrl: provider.template, env: { AVTRZ_KEY_CACHE_SECONDS: '1' } }),
    startPageServer(),
    launchChromium(),
  ]);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await pages?.close();
  await stack?.stop();
  await provider?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const admin = (method: string, p: string, body?: unknown) =>
  requestJson(method, `${stack.apiUrl}/v1/admin/workspaces/${stack.demo.workspaceId}${p}`, body, {
    authorization: `Bearer ${stack.adminToken}`,
  });

async function createKey(allowed: string[]): Promise<{ id: string; key: string }> {
  const r = await admin('POST', '/keys', {
    type: 'publishable',
    name: `browser-${Date.now()}`,
    allowed_domains: allowed,
  });
  expect(r.status).toBe(201);
  return { id: r.json.id, key: r.json.key };
}

let n = 0;
const uniqueSlug = (p: string) => `${p}-${Date.now().toString(36)}-${++n}`;
const avatarSrc = (key: string, slug: string) =>
  `${stack.apiUrl}/v1/avatar?key=${encodeURIComponent(key)}&linkedin_url=${encodeURIComponent(`https://www.linkedin.com/in/${slug}`)}&size=128`;

interface Loaded {
  settled: string;
  naturalWidth: number;
  naturalHeight: number;
  /** the API's own answer to the <img> request */
  api: Seen;
  apiRequestHeaders: Record<string, string>;
  /** the response the image was finally decoded from */
  final: Seen;
  finalBody: Buffer;
}

/** Open `html` from `host` in a fresh context (no shared cache) and wait for the <img> to settle. */
async function load(host: '127.0.0.1' | 'localhost', html: string): Promise<Loaded> {
  const pagePath = `/p${++n}.html`;
  pages.setPage(pagePath, html);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const responses: Response[] = [];
    page.on('response', (r) => {
      if (r.url().startsWith(stack.apiUrl) || r.url().startsWith(stack.cdnUrl)) responses.push(r);
    });
    await page.goto(pages.url(host, pagePath));
    await page.waitForFunction(() => (window as unknown as { __settled?: string }).__settled, undefined, {
      timeout: 20_000,
    });
    const img = await page.evaluate(() => {
      const el = document.getElementById('av') as HTMLImageElement;
      return {
        settled: (window as unknown as { __settled: string }).__settled,
        naturalWidth: el.naturalWidth,
        naturalHeight: el.naturalHeight,
      };
    });
    const api = responses.find((r) => r.url().startsWith(`${stack.apiUrl}/v1/avatar`));
    if (!api) throw new Error('the <img> never reached the API');
    const final = responses[responses.length - 1];
    const finalBody = final.status() >= 300 && final.status() < 400 ? Buffer.alloc(0) : await final.body();
    const seen = async (r: Response): Promise<Seen> => ({
      url: r.url(),
      status: r.status(),
      headers: await r.allHeaders(),
    });
    return {
      ...img,
      api: await seen(api),
      apiRequestHeaders: await api.request().allHeaders(),
      final: await seen(final),
      finalBody,
    };
  } finally {
    await context.close();
  }
}

/** the average colour of the central quarter of an image */
async function centreColour(buf: Buffer): Promise<{ r: number; g: number; b: number }> {
  const img = sharp(buf);
  const { width = 0, height = 0 } = await img.metadata();
  const { data } = await img
    .extract({
      left: Math.floor(width / 4),
      top: Math.floor(height / 4),
      width: Math.floor(width / 2),
      height: Math.floor(height / 2),
    })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const sum = [0, 0, 0];
  for (let i = 0; i < data.length; i += 3) for (let c = 0; c < 3; c++) sum[c] += data[i + c];
  const px = data.length / 3;
  return { r: sum[0] / px, g: sum[1] / px, b: sum[2] / px };
}

async function expectThePhoto(l: Loaded, slug: string): Promise<void> {
  expect(l.settled).toBe('load');
  expect(l.api.status).toBe(302);
  const location = l.api.headers.location;
  expect(new URL(location).origin).toBe(new URL(stack.cdnUrl).origin);
  // the pixels the browser decoded came from the CDN origin, as a 128×128 raster
  expect(new URL(l.final.url).origin).toBe(new URL(stack.cdnUrl).origin);
  expect(l.final.status).toBe(200);
  expect(l.final.headers['content-type']).toMatch(/^image\/(webp|png|jpeg)/);
  expect([l.naturalWidth, l.naturalHeight]).toEqual([128, 128]);
  const meta = await sharp(l.finalBody).metadata();
  expect([meta.width, meta.height]).toEqual([128, 128]);
  // …and they are the provider's photo of THIS profile (its solid colour), not initials
  const got = await centreColour(l.finalBody);
  const want = colourOf(slug);
  for (const c of ['r', 'g', 'b'] as const) expect(Math.abs(got[c] - want[c])).toBeLessThan(14);
}

/** Served from the CDN (photo or initials): a 302 from the API and a decoded image from the CDN. */
function expectServed(l: Loaded): void {
  expect(l.settled).toBe('load');
  expect(l.api.status).toBe(302);
  expect(new URL(l.final.url).origin).toBe(new URL(stack.cdnUrl).origin);
  expect(l.final.status).toBe(200);
  expect(l.naturalWidth).toBeGreaterThan(0);
}

async function expectFallback(l: Loaded, status: number, code: string): Promise<void> {
  // no broken image: the SVG itself is decoded and has a size
  expect(l.settled).toBe('load');
  expect(l.naturalWidth).toBeGreaterThan(0);
  expect(l.naturalHeight).toBeGreaterThan(0);
  expect(l.api.status).toBe(status);
  const h = l.api.headers;
  expect(h['content-type']).toMatch(/^image\/svg\+xml/);
  expect(h['x-avtrz-error']).toBe(code);
  expect(h['cache-control']).toBe('no-store');
  // the image was the API's own answer: nothing was fetched from the CDN
  expect(l.final.url).toBe(l.api.url);
}

test('allowed origin: the photo renders at 128×128 from the CDN', async () => {
  const slug = uniqueSlug('browser-photo');
  const l = await load('127.0.0.1', imgPage(avatarSrc(stack.demo.publishableKey, slug)));
  await expectThePhoto(l, slug);
  expect(l.apiRequestHeaders.referer).toBe(pages.url('127.0.0.1', '/'));
  expect(provider.hits.get(slug)).toBe(1);
});

test('origin not on the allow-list: the SVG fallback renders (403 domain_blocked)', async () => {
  const { key } = await createKey(['127.0.0.1']);
  const slug = uniqueSlug('browser-blocked');
  // same server, host `localhost`: a host the key does not allow
  const l = await load('localhost', imgPage(avatarSrc(key, slug)));
  await expectFallback(l, 403, 'domain_blocked');
  expect(l.apiRequestHeaders.referer).toBe(pages.url('localhost', '/'));
  // the same tag from the allowed host is served
  expectServed(await load('127.0.0.1', imgPage(avatarSrc(key, slug))));
});

test('allow-list entry with a port: another port of the same host gets the fallback', async () => {
  const other = await startPageServer();
  try {
    const { key } = await createKey([`127.0.0.1:${other.port}`]);
    const slug = uniqueSlug('browser-port');
    await expectFallback(await load('127.0.0.1', imgPage(avatarSrc(key, slug))), 403, 'domain_blocked');
    other.setPage('/ok.html', imgPage(avatarSrc(key, slug)));
    const ctx = await browser.newContext();
    try {
      const page = await ctx.newPage();
      await page.goto(other.url('127.0.0.1', '/ok.html'));
      await page.waitForFunction(() => (window as unknown as { __settled?: string }).__settled);
      expect(
        await page.evaluate(() => (document.getElementById('av') as HTMLImageElement).naturalWidth),
      ).toBe(128);
    } finally {
      await ctx.close();
    }
  } finally {
    await other.close();
  }
});

test('referrerpolicy="no-referrer": the SVG fallback renders (403 domain_blocked)', async () => {
  const slug = uniqueSlug('browser-noref');
  const l = await load(
    '127.0.0.1',
    imgPage(avatarSrc(stack.demo.publishableKey, slug), 'referrerpolicy="no-referrer"'),
  );
  expect(l.apiRequestHeaders.referer).toBeUndefined();
  expect(l.apiRequestHeaders.origin).toBeUndefined();
  await expectFallback(l, 403, 'domain_blocked');
  expect(provider.hits.get(slug)).toBeUndefined();
});

test('revoked key: the SVG fallback renders (401 invalid_key)', async () => {
  const { id, key } = await createKey(['127.0.0.1', 'localhost']);
  const slug = uniqueSlug('browser-revoked');
  expectServed(await load('127.0.0.1', imgPage(avatarSrc(key, slug))));
  const r = await admin('DELETE', `/keys/${id}`);
  expect(r.status).toBe(200);
  expect(r.json.status).toBe('revoked');
  await new Promise((res) => setTimeout(res, 1_300)); // the key cache TTL set above
  await expectFallback(await load('127.0.0.1', imgPage(avatarSrc(key, slug))), 401, 'invalid_key');
});
