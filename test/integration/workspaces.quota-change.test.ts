/**
 * Issue 11 item 6: a quota change reaches avatar requests within the key-cache TTL, and the
 * PATCH answer and the CLI say so — with the time the bound really holds (checked against the
 * avatar path's behaviour, not just the field).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { run } from '../../bin/cli/main';
import { createHandler } from '../../lambdas/avatar/handler';
import { call } from '../support/admin-events';
import { APP_ORIGIN, freshSlug, workspaceWithKeys } from '../support/avatar-fixtures';
import { invoke } from '../support/events';
import { coldStart, testRuntime } from '../support/runtime';

const avatarHandler = createHandler(testRuntime);
let t = Date.now();
afterAll(() => coldStart());

const newLookup = (key: string) =>
  invoke(avatarHandler, {
    query: { key, linkedin_url: `linkedin.com/in/${freshSlug('quota')}`, debug: '1' },
    headers: APP_ORIGIN,
  });

describe('PATCH /v1/admin/workspaces/{ws} with monthly_quota', () => {
  it('says by when every avatar request applies it, and that time is when it applies', async () => {
    coldStart({ clock: () => new Date(t) });
    const w = await workspaceWithKeys(100);
    // the avatar function's key cache now holds quota 100
    expect((await newLookup(w.pk)).status).toBe(302);

    const patched = await call('PATCH', `/v1/admin/workspaces/${w.ws}`, { body: { monthly_quota: 0 } });
    expect(patched.status).toBe(200);
    expect(patched.body.monthly_quota).toBe(0);
    expect(patched.body.monthly_quota_applies_within_seconds).toBe(30);
    const by = Date.parse(patched.body.monthly_quota_applies_by);
    expect(by).toBe(t + 30_000);

    // before that time a cached key may still use the previous quota: the answer did not lie
    t = by - 1;
    const stale = await newLookup(w.pk);
    expect(stale.status).toBe(302);
    expect(stale.headers['x-quota-limit']).toBe('100');
    // from then on, every request sees the new one
    t = by;
    const fresh = await newLookup(w.pk);
    expect(fresh.status).toBe(403);
    expect(fresh.json.error.code).toBe('plan_limit');
  });

  it('with AVTRZ_KEY_CACHE_SECONDS=0 it applies at once, and says so', async () => {
    coldStart({ clock: () => new Date(t), env: { AVTRZ_KEY_CACHE_SECONDS: '0' } });
    const w = await workspaceWithKeys(100);
    const patched = await call('PATCH', `/v1/admin/workspaces/${w.ws}`, { body: { monthly_quota: 0 } });
    expect(patched.body.monthly_quota_applies_within_seconds).toBe(0);
    expect(patched.body.monthly_quota_applies_by).toBe(new Date(t).toISOString());
    expect((await newLookup(w.pk)).json.error.code).toBe('plan_limit');
  });

  it('a rename alone says nothing about the quota', async () => {
    coldStart();
    const w = await workspaceWithKeys(100);
    const patched = await call('PATCH', `/v1/admin/workspaces/${w.ws}`, { body: { name: 'renamed' } });
    expect(patched.status).toBe(200);
    expect(patched.body).not.toHaveProperty('monthly_quota_applies_by');
  });
});

describe('avtrz workspaces update --quota', () => {
  let server: http.Server;
  let endpoint: string;
  beforeAll(async () => {
    // the real admin handlers behind a plain HTTP server (the gateway's auth is not under test)
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', async () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const r = await call(req.method ?? 'GET', url.pathname, { rawBody: body || undefined });
        res.writeHead(r.status, { 'content-type': 'application/json' });
        res.end(r.raw);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  async function cli(args: string[]) {
    let out = '';
    let err = '';
    const code = await run([...args, '--endpoint', endpoint], {
      out: (s) => {
        out += s;
      },
      err: (s) => {
        err += s;
      },
      env: { AVTRZ_ADMIN_TOKEN: 'test' },
    });
    return { code, out, err };
  }

  it('prints when the new quota applies', async () => {
    coldStart();
    const w = await workspaceWithKeys(100);
    const r = await cli(['workspaces', 'update', '--workspace', w.ws, '--quota', '250']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('monthly_quota  250');
    expect(r.out).toMatch(
      /The new quota applies to every avatar request within 30 s \(by \d{4}-\d\d-\d\dT[\d:.]+Z\)/,
    );
    expect(r.out).toContain('AVTRZ_KEY_CACHE_SECONDS');
    const renamed = await cli(['workspaces', 'update', '--workspace', w.ws, '--name', 'x']);
    expect(renamed.out).not.toContain('quota applies');
  });
});
