/**
 * The console on the local stack, over real HTTP, served as CloudFront serves `/console/*`:
 * index.html for `/console/` and every client route, hashed assets immutable, config.json and
 * index.html revalidated, a strict CSP on every answer, and a missing object answered 403.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LocalStack, startLocalStack } from '../../lib/local/stack';

let stack: LocalStack;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'avtrz-console-host-'));
  stack = await startLocalStack({ dataDir });
}, 90_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const get = (p: string) => fetch(`${stack.apiUrl}${p}`);

function expectStrictCsp(res: Response): void {
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
}

test('/console/ and client routes answer index.html, revalidated, with the strict CSP', async () => {
  for (const p of ['/console/', '/console/workspaces/ws_x', '/console/workspaces/ws_x/keys/key_y']) {
    const res = await get(p);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expectStrictCsp(res);
    expect(await res.text()).toMatch(/<script type="module" src="assets\/app-[A-Z0-9]+\.js"><\/script>/);
  }
});

test('hashed assets are immutable; a missing one is 403 as from S3 without ListBucket', async () => {
  const html = await (await get('/console/')).text();
  for (const ref of html.matchAll(/(?:src|href)="(assets\/[^"]+)"/g)) {
    const res = await get(`/console/${ref[1]}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-type')).toMatch(/^text\/(javascript|css)/);
    expectStrictCsp(res);
  }
  expect((await get('/console/assets/app-NOPE.js')).status).toBe(403);
  expect((await get('/console/assets/../../demo.json')).status).not.toBe(200);
});

test('config.json names the issuer, the client, the scope and this API; the CSP lets the page reach them', async () => {
  const res = await get('/console/config.json');
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-cache');
  const cfg = await res.json();
  expect(cfg).toMatchObject({ apiBase: stack.apiUrl, redirectUri: `${stack.apiUrl}/console/` });
  expect(cfg.scope.split(' ')).toContain('avtrz/console');
  expect(typeof cfg.clientId).toBe('string');
  const connect = /connect-src ([^;]*)/.exec(res.headers.get('content-security-policy') ?? '')?.[1] ?? '';
  expect(connect.split(' ')).toEqual(expect.arrayContaining([new URL(cfg.issuer).origin, stack.apiUrl]));
});
