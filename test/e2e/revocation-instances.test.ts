/**
 * Spec 1: "Revocation ... takes effect on every instance within the key-cache TTL". Two API
 * instances in separate processes (like two warm Lambdas), each with its own key cache, on one
 * DynamoDB: a key revoked through instance A is refused by A and by B once the TTL has passed,
 * and a key created meanwhile serves on both at once (keys are independent).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { get, requestJson } from '../../bench/lib/http';
import { type StackProcess, startStackProcess } from '../../bench/lib/stack-process';

const TTL_SECONDS = 2;
const dirs: string[] = [];
let a: StackProcess;
let b: StackProcess;

beforeAll(async () => {
  const dir = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'avtrz-instances-'));
    dirs.push(d);
    return d;
  };
  const ttl = String(TTL_SECONDS);
  [a, b] = await Promise.all([
    startStackProcess({ dataDir: dir(), keyCacheSeconds: ttl }),
    startStackProcess({ dataDir: dir(), keyCacheSeconds: ttl }),
  ]);
  // instance B serves from A's table and bucket: one deployment, two warm functions
  await b.use({ dynamo: a.info.endpoints.dynamo, s3: a.info.endpoints.s3 });
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const adminA = (method: string, p: string, body?: unknown) =>
  requestJson(method, `${a.info.apiUrl}/v1/admin/workspaces/${a.info.demo.workspaceId}${p}`, body, {
    authorization: `Bearer ${a.info.adminToken}`,
  });

async function avatarStatus(stack: StackProcess, key: string): Promise<{ status: number; code?: string }> {
  const r = await get(`${stack.info.apiUrl}/v1/avatar?linkedin_url=linkedin.com/in/alex-rivera`, {
    'x-api-key': key,
    accept: 'application/json',
  });
  return r.status === 302
    ? { status: 302 }
    : { status: r.status, code: JSON.parse(r.body.toString()).error?.code };
}

test('a revoked key is refused on every instance within the key-cache TTL; a new key serves on all at once', async () => {
  const old = await adminA('POST', '/keys', { type: 'secret', name: 'old' });
  expect(old.status).toBe(201);
  // both instances have the key cached as valid
  expect(await avatarStatus(a, old.json.key)).toEqual({ status: 302 });
  expect(await avatarStatus(b, old.json.key)).toEqual({ status: 302 });

  const fresh = await adminA('POST', '/keys', { type: 'secret', name: 'new' });
  expect(fresh.status).toBe(201);
  const revoked = await adminA('DELETE', `/keys/${old.json.id}`);
  expect(revoked.status).toBe(200);
  const revokedAt = Date.now();

  // the new key was never cached anywhere: it works on both instances immediately
  expect(await avatarStatus(a, fresh.json.key)).toEqual({ status: 302 });
  expect(await avatarStatus(b, fresh.json.key)).toEqual({ status: 302 });

  // once the TTL has passed since the revocation, neither instance accepts the old key
  await new Promise((r) => setTimeout(r, Math.max(0, TTL_SECONDS * 1000 + 300 - (Date.now() - revokedAt))));
  expect(await avatarStatus(a, old.json.key)).toEqual({ status: 401, code: 'invalid_key' });
  expect(await avatarStatus(b, old.json.key)).toEqual({ status: 401, code: 'invalid_key' });
  // and the new key keeps working on both
  expect(await avatarStatus(a, fresh.json.key)).toEqual({ status: 302 });
  expect(await avatarStatus(b, fresh.json.key)).toEqual({ status: 302 });
  expect([...a.crashes, ...b.crashes]).toEqual([]);
}, 60_000);
