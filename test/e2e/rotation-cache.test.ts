/**
 * With the key cache on (AVTRZ_KEY_CACHE_SECONDS=2), a revoked key may still be served from a
 * warm cache, but never after the TTL: once the TTL has passed since the revocation answered,
 * the key gets 401 invalid_key. The other key keeps working throughout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LocalStack, startLocalStack } from '../../lib/local/stack';

const TTL_SECONDS = 2;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'avtrz-rotation-cache-'));
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    dataDir,
    env: { AVTRZ_KEY_CACHE_SECONDS: String(TTL_SECONDS) },
    onError: () => undefined,
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function admin(method: string, p: string, body?: unknown) {
  const res = await fetch(`${stack.apiUrl}${p}`, {
    method,
    headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

async function avatar(key: string): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${stack.apiUrl}/v1/avatar?linkedin_url=linkedin.com/in/cache-user&size=32`, {
    headers: { 'x-api-key': key, accept: 'application/json' },
    redirect: 'manual',
  });
  if (res.status === 302) return { status: 302 };
  return { status: res.status, code: ((await res.json()) as { error: { code: string } }).error.code };
}

it('a revoked key is refused once the key-cache TTL has passed; the new key never fails', async () => {
  const ws = (await admin('POST', '/v1/admin/workspaces', { name: 'Cache Co', monthly_quota: 1000 })).body.id;
  const a = (await admin('POST', `/v1/admin/workspaces/${ws}/keys`, { type: 'secret', name: 'a' })).body;
  const b = (await admin('POST', `/v1/admin/workspaces/${ws}/keys`, { type: 'secret', name: 'b' })).body;
  expect(await avatar(a.key)).toEqual({ status: 302 }); // warms the cache with A
  expect(await avatar(b.key)).toEqual({ status: 302 });
  const r = await admin('DELETE', `/v1/admin/workspaces/${ws}/keys/${a.id}`);
  expect(r.status).toBe(200);
  const revokedAt = Date.now();
  // within the TTL: A may still be answered from the cache (either outcome is allowed), B works
  while (Date.now() < revokedAt + TTL_SECONDS * 1000 + 300) {
    const ra = await avatar(a.key);
    expect([302, 401]).toContain(ra.status);
    expect(await avatar(b.key)).toEqual({ status: 302 });
    await new Promise((res) => setTimeout(res, 200));
  }
  // past the TTL: refused, every time
  for (let i = 0; i < 3; i++) expect(await avatar(a.key)).toEqual({ status: 401, code: 'invalid_key' });
  expect(await avatar(b.key)).toEqual({ status: 302 });
});
