/**
 * The local stack in-process (startLocalStack: its own DynamoDB Local + s3rver with a temp data
 * dir, the gateway and the CDN stand-in on free ports), exercised over real HTTP.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { hashKey } from '../../lambdas/core/keys/format';
import { createRuntime } from '../../lambdas/runtime';
import { pk, sk } from '../../lambdas/store/schema';
import { DEMO_PROFILE } from '../../lib/local/demo-page';
import { LOCAL_CREDENTIALS, LOCAL_REGION, PortInUseError } from '../../lib/local/services';
import { LOCAL_BUCKET, LOCAL_TABLE, type LocalStack, startLocalStack } from '../../lib/local/stack';
import { launchChromium } from '../browser/support/chromium';
import { type Provider, startProvider } from '../support/provider';

/** The stack's own table, through a runtime over the environment its handlers run with. */
const stackRuntime = () => createRuntime({ env: stack.env });

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'avtrz-e2e-'));
let stack: LocalStack;
let provider: Provider;
const crashes: string[] = [];
const onError = (_e: unknown, where: string) => crashes.push(where);

beforeAll(async () => {
  provider = await startProvider();
  stack = await startLocalStack({ dataDir, onError, upstreamUrl: provider.template });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await provider?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function jsonOf(res: Response) {
  expect(res.headers.get('content-type')).toContain('application/json');
  return res.json();
}

function expectErrorShape(
  body: { error: Record<string, unknown> },
  code: string,
  type: string,
  res: Response,
) {
  expect(body).toEqual({
    error: { code, type, message: expect.any(String), request_id: expect.any(String) },
  });
  expect(body.error.request_id).toBe(res.headers.get('x-request-id'));
}

const admin = () => ({ authorization: `Bearer ${stack.adminToken}` });

describe('local pages', () => {
  test('/healthz answers 200 {"ok":true}', async () => {
    const res = await fetch(`${stack.apiUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  test('/ serves the demo page with a working <img> tag for the demo publishable key', async () => {
    const res = await fetch(`${stack.apiUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain(stack.demo.publishableKey);
    expect(html).not.toContain(stack.demo.secretKey);
    expect(html).not.toContain(stack.adminToken);
    const src = /<img id="demo-avatar" src="([^"]+)"/.exec(html)?.[1];
    expect(src).toBeDefined();
    // what a browser does with it on this page: same-origin Referer, image Accept
    const img = await fetch(new URL((src as string).replace(/&amp;/g, '&'), stack.apiUrl), {
      redirect: 'manual',
      headers: {
        referer: `${stack.apiUrl}/`,
        accept: 'image/avif,image/webp,*/*',
        'sec-fetch-dest': 'image',
      },
    });
    expect(img.status).toBe(302);
    const location = img.headers.get('location') as string;
    expect(location.startsWith(`${stack.cdnUrl}/a/`)).toBe(true);
    const obj = await fetch(location);
    expect(obj.status).toBe(200);
    expect(obj.headers.get('content-type')).toMatch(/^image\//);
    // the page's CSP lets the image load from the CDN stand-in
    expect(res.headers.get('content-security-policy')).toContain(`img-src 'self' ${stack.cdnUrl}`);
  });
});

test('in headless Chromium the demo page shows the avatar, on 127.0.0.1 and on localhost', async () => {
  const browser = await launchChromium();
  try {
    for (const origin of [stack.apiUrl, stack.apiUrl.replace('127.0.0.1', 'localhost')]) {
      const page = await browser.newPage();
      const cdnResponses: number[] = [];
      page.on('response', (r) => {
        if (r.url().startsWith(`${stack.cdnUrl}/a/`)) cdnResponses.push(r.status());
      });
      await page.goto(`${origin}/`);
      const img = page.locator('#demo-avatar');
      // settles on load or error (an error leaves naturalWidth 0, and the assertion below says so)
      await img.evaluate((el: HTMLImageElement) =>
        el.complete
          ? undefined
          : new Promise((r) => {
              el.addEventListener('load', r, { once: true });
              el.addEventListener('error', r, { once: true });
            }),
      );
      const size = await img.evaluate((el: HTMLImageElement) => ({
        w: el.naturalWidth,
        h: el.naturalHeight,
      }));
      expect({ origin, size, cdn: cdnResponses }).toEqual({ origin, size: { w: 128, h: 128 }, cdn: [200] });
      await page.close();
    }
  } finally {
    await browser.close();
  }
});

describe('gateway routing and errors', () => {
  test('unknown route: 404 not_found in the catalogue shape', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/nope`);
    expect(res.status).toBe(404);
    expectErrorShape(await jsonOf(res), 'not_found', 'request', res);
  });

  test('known path, wrong method: 405 method_not_allowed with Allow', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/avatar`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expectErrorShape(await jsonOf(res), 'method_not_allowed', 'request', res);

    const res2 = await fetch(`${stack.apiUrl}/v1/admin/workspaces/ws_1/keys/key_1`, { method: 'GET' });
    expect(res2.status).toBe(405);
    expect(res2.headers.get('allow')?.split(', ').sort()).toEqual(['DELETE', 'PATCH']);
  });

  test('admin route without the token: 403 forbidden', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/admin/workspaces/${stack.demo.workspaceId}`);
    expect(res.status).toBe(403);
    expectErrorShape(await jsonOf(res), 'forbidden', 'auth', res);
    const wrong = await fetch(`${stack.apiUrl}/v1/admin/workspaces/${stack.demo.workspaceId}`, {
      headers: { authorization: `Bearer ${stack.adminToken}0` },
    });
    expect(wrong.status).toBe(403);
  });

  test('admin route with an API key (header or ?key=), even beside the token: 403 forbidden', async () => {
    const url = `${stack.apiUrl}/v1/admin/workspaces/${stack.demo.workspaceId}`;
    const r1 = await fetch(url, { headers: { 'x-api-key': stack.demo.secretKey } });
    expect(r1.status).toBe(403);
    expectErrorShape(await jsonOf(r1), 'forbidden', 'auth', r1);
    const r2 = await fetch(url, { headers: { ...admin(), 'x-api-key': stack.demo.secretKey } });
    expect(r2.status).toBe(403);
    const r3 = await fetch(`${url}?key=${stack.demo.publishableKey}`, { headers: admin() });
    expect(r3.status).toBe(403);
  });

  test('admin route with the token reaches the handler', async () => {
    const get = await fetch(`${stack.apiUrl}/v1/admin/workspaces/${stack.demo.workspaceId}`, {
      headers: admin(),
    });
    expect(get.status).toBe(200);
    expect(await get.json()).toMatchObject({ id: stack.demo.workspaceId, name: expect.any(String) });

    const created = await fetch(`${stack.apiUrl}/v1/admin/workspaces`, {
      method: 'POST',
      headers: { ...admin(), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'E2E', monthly_quota: 5 }),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      id: expect.stringMatching(/^ws_/),
      name: 'E2E',
      monthly_quota: 5,
    });
  });

  test('the demo secret key works from a server (no Origin): 302 to the CDN stand-in', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/avatar?linkedin_url=${DEMO_PROFILE}&size=256`, {
      redirect: 'manual',
      headers: { 'x-api-key': stack.demo.secretKey },
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')?.startsWith(`${stack.cdnUrl}/a/`)).toBe(true);
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  test('a photo travels the whole local chain: gateway -> avatar -> Invoke API -> resolver -> S3 -> CDN', async () => {
    const res = await fetch(
      `${stack.apiUrl}/v1/avatar?linkedin_url=linkedin.com/in/photo-e2e-chain&size=96&format=png`,
      {
        redirect: 'manual',
        headers: { 'x-api-key': stack.demo.secretKey },
      },
    );
    expect(res.status).toBe(302);
    const location = res.headers.get('location') as string;
    expect(location.startsWith(`${stack.cdnUrl}/a/`)).toBe(true);
    expect(location).not.toContain('photo-e2e-chain'); // keyed hash, not the profile
    expect(provider.hits.get('photo-e2e-chain')).toBe(1);
    const obj = await fetch(location);
    expect(obj.status).toBe(200);
    expect(obj.headers.get('content-type')).toBe('image/png');
    const sharp = (await import('sharp')).default;
    const meta = await sharp(Buffer.from(await obj.arrayBuffer())).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({
      format: 'png',
      width: 96,
      height: 96,
    });
  });

  test('no handler crashed along the way', () => {
    expect(crashes).toEqual([]);
  });
});

describe('CDN stand-in', () => {
  let s3: S3Client;
  beforeAll(() => {
    s3 = new S3Client({
      endpoint: stack.endpoints.s3,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      forcePathStyle: true,
    });
  });
  afterAll(() => s3.destroy());

  const body = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"/>');
  const put = (Key: string) =>
    s3.send(
      new PutObjectCommand({
        Bucket: LOCAL_BUCKET,
        Key,
        Body: body,
        ContentType: 'image/svg+xml',
        CacheControl: 'public, max-age=31536000, immutable',
      }),
    );

  test('serves a/ objects with the response headers policy of the CDK distribution, Miss then Hit', async () => {
    await put('a/e2etest/v1/initials.svg');
    const res = await fetch(`${stack.cdnUrl}/a/e2etest/v1/initials.svg`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-length')).toBe(String(body.length));
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]+"$/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+; includeSubDomains$/);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-cache')).toBe('Miss from cloudfront');
    const again = await fetch(`${stack.cdnUrl}/a/e2etest/v1/initials.svg`);
    await again.arrayBuffer();
    expect(again.headers.get('x-cache')).toBe('Hit from cloudfront');
  });

  test("an object's own Cache-Control wins; without one the policy's immutable default applies", async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: LOCAL_BUCKET,
        Key: 'a/e2etest/v3/short.svg',
        Body: body,
        ContentType: 'image/svg+xml',
        CacheControl: 'max-age=60',
      }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: LOCAL_BUCKET,
        Key: 'a/e2etest/v3/none.svg',
        Body: body,
        ContentType: 'image/svg+xml',
      }),
    );
    const own = await fetch(`${stack.cdnUrl}/a/e2etest/v3/short.svg`);
    await own.arrayBuffer();
    expect(own.headers.get('cache-control')).toBe('max-age=60');
    const dflt = await fetch(`${stack.cdnUrl}/a/e2etest/v3/none.svg`);
    await dflt.arrayBuffer();
    expect(dflt.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  test('conditional GET with the ETag answers 304 without a body; HEAD has headers only', async () => {
    await put('a/e2etest/v2/initials.svg');
    const url = `${stack.cdnUrl}/a/e2etest/v2/initials.svg`;
    const first = await fetch(url);
    await first.arrayBuffer();
    const etag = first.headers.get('etag') as string;
    const cond = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(cond.status).toBe(304);
    expect((await cond.arrayBuffer()).byteLength).toBe(0);
    const stale = await fetch(url, { headers: { 'if-none-match': '"not-it"' } });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(body.length));
    expect(head.headers.get('content-type')).toBe('image/svg+xml');
  });

  test('never serves originals: outside /a/* is 404 at the edge, before the bucket', async () => {
    await put('o/e2etest/v1/original');
    for (const p of [
      '/o/e2etest/v1/original',
      '/a/../o/e2etest/v1/original',
      '/a/%2e%2e/o/e2etest/v1/original',
      '/',
    ]) {
      const res = await fetch(`${stack.cdnUrl}${p}`);
      expect({ p, status: res.status }).toEqual({ p, status: 404 });
      expect((await res.arrayBuffer()).byteLength).toBe(0);
    }
  });

  test('a missing /a/ object, a key with dot segments and other methods are 403 AccessDenied', async () => {
    for (const p of ['/a/e2etest/missing.svg', '/a/e2etest%2F..%2F..%2Fo/e2etest/v1/original']) {
      const res = await fetch(`${stack.cdnUrl}${p}`);
      expect({ p, status: res.status }).toEqual({ p, status: 403 });
      expect(await res.text()).toContain('AccessDenied');
    }
    const post = await fetch(`${stack.cdnUrl}/a/e2etest/v1/initials.svg`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(403);
  });
});

describe('ports', () => {
  test('a taken port fails fast with a message naming it', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'avtrz-e2e-port-'));
    try {
      const err = await startLocalStack({ port, dataDir: dir }).catch((e) => e);
      expect(err).toBeInstanceOf(PortInUseError);
      expect(err.message).toContain(`Port ${port}`);
      expect(err.message).toContain('already in use');
      const err2 = await startLocalStack({ cdnPort: port, dataDir: dir }).catch((e) => e);
      expect(err2).toBeInstanceOf(PortInUseError);
      expect(err2.message).toContain('CDN');
    } finally {
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('persistence', () => {
  test('a restart with the same data dir keeps data, keys, admin token and the CDN objects', async () => {
    const created = await fetch(`${stack.apiUrl}/v1/admin/workspaces`, {
      method: 'POST',
      headers: { ...admin(), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Survives restarts', monthly_quota: 7 }),
    });
    expect(created.status).toBe(201);
    const ws = (await created.json()).id as string;
    const avatar = await fetch(`${stack.apiUrl}/v1/avatar?linkedin_url=linkedin.com/in/persist-me`, {
      redirect: 'manual',
      headers: { 'x-api-key': stack.demo.secretKey },
    });
    expect(avatar.status).toBe(302);
    const objectUrl = new URL(avatar.headers.get('location') as string);

    const before = {
      adminToken: stack.adminToken,
      demo: stack.demo,
      port: new URL(stack.apiUrl).port,
      cdnPort: new URL(stack.cdnUrl).port,
    };
    const stored = JSON.parse(readFileSync(path.join(dataDir, 'demo.json'), 'utf8'));
    expect(stored.publishableKey).toBe(before.demo.publishableKey);

    await stack.stop();
    expect((await fetch(`${stack.apiUrl}/healthz`).catch(() => undefined))?.status).toBeUndefined();

    stack = await startLocalStack({
      dataDir,
      onError,
      port: Number(before.port),
      cdnPort: Number(before.cdnPort),
    });
    expect(stack.adminToken).toBe(before.adminToken);
    expect(stack.demo).toEqual(before.demo);
    // the kept keys are still valid in the (persisted) table
    const rec = await stackRuntime().store.keys.getKeyByHash(hashKey(stack.demo.secretKey));
    expect(rec).toMatchObject({ workspace_id: stack.demo.workspaceId, type: 'secret' });
    expect(rec?.revoked_at).toBeUndefined();
    const res = await fetch(`${stack.apiUrl}/v1/avatar?linkedin_url=${DEMO_PROFILE}`, {
      redirect: 'manual',
      headers: { 'x-api-key': stack.demo.secretKey },
    });
    expect(res.status).toBe(302);
    const get = await fetch(`${stack.apiUrl}/v1/admin/workspaces/${ws}`, { headers: admin() });
    expect(get.status).toBe(200);
    expect(await get.json()).toMatchObject({ id: ws, name: 'Survives restarts', monthly_quota: 7 });
    const obj = await fetch(`${stack.cdnUrl}${objectUrl.pathname}`);
    expect(obj.status).toBe(200);
  }, 60_000);

  test('keys that are no longer valid in the table are replaced on start', async () => {
    const revoke = await fetch(
      `${stack.apiUrl}/v1/admin/workspaces/${stack.demo.workspaceId}/keys/${(await stackRuntime().store.keys.getKeyByHash(hashKey(stack.demo.publishableKey)))?.id}`,
      { method: 'DELETE', headers: admin() },
    );
    expect(revoke.status).toBe(200);
    const old = stack.demo;
    const ports = { port: Number(new URL(stack.apiUrl).port), cdnPort: Number(new URL(stack.cdnUrl).port) };
    const keptToken = stack.adminToken;
    await stack.stop();
    // AVTRZ_ADMIN_TOKEN fixes the token for this run without replacing the kept one
    stack = await startLocalStack({ dataDir, onError, ...ports, adminToken: 'fixed-admin-token-for-e2e' });
    expect(stack.adminToken).toBe('fixed-admin-token-for-e2e');
    const url = `${stack.apiUrl}/v1/admin/workspaces/${old.workspaceId}`;
    expect((await fetch(url, { headers: admin() })).status).toBe(200);
    expect((await fetch(url, { headers: { authorization: `Bearer ${keptToken}` } })).status).toBe(403);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'demo.json'), 'utf8')).adminToken).toBe(keptToken);
    expect(stack.demo.workspaceId).toBe(old.workspaceId);
    expect(stack.demo.secretKey).toBe(old.secretKey);
    expect(stack.demo.publishableKey).not.toBe(old.publishableKey);
    const rec = await stackRuntime().store.keys.getKeyByHash(hashKey(stack.demo.publishableKey));
    expect(rec).toMatchObject({ type: 'publishable', allowed_domains: ['localhost', '127.0.0.1'] });
  }, 60_000);

  test('an expired demo key (the old half of a roll, past its overlap) is replaced on start', async () => {
    const old = stack.demo;
    // what a roll leaves once its overlap has run out: the old key's expires_at in the past
    await stackRuntime()
      .clients.dynamo()
      .send(
        new UpdateCommand({
          TableName: LOCAL_TABLE,
          Key: { pk: pk.keyHash(hashKey(old.secretKey)), sk: sk.key },
          UpdateExpression: 'SET expires_at = :past',
          ExpressionAttributeValues: { ':past': new Date(Date.now() - 60_000).toISOString() },
        }),
      );
    const ports = { port: Number(new URL(stack.apiUrl).port), cdnPort: Number(new URL(stack.cdnUrl).port) };
    await stack.stop();
    stack = await startLocalStack({ dataDir, onError, ...ports });
    expect(stack.demo.workspaceId).toBe(old.workspaceId);
    expect(stack.demo.publishableKey).toBe(old.publishableKey);
    expect(stack.demo.secretKey).not.toBe(old.secretKey);
    const res = await fetch(`${stack.apiUrl}/v1/avatar?linkedin_url=${DEMO_PROFILE}`, {
      redirect: 'manual',
      headers: { 'x-api-key': stack.demo.secretKey },
    });
    expect(res.status).toBe(302);
  }, 60_000);
});
