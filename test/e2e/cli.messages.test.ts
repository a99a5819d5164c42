/**
 * What the operator CLI says when the command line or the far end is wrong, run as `npx avtrz`
 * runs it (node bin/avtrz.js): per-command help from the registry, unknown flags and commands
 * naming what exists, --version, the connection-refused hint on a closed 127.0.0.1 port, and
 * answers that are not the API's (bad JSON, an HTML error page, a cursor that repeats) from a
 * stand-in server on 127.0.0.1 — faults the real stack cannot be made to produce. Never a stack
 * trace or parser text.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pkg from '../../package.json';
import { runCli } from '../support/cli-runner';

const env = { PATH: process.env.PATH, AVTRZ_ADMIN_TOKEN: 't' };

/** no Node stack, no JSON.parse / parseArgs wording */
function expectNoLeak(s: string) {
  expect(s).not.toMatch(
    /\n\s+at |SyntaxError|Unexpected token|is not valid JSON|ERR_PARSE_ARGS|TypeError|To specify a positional/,
  );
}

describe('avtrz help', () => {
  it('keys roll --help shows its flags and an example, on stdout, exit 0', async () => {
    const r = await runCli(['keys', 'roll', '--help'], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Usage: avtrz keys roll --workspace ws_… --key key_… \[--overlap DURATION\]\n/);
    for (const f of ['--workspace', '--key', '--overlap', '--endpoint', '--region', '--json']) {
      expect(r.stdout).toContain(f);
    }
    expect(r.stdout).toMatch(/Example:\n {2}avtrz keys roll --workspace ws_… --key key_… --overlap 24h\n/);
    // help wins over missing required flags
    expect(r.stdout).not.toContain('missing');
  });

  it('avtrz --help lists every command; avtrz keys --help lists the keys commands', async () => {
    const all = await runCli(['--help'], env);
    expect(all.code).toBe(0);
    for (const c of [
      'workspaces list',
      'workspaces create',
      'keys create',
      'keys roll',
      'usage',
      'users invite',
      'mcp',
    ]) {
      expect(all.stdout).toContain(`  ${c} `);
    }
    expect(all.stdout).toContain('--version');
    const keys = await runCli(['keys', '--help'], env);
    expect(keys.code).toBe(0);
    expect(keys.stdout).toMatch(/^Usage: avtrz keys <command>/);
    expect(keys.stdout).toContain('keys revoke');
    expect(keys.stdout).not.toContain('workspaces create');
  });

  it('--version prints the package version', async () => {
    const r = await runCli(['--version'], env);
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });
});

describe('avtrz command-line mistakes (exit 2, nothing sent)', () => {
  it('an unknown flag names the command and its flags, with a suggestion', async () => {
    const r = await runCli(['keys', 'roll', '--workspace', 'ws_x', '--key', 'key_x', '--overlpa', '1h'], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown flag --overlpa for "keys roll" (did you mean --overlap?)');
    expect(r.stderr).toContain('its flags: --workspace, --key, --overlap');
    expect(r.stderr).toContain('avtrz keys roll --help');
    expectNoLeak(r.stderr);
  });

  it('an unknown command lists the commands that exist', async () => {
    const sub = await runCli(['keys', 'rotate'], env);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain(
      'unknown command "keys rotate"; keys commands: create, list, update, revoke, roll',
    );
    const top = await runCli(['wokspaces', 'list'], env);
    expect(top.code).toBe(2);
    expect(top.stderr).toContain('(did you mean "workspaces"?); commands: workspaces, keys, usage');
  });

  it('a string flag without a value says so instead of eating the next flag', async () => {
    const r = await runCli(['workspaces', 'create', '--name', '--quota', '5'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--name needs a value');
    expectNoLeak(r.stderr);
  });

  it('--json prints a usage error as JSON on stderr', async () => {
    const r = await runCli(['keys', 'list', '--json'], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr)).toEqual({ error: { code: 'usage', message: 'missing --workspace ws_…' } });
  });
});

describe('avtrz against something that is not (or not yet) the API', () => {
  it('a closed port on 127.0.0.1: connection refused, with what to check', async () => {
    // a port that was just free: listen, note it, close
    const s = http.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const endpoint = `http://127.0.0.1:${port}`;
    const r = await runCli(['workspaces', 'list', '--endpoint', endpoint], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `avtrz: cannot reach ${endpoint} (connection refused)\nhint: is \`npm run dev\` running, or is \`--endpoint\` right?\n`,
    );
    const j = await runCli(['workspaces', 'list', '--endpoint', endpoint, '--json'], env);
    expect(JSON.parse(j.stderr)).toEqual({
      error: {
        code: 'network',
        message: `cannot reach ${endpoint} (connection refused)`,
        hint: 'is `npm run dev` running, or is `--endpoint` right?',
      },
    });
  });

  describe('a stand-in server', () => {
    let server: http.Server;
    let endpoint: string;
    const answers = new Map<string, (res: http.ServerResponse, url: URL) => void>();
    beforeAll(async () => {
      server = http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        const a = answers.get(url.pathname);
        if (a) a(res, url);
        else res.writeHead(404).end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('a 200 that is not JSON: one line, no parser text', async () => {
      answers.set('/v1/admin/workspaces/ws_bad', (res) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "ws_bad", oops'),
      );
      const r = await runCli(['workspaces', 'get', '--workspace', 'ws_bad', '--endpoint', endpoint], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `avtrz: ${endpoint} answered 200 with a body that is not JSON\nhint: is --endpoint the avtrz API?\n`,
      );
      expectNoLeak(r.stderr);
    });

    it('an HTML error page is not repeated; --json keeps the status', async () => {
      answers.set('/v1/admin/workspaces/ws_html', (res) =>
        res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>Bad Gateway</body></html>'),
      );
      const args = ['workspaces', 'get', '--workspace', 'ws_html', '--endpoint', endpoint];
      const r = await runCli(args, env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^avtrz: 502 http_502: HTTP 502 from .* \(is --endpoint the avtrz API\?\)\n$/);
      expect(r.stderr).not.toContain('<html>');
      const j = await runCli([...args, '--json'], env);
      expect(JSON.parse(j.stderr).error).toMatchObject({ code: 'http_502', status: 502 });
    });

    it('a 200 of the wrong shape is an unexpected answer, not a TypeError', async () => {
      answers.set('/v1/admin/workspaces/ws_shape/keys', (res) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[]}'),
      );
      const r = await runCli(['keys', 'list', '--workspace', 'ws_shape', '--endpoint', endpoint], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('the answer has no "keys" list');
      expect(r.stderr).toContain(`is ${endpoint} the avtrz API?`);
      expectNoLeak(r.stderr);
    });

    it('workspaces list stops on a cursor the server repeats', async () => {
      let calls = 0;
      answers.set('/v1/admin/workspaces', (res) => {
        calls++;
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ workspaces: [{ id: `ws_${calls}` }], next_cursor: 'same' }));
      });
      const r = await runCli(['workspaces', 'list', '--endpoint', endpoint], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('the API repeated the cursor "same"');
      expect(calls).toBe(2);
    });
  });
});
