/**
 * `npm run dev` as a user runs it: `tsx bin/dev.ts` in a child process with free ports and a temp
 * AVTRZ_DATA_DIR. It prints `avtrz ready`, serves /healthz, and SIGTERM leaves no Java behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, freePorts } from '../../lib/local/services';
import { alive, descendants } from '../support/proc';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

interface Run {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function runDev(env: Record<string, string>): Run {
  const child = spawn(TSX, ['bin/dev.ts'], {
    cwd: ROOT,
    env: { ...process.env, AVTRZ_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out: () => out, err: () => err, exited };
}

/** The promise's value, or 'timeout' after ms (the timer is cleared either way). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'avtrz-dev-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('tsx bin/dev.ts prints `avtrz ready`, answers /healthz, and SIGTERM stops every child (Java too)', async () => {
  const [port, cdnPort] = await freePorts(2);
  const run = runDev({ PORT: String(port), CDN_PORT: String(cdnPort), AVTRZ_DATA_DIR: tmp() });
  let javaPids: number[] = [];
  try {
    const ready = await waitFor(
      () => /^avtrz ready /m.test(run.out()) || run.child.exitCode !== null,
      60_000,
    );
    expect({ ready, stderr: run.err().slice(-500) }).toEqual({ ready: true, stderr: expect.any(String) });
    expect(run.out()).toMatch(new RegExp(`^avtrz ready http://127\\.0\\.0\\.1:${port}`, 'm'));
    expect(run.out()).toMatch(/admin token\s+\S+/);
    // spec 9: the banner names the demo key's allowed domains
    expect(run.out()).toMatch(
      /publishable key\s+pk_live_[0-9A-Za-z]{38}\s+\(allowed: localhost, 127\.0\.0\.1\)/,
    );
    expect(run.out()).toMatch(/secret key\s+sk_live_[0-9A-Za-z]{38}/);
    expect(run.out()).toContain(`<img src="http://127.0.0.1:${port}/v1/avatar?key=pk_live_`);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    // the banner names the console, and the console answers there
    expect(run.out()).toMatch(new RegExp(`^  console\\s+http://127\\.0\\.0\\.1:${port}/console/\\s`, 'm'));
    const consolePage = await fetch(`http://127.0.0.1:${port}/console/`);
    expect(consolePage.status).toBe(200);
    expect(await consolePage.text()).toMatch(/<script type="module" src="[^"]+"/);

    javaPids = descendants(run.child.pid as number)
      .filter((p) => p.comm === 'java')
      .map((p) => p.pid);
    expect(javaPids.length).toBe(1); // DynamoDB Local

    run.child.kill('SIGTERM');
    const code = await within(run.exited, 15_000);
    expect(code).toBe(0);
    expect(await waitFor(() => javaPids.every((pid) => !alive(pid)), 10_000)).toBe(true);
  } finally {
    if (run.child.exitCode === null) run.child.kill('SIGKILL');
    for (const pid of javaPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
}, 90_000);

test('a taken PORT gives one clear line naming the port and exit code 1', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const run = runDev({ PORT: String(port), CDN_PORT: String(await freePort()), AVTRZ_DATA_DIR: tmp() });
    const code = await within(run.exited, 30_000);
    if (code === 'timeout') run.child.kill('SIGKILL');
    expect(code).toBe(1);
    const lines = run
      .err()
      .split('\n')
      .filter((l) => l.trim());
    expect(lines).toEqual([
      `avtrz: Port ${port} (API, PORT) is already in use. Stop what is using it or pick another port.`,
    ]);
    expect(run.out()).not.toContain('avtrz ready');
  } finally {
    blocker.close();
  }
}, 40_000);
