/**
 * The rotation story from the docs page, over HTTP against the local stack, with concurrent
 * avatar traffic during the whole sequence (bounded in count and time):
 *   key A serves → create B (A keeps working) → both serve → traffic moves to B and the usage
 *   shows it per key per hour → revoke A → A gets 401 invalid_key, B keeps working,
 *   and not one request with a valid key failed.
 * Plus the same with `roll` (overlap, then expiry). The stack runs with AVTRZ_KEY_CACHE_SECONDS=0,
 * so a revocation must be visible on the very next request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LocalStack, startLocalStack } from '../../lib/local/stack';

jest.setTimeout(180_000);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'avtrz-rotation-'));
let stack: LocalStack;
const crashes: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    dataDir,
    env: { AVTRZ_KEY_CACHE_SECONDS: '0' },
    onError: (_e, where) => crashes.push(where),
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: JSON answers
async function admin(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${stack.apiUrl}${p}`, {
    method,
    headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function avatar(key: string, profile: string): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${stack.apiUrl}/v1/avatar?linkedin_url=linkedin.com/in/${profile}&size=64`, {
    headers: { 'x-api-key': key, accept: 'application/json' },
    redirect: 'manual',
  });
  if (res.status === 302) {
    await res.arrayBuffer();
    return { status: 302 };
  }
  const body = (await res.json().catch(() => undefined)) as { error?: { code?: string } } | undefined;
  return { status: res.status, code: body?.error?.code };
}

interface Rec {
  label: string;
  status: number;
  code?: string;
}

/** Concurrent workers sending avatar requests with whatever keys "are deployed" right now. */
class Traffic {
  readonly records: Rec[] = [];
  readonly inflight = new Map<string, number>();
  private deployed: string[] = [];
  private stopped = false;
  private n = 0;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly keys: Record<string, string>,
    private readonly maxRequests: number,
    private readonly deadline: number,
  ) {}

  deploy(labels: string[]): void {
    this.deployed = labels;
  }

  start(concurrency: number): void {
    for (let i = 0; i < concurrency; i++) this.workers.push(this.worker());
  }

  private async worker(): Promise<void> {
    while (!this.stopped && this.n < this.maxRequests && Date.now() < this.deadline) {
      const i = this.n++;
      const label = this.deployed[i % this.deployed.length];
      this.inflight.set(label, (this.inflight.get(label) ?? 0) + 1);
      try {
        const r = await avatar(this.keys[label], `rotation-user-${i % 8}`);
        this.records.push({ label, ...r });
      } catch (e) {
        this.records.push({ label, status: -1, code: (e as Error).message });
      } finally {
        this.inflight.set(label, (this.inflight.get(label) ?? 1) - 1);
      }
    }
  }

  ok(label: string): number {
    return this.records.filter((r) => r.label === label && r.status === 302).length;
  }
  sent(label: string): number {
    return this.records.filter((r) => r.label === label).length + (this.inflight.get(label) ?? 0);
  }
  failures(): Rec[] {
    return this.records.filter((r) => r.status !== 302);
  }

  /** Wait until `cond` holds; fail (not hang) when the time bound is hit or the traffic broke. */
  async until(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
    const end = Math.min(Date.now() + timeoutMs, this.deadline);
    while (!cond()) {
      if (this.failures().length)
        throw new Error(`traffic failed while waiting for ${what}: ${JSON.stringify(this.failures()[0])}`);
      if (Date.now() > end || this.n >= this.maxRequests) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.workers);
  }
}

interface UsageKeyRow {
  id: string;
  used: number;
  hourly: { hour: string; count: number }[];
  status: string;
}
function usageOf(u: { keys: UsageKeyRow[] }, keyId: string): UsageKeyRow {
  const row = u.keys.find((k) => k.id === keyId);
  if (!row) throw new Error(`key ${keyId} missing from the usage answer`);
  return row;
}

