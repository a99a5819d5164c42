/**
 * The operator CLI (`node bin/avtrz.js`, what `npx avtrz` runs) against the local stack over HTTP,
 * with AVTRZ_ENDPOINT and AVTRZ_ADMIN_TOKEN: every command, human and --json output, error paths.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LocalStack, startLocalStack } from '../../lib/local/stack';
import { runCli } from '../support/cli-runner';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'avtrz-cli-'));
let stack: LocalStack;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  stack = await startLocalStack({ dataDir, onError: () => undefined });
  env = { PATH: process.env.PATH, AVTRZ_ENDPOINT: stack.apiUrl, AVTRZ_ADMIN_TOKEN: stack.adminToken };
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function ok(args: string[]) {
  const r = await runCli(args, env);
  if (r.code !== 0) throw new Error(`avtrz ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}
async function okJson(args: string[]) {
  return JSON.parse((await ok([...args, '--json'])).stdout);
}

describe('avtrz CLI against the local stack', () => {
  let ws: string;
  let web: { id: string; key: string };
  let srv: { id: string; key: string };
  /** `keys create` of a publishable key in the test workspace, one --domain per entry */
  const createPublishable = (name: string, ...domains: string[]) => [
    ...['keys', 'create', '--workspace', ws, '--type', 'publishable', '--name', name],
    ...domains.flatMap((d) => ['--domain', d]),
  ];

  it('workspaces create | get | update', async () => {
    const human = await ok(['workspaces', 'create', '--name', 'CLI Co', '--quota', '500']);
    expect(human.stdout).toMatch(/^workspace ws_[0-9A-Za-z]{16}\n/);
    expect(human.stdout).toMatch(/monthly_quota\s+500/);
    const created = await okJson(['workspaces', 'create', '--name', 'CLI Co', '--quota', '1000']);
    expect(created).toMatchObject({ id: expect.stringMatching(/^ws_/), name: 'CLI Co', monthly_quota: 1000 });
    ws = created.id;
    expect(await okJson(['workspaces', 'get', '--workspace', ws])).toEqual(created);
    const upd = await okJson([
      'workspaces',
      'update',
      '--workspace',
      ws,
      '--quota',
      '2000',
      '--name',
      'CLI Co 2',
    ]);
    expect(upd).toMatchObject({ id: ws, name: 'CLI Co 2', monthly_quota: 2000 });
    const got = await ok(['workspaces', 'get', '--workspace', ws]);
    expect(got.stdout).toContain('CLI Co 2');
    expect(got.stdout).toMatch(/monthly_quota\s+2000/);
  });

  it('workspaces list follows every page (one workspace per page)', async () => {
    const made = [ws];
    for (const n of ['list A', 'list B']) {
      made.push((await okJson(['workspaces', 'create', '--name', n, '--quota', '10'])).id);
    }
    const all = await okJson(['workspaces', 'list', '--page-size', '1']);
    const ids = all.workspaces.map((w: { id: string }) => w.id);
    // this test's stack holds at least these three (the human test above made one more)
    expect(ids.length).toBeGreaterThanOrEqual(4);
    expect(ids).toEqual(expect.arrayContaining(made));
    expect(new Set(ids).size).toBe(ids.length);
    // newest first
    expect(ids.indexOf(made[2])).toBeLessThan(ids.indexOf(made[1]));
    const human = await ok(['workspaces', 'list', '--page-size', '2']);
    expect(human.stdout).toMatch(/^ID\s+NAME\s+QUOTA\s+CREATED\n/);
    for (const id of made) expect(human.stdout).toContain(id);
  });

  it('keys create (publishable with domains, secret), shown once', async () => {
    const human = await ok(createPublishable('web', 'localhost', '*.example.com'));
    const key = /\n {2}(pk_live_[0-9A-Za-z]{38})\n/.exec(human.stdout)?.[1];
    expect(key).toBeDefined();
    expect(human.stdout).toContain('shown only once');
    expect(human.stdout).toMatch(/allowed_domains\s+localhost, \*\.example\.com/);
    web = { id: /^key (key_[0-9A-Za-z]{16})/.exec(human.stdout)?.[1] as string, key: key as string };
    const s = await okJson(['keys', 'create', '--workspace', ws, '--type', 'secret', '--name', 'backend']);
    expect(s).toMatchObject({
      type: 'secret',
      name: 'backend',
      status: 'active',
      key: expect.stringMatching(/^sk_live_/),
    });
    srv = { id: s.id, key: s.key };
  });

  it('keys list never shows a key; update replaces the allow-list', async () => {
    const list = await ok(['keys', 'list', '--workspace', ws]);
    expect(list.stdout).toMatch(/^ID\s+TYPE\s+NAME\s+LAST4\s+STATUS/);
    expect(list.stdout).toContain(web.id);
    expect(list.stdout).toContain(srv.id);
    expect(list.stdout).not.toContain(web.key);
    expect(list.stdout).not.toContain(srv.key);
    const j = await okJson(['keys', 'list', '--workspace', ws]);
    expect(j.keys.map((k: { id: string }) => k.id).sort()).toEqual([web.id, srv.id].sort());
    expect(JSON.stringify(j)).not.toMatch(/[ps]k_live_/);

    const u = await okJson([
      'keys',
      'update',
      '--workspace',
      ws,
      '--key',
      web.id,
      '--domain',
      '127.0.0.1:3000',
      '--name',
      'web2',
    ]);
    expect(u).toMatchObject({ id: web.id, name: 'web2', allowed_domains: ['127.0.0.1:3000'] });
  });

  it('usage draws the per-key chart from real avatar traffic', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${stack.apiUrl}/v1/avatar?linkedin_url=linkedin.com/in/cli-user&size=64`, {
        headers: { 'x-api-key': srv.key, accept: 'application/json' },
        redirect: 'manual',
      });
      expect(res.status).toBe(302);
    }
    const j = await okJson(['usage', '--workspace', ws]);
    expect(j).toMatchObject({ workspace_id: ws, used: 3 });
    const row = j.keys.find((k: { id: string }) => k.id === srv.id);
    expect(row.used).toBe(3);
    const chart = await ok(['usage', '--workspace', ws, '--hours', '6']);
    const lines = chart.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^workspace ${ws}  month \\d{4}-\\d{2}  used 3 of 2000`));
    const srvLine = lines.find((l) => l.startsWith(`backend …${srv.key.slice(-4)}`));
    // three requests in the last hour or two (the test may straddle an hour boundary)
    const m = /active\s+([·▁▂▃▄▅▆▇█]{6})\s+3\s+\d+\s+\d+%$/.exec(srvLine ?? '');
    expect(m).not.toBeNull();
    expect(m?.[1]).toContain('█');
    expect(m?.[1].slice(0, 3)).toBe('···');
    const webLine = lines.find((l) => l.startsWith(`web2 …${web.key.slice(-4)}`));
    expect(webLine).toMatch(/active\s+·{6}\s+0\s+0/);
    const past = await okJson(['usage', '--workspace', ws, '--month', '2001-01']);
    expect(past).toMatchObject({ month: '2001-01', used: 0 });
  });

  it('keys roll --overlap 30m and 0; keys revoke twice', async () => {
    const t0 = Date.now();
    const rolled = await okJson(['keys', 'roll', '--workspace', ws, '--key', srv.id, '--overlap', '30m']);
    expect(rolled.key).toMatch(/^sk_live_/);
    expect(rolled.previous).toMatchObject({ id: srv.id, status: 'active' });
    const exp = Date.parse(rolled.previous.expires_at);
    expect(exp).toBeGreaterThanOrEqual(t0 + 1800_000 - 2000);
    expect(exp).toBeLessThanOrEqual(Date.now() + 1800_000 + 2000);

    const human = await ok(['keys', 'roll', '--workspace', ws, '--key', rolled.id, '--overlap', '0']);
    expect(human.stdout).toMatch(/\n {2}sk_live_[0-9A-Za-z]{38}\n/);
    expect(human.stdout).toContain(`The previous key ${rolled.id} is revoked now.`);

    const r1 = await okJson(['keys', 'revoke', '--workspace', ws, '--key', web.id]);
    const r2 = await okJson(['keys', 'revoke', '--workspace', ws, '--key', web.id]);
    expect(r1.status).toBe('revoked');
    expect(r2.revoked_at).toBe(r1.revoked_at);
    const list = await okJson(['keys', 'list', '--workspace', ws]);
    const status = Object.fromEntries(list.keys.map((k: { id: string; status: string }) => [k.id, k.status]));
    expect(status[web.id]).toBe('revoked');
    expect(status[rolled.id]).toBe('revoked');
    expect(status[srv.id]).toBe('active');
    expect(Object.values(status).filter((s) => s === 'active')).toHaveLength(2);
  });

  describe('error paths', () => {
    it('a missing flag exits 2 without calling the API', async () => {
      const r = await runCli(['keys', 'list'], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('missing --workspace');
      expect(r.stdout).toBe('');
    });

    it('an unknown workspace exits 1 with not_found on stderr', async () => {
      const r = await runCli(['workspaces', 'get', '--workspace', 'ws_0000000000000000'], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/404 not_found/);
      expect(r.stdout).toBe('');
      const k = await runCli(['keys', 'revoke', '--workspace', ws, '--key', 'key_0000000000000000'], env);
      expect(k.code).toBe(1);
      expect(k.stderr).toMatch(/404 not_found/);
    });

    it('a validation error exits 1 naming the field', async () => {
      const r = await runCli(createPublishable('x', 'https://x.com/'), env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/400 invalid_request: .*\(param: allowed_domains\)/);
      const p = await runCli(createPublishable('x'), env);
      expect(p.code).toBe(1);
      expect(p.stderr).toContain('param: allowed_domains');
    });

    it('without the admin token the gateway refuses and the CLI says what to set', async () => {
      const r = await runCli(['workspaces', 'get', '--workspace', ws], {
        ...env,
        AVTRZ_ADMIN_TOKEN: undefined,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/avtrz: 40[13] /);
      expect(r.stderr).toContain('AVTRZ_ADMIN_TOKEN');
      const wrong = await runCli(['workspaces', 'get', '--workspace', ws], {
        ...env,
        AVTRZ_ADMIN_TOKEN: 'nope',
      });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/avtrz: 40[13] /);
    });

    it('a real key passed as --key: use the key_… id from keys list (never echoed, nothing sent)', async () => {
      for (const k of [srv.key, web.key]) {
        const r = await runCli(['keys', 'revoke', '--workspace', ws, '--key', k], env);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain("--key takes the key's id (key_…), not the key itself");
        expect(r.stderr).toContain('avtrz keys list --workspace ws_…');
        expect(r.stderr).not.toContain(k);
      }
      // the secret key was not revoked: the CLI refused before calling the API
      const list = await okJson(['keys', 'list', '--workspace', ws]);
      expect(list.keys.find((k: { id: string }) => k.id === srv.id).status).toBe('active');
    });

    it('--json: an API error is {"error":{code,message,status,param?,request_id}} on stderr', async () => {
      const r = await runCli([...createPublishable('x'), '--json'], env);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      const e = JSON.parse(r.stderr).error;
      expect(e).toMatchObject({ code: 'invalid_request', status: 400, param: 'allowed_domains' });
      expect(typeof e.message).toBe('string');
      expect(e.request_id).toEqual(expect.any(String));
      const nf = await runCli(['workspaces', 'get', '--workspace', 'ws_0000000000000000', '--json'], env);
      expect(JSON.parse(nf.stderr).error).toMatchObject({ code: 'not_found', status: 404 });
    });

    it('an unreachable endpoint exits 1', async () => {
      const r = await runCli(
        ['workspaces', 'get', '--workspace', ws, '--endpoint', 'http://127.0.0.1:1'],
        env,
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('cannot reach http://127.0.0.1:1');
    });
  });
});
