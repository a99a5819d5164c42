/**
 * The photo path over real HTTP, as a deployed stack runs it: the local stack (gateway with the
 * route table, the resolver behind its Lambda Invoke API, CDN stand-in, its own DynamoDB Local
 * and s3rver) with AVTRZ_UPSTREAM_URL pointing at the provider stand-in on 127.0.0.1. The image
 * is fetched from the CDN stand-in's Location and checked with sharp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { type LocalStack, startLocalStack } from '../../lib/local/stack';
import { freshSlug } from '../support/avatar-fixtures';
import { colourOf, expectPhotoColour, type Provider, startProvider } from '../support/provider';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'avtrz-photo-http-'));
let stack: LocalStack;
let p: Provider;

beforeAll(async () => {
  p = await startProvider();
  stack = await startLocalStack({ dataDir, upstreamUrl: p.template, onError: () => undefined });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await p?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const avatar = (slug: string, q: Record<string, string> = {}) =>
  fetch(
    `${stack.apiUrl}/v1/avatar?${new URLSearchParams({ linkedin_url: `linkedin.com/in/${slug}`, ...q })}`,
    { headers: { 'x-api-key': stack.demo.secretKey }, redirect: 'manual' },
  );

test('a provider photo: 302, and the CDN serves exactly size×size in the format, immutable', async () => {
  expect(stack.env.AVTRZ_RESOLVER_FUNCTION).toBeTruthy();
  const slug = freshSlug('photo');
  const res = await avatar(slug, { size: '200', format: 'png' });
  expect(res.status).toBe(302);
  const location = res.headers.get('location') as string;
  expect(location.startsWith(`${stack.cdnUrl}/a/`)).toBe(true);
  expect(location).toMatch(/\/256\.png$/);
  const img = await fetch(location);
  expect(img.status).toBe(200);
  expect(img.headers.get('content-type')).toBe('image/png');
  expect(img.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  const body = Buffer.from(await img.arrayBuffer());
  expect(await sharp(body).metadata()).toMatchObject({ width: 256, height: 256, format: 'png' });
  await expectPhotoColour(body, colourOf(slug));
});

test('a redirect to a private address: the initials, over HTTP too', async () => {
  const res = await avatar(freshSlug('redirprivate'));
  expect(res.status).toBe(302);
  const img = await fetch(res.headers.get('location') as string);
  expect(img.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
  expect(await img.text()).toMatch(/^<svg /);
});

test('batch over HTTP: results in order, URLs served by the CDN', async () => {
  const a = freshSlug('json');
  const res = await fetch(`${stack.apiUrl}/v1/avatars/batch`, {
    method: 'POST',
    headers: { 'x-api-key': stack.demo.secretKey, 'content-type': 'application/json' },
    body: JSON.stringify({
      items: [{ linkedin_url: `linkedin.com/in/${a}`, size: 64, format: 'jpeg' }, { linkedin_url: 'nope' }],
    }),
  });
  expect(res.status).toBe(200);
  const { results } = await res.json();
  expect(results.map((r: { status: string }) => r.status)).toEqual(['ok', 'error']);
  const img = await fetch(results[0].url);
  expect(img.headers.get('content-type')).toBe('image/jpeg');
  expect(await sharp(Buffer.from(await img.arrayBuffer())).metadata()).toMatchObject({
    width: 64,
    height: 64,
    format: 'jpeg',
  });
});