describe('rotating keys without dropping traffic', () => {
  it('create B, move traffic, revoke A: A → 401 invalid_key, B keeps working, no valid request failed', async () => {
    const ws = (
      await admin('POST', '/v1/admin/workspaces', { name: 'Rotation Co', monthly_quota: 1_000_000 })
    ).body.id;
    const a = await admin('POST', `/v1/admin/workspaces/${ws}/keys`, { type: 'secret', name: 'backend' });
    expect(a.status).toBe(201);
    const keys: Record<string, string> = { A: a.body.key };
    const ids: Record<string, string> = { A: a.body.id };
    const traffic = new Traffic(keys, 5000, Date.now() + 150_000);
    const usage = async () => (await admin('GET', `/v1/admin/workspaces/${ws}/usage`)).body;

    // 1. key A serves traffic
    traffic.deploy(['A']);
    traffic.start(6);
    try {
      await traffic.until('A serving', () => traffic.ok('A') >= 40);

      // 2. create key B while A serves: A keeps working
      const okABefore = traffic.ok('A');
      const b = await admin('POST', `/v1/admin/workspaces/${ws}/keys`, { type: 'secret', name: 'backend' });
      expect(b.status).toBe(201);
      keys.B = b.body.key;
      ids.B = b.body.id;
      await traffic.until('A still serving after B exists', () => traffic.ok('A') >= okABefore + 20);

      // 3. both serve (deploying B to half the fleet)
      traffic.deploy(['A', 'B']);
      const [a2, b2] = [traffic.ok('A'), traffic.ok('B')];
      await traffic.until(
        'A and B both serving',
        () => traffic.ok('A') >= a2 + 30 && traffic.ok('B') >= b2 + 30,
      );

      // 4. all traffic on B; once A's last requests are done, its count stops moving
      traffic.deploy(['B']);
      await traffic.until('A drained', () => (traffic.inflight.get('A') ?? 0) === 0);
      const aTotal = traffic.ok('A');
      const b4 = traffic.ok('B');
      const u1 = await usage();
      expect(usageOf(u1, a.body.id).used).toBe(aTotal);
      // B is moving: between what had completed before the read and what had been sent after it
      expect(usageOf(u1, b.body.id).used).toBeGreaterThanOrEqual(b4);
      expect(usageOf(u1, b.body.id).used).toBeLessThanOrEqual(traffic.sent('B'));
      const u1B = usageOf(u1, ids.B).used;
      await traffic.until('B carrying the traffic', () => traffic.ok('B') >= u1B + 40);
      const u2 = await usage();
      expect(usageOf(u2, a.body.id).used).toBe(aTotal); // no more traffic on A
      expect(usageOf(u2, ids.B).used).toBeGreaterThanOrEqual(u1B + 40);

      // 5. revoke A while B serves; A is refused on the very next request (cache TTL 0)
      const revoked = await admin('DELETE', `/v1/admin/workspaces/${ws}/keys/${a.body.id}`);
      expect(revoked.status).toBe(200);
      expect(revoked.body.status).toBe('revoked');
      for (let i = 0; i < 5; i++) {
        expect(await avatar(keys.A, `rotation-user-${i}`)).toEqual({ status: 401, code: 'invalid_key' });
      }
      const b5 = traffic.ok('B');
      await traffic.until('B serving after A was revoked', () => traffic.ok('B') >= b5 + 40);
    } finally {
      await traffic.stop();
    }

    // not one request with a valid key failed
    expect(traffic.failures()).toEqual([]);
    expect(traffic.records.length).toBeGreaterThanOrEqual(200);
    expect(crashes).toEqual([]);

    // the usage shows the move per key per hour, exactly
    const u3 = await usage();
    const ua = usageOf(u3, a.body.id);
    const ub = usageOf(u3, ids.B);
    expect(ua.status).toBe('revoked');
    expect(ub.status).toBe('active');
    expect(ua.used).toBe(traffic.ok('A'));
    expect(ub.used).toBe(traffic.ok('B'));
    expect(u3.used).toBe(traffic.ok('A') + traffic.ok('B'));
    for (const k of [ua, ub]) {
      expect(k.hourly.length).toBeGreaterThanOrEqual(1);
      expect(k.hourly.reduce((s, h) => s + h.count, 0)).toBe(k.used);
      for (const h of k.hourly) expect(Date.parse(h.hour)).toBeLessThanOrEqual(Date.now());
    }
    const list = (await admin('GET', `/v1/admin/workspaces/${ws}/keys`)).body.keys;
    expect(list.find((k: { id: string }) => k.id === a.body.id).last_used_at).toEqual(expect.any(String));
  });

  it('roll with an overlap: both keys work until expires_at, then the old one is refused', async () => {
    const ws = (await admin('POST', '/v1/admin/workspaces', { name: 'Roll Co', monthly_quota: 1_000_000 }))
      .body.id;
    const a = await admin('POST', `/v1/admin/workspaces/${ws}/keys`, {
      type: 'publishable',
      name: 'web',
      allowed_domains: ['localhost'],
    });
    // a secret bystander key: rolling A must not affect it
    const s = await admin('POST', `/v1/admin/workspaces/${ws}/keys`, { type: 'secret', name: 'other' });
    const keys: Record<string, string> = { A: a.body.key, S: s.body.key };
    // publishable keys need an allowed Origin; the worker sends secret-style headers, so use ?key= here
    const pub = async (key: string, i: number) => {
      const res = await fetch(
        `${stack.apiUrl}/v1/avatar?key=${key}&linkedin_url=linkedin.com/in/roll-${i % 4}&size=32`,
        {
          headers: { origin: 'http://localhost:5173', accept: 'application/json' },
          redirect: 'manual',
        },
      );
      const body = res.status === 302 ? undefined : ((await res.json()) as { error: { code: string } });
      return { status: res.status, code: body?.error.code };
    };
    for (let i = 0; i < 5; i++) expect(await pub(keys.A, i)).toEqual({ status: 302, code: undefined });

    const t0 = Date.now();
    const rolled = await admin('POST', `/v1/admin/workspaces/${ws}/keys/${a.body.id}/roll`, {
      overlap_seconds: 4,
    });
    expect(rolled.status).toBe(201);
    expect(rolled.body.allowed_domains).toEqual(['localhost']);
    const exp = Date.parse(rolled.body.previous.expires_at);
    expect(exp).toBeGreaterThanOrEqual(t0 + 4000 - 1000);
    // during the overlap both work (requests sent well before expires_at; a slow machine sends fewer)
    let during = 0;
    for (let i = 0; i < 5 && Date.now() < exp - 1500; i++, during++) {
      expect(await pub(keys.A, i)).toEqual({ status: 302, code: undefined });
      expect((await pub(rolled.body.key, i)).status).toBe(302);
    }
    expect(during).toBeGreaterThan(0);
    // after expiry the old key is refused like a revoked one, the new one and the bystander work
    const wait = exp - Date.now() + 100;
    expect(wait).toBeLessThan(6000);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    expect(await pub(keys.A, 0)).toEqual({ status: 401, code: 'invalid_key' });
    expect((await pub(rolled.body.key, 0)).status).toBe(302);
    expect((await avatar(keys.S, 'roll-0')).status).toBe(302);
    const list = (await admin('GET', `/v1/admin/workspaces/${ws}/keys`)).body.keys;
    const status = Object.fromEntries(list.map((k: { id: string; status: string }) => [k.id, k.status]));
    expect(status).toEqual({ [a.body.id]: 'expired', [rolled.body.id]: 'active', [s.body.id]: 'active' });
  });
  it('an allow-list edit takes effect on the next request (key cache off)', async () => {
    const ws = (await admin('POST', '/v1/admin/workspaces', { name: 'Domains Co', monthly_quota: 1000 })).body
      .id;
    const k = await admin('POST', `/v1/admin/workspaces/${ws}/keys`, {
      type: 'publishable',
      name: 'web',
      allowed_domains: ['app.example.com'],
    });
    const from = async (origin: string) => {
      const res = await fetch(
        `${stack.apiUrl}/v1/avatar?key=${k.body.key}&linkedin_url=linkedin.com/in/dom-1&size=32`,
        {
          headers: { origin, accept: 'application/json' },
          redirect: 'manual',
        },
      );
      const body = res.status === 302 ? undefined : ((await res.json()) as { error: { code: string } });
      return { status: res.status, code: body?.error.code };
    };
    expect(await from('https://app.example.com')).toEqual({ status: 302, code: undefined });
    expect(await from('https://new.example.org')).toEqual({ status: 403, code: 'domain_blocked' });
    const u = await admin('PATCH', `/v1/admin/workspaces/${ws}/keys/${k.body.id}`, {
      allowed_domains: ['new.example.org'],
    });
    expect(u.status).toBe(200);
    expect(await from('https://new.example.org')).toEqual({ status: 302, code: undefined });
    expect(await from('https://app.example.com')).toEqual({ status: 403, code: 'domain_blocked' });
  });
  it('over HTTP, an API key on an admin route is 403 forbidden even next to the admin token', async () => {
    const ws = (await admin('POST', '/v1/admin/workspaces', { name: 'Forbidden Co', monthly_quota: 10 })).body
      .id;
    const k = (await admin('POST', `/v1/admin/workspaces/${ws}/keys`, { type: 'secret', name: 's' })).body;
    const viaHeader = await fetch(`${stack.apiUrl}/v1/admin/workspaces/${ws}/keys`, {
      headers: { authorization: `Bearer ${stack.adminToken}`, 'x-api-key': k.key },
    });
    expect(viaHeader.status).toBe(403);
    expect(((await viaHeader.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    const viaQuery = await fetch(`${stack.apiUrl}/v1/admin/workspaces/${ws}/keys/${k.id}?key=${k.key}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${stack.adminToken}` },
    });
    // a secret key in the URL has leaked: 401 invalid_key, and it is flagged (spec section 1)
    expect(viaQuery.status).toBe(401);
    expect(((await viaQuery.json()) as { error: { code: string } }).error.code).toBe('invalid_key');
    // and the key was not revoked by that refused call
    const list = (await admin('GET', `/v1/admin/workspaces/${ws}/keys`)).body.keys;
    expect(list[0].status).toBe('active');
    // a key alone (no admin token) never reaches the management API either
    const alone = await fetch(`${stack.apiUrl}/v1/admin/workspaces/${ws}`, {
      headers: { 'x-api-key': k.key },
    });
    expect([401, 403]).toContain(alone.status);
  });
});
