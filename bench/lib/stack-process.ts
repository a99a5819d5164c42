/**
 * Start the local stack in a child Node process (bench/lib/stack-child.ts, loaded with tsx) and
 * control it over IPC. Used by the benchmark (the load generator must not share the API's event
 * loop) and by the fault tests (a real single-realm process, like Lambda).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { LocalStack } from '../../lib/local/stack';

export type StackInfo = Omit<LocalStack, 'stop'>;

export interface StackProcess {
  info: StackInfo;
  child: ChildProcess;
  /** handler crashes reported by the gateway, uncaught exceptions, and `unhandled error` log lines (500s) */
  crashes: string[];
  /** errors the resolver function returned to its invoker (a function error, not a crash of the API) */
  functionErrors: string[];
  /** point the handlers at other endpoints (clients rebuilt as on a cold start) */
  use(e: { dynamo?: string; s3?: string }): Promise<void>;
  stop(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '../..');

export async function startStackProcess(opts: {
  dataDir: string;
  upstreamUrl?: string;
  keyCacheSeconds?: string;
  /** log level of the handlers in the child (default warn) */
  logLevel?: string;
}): Promise<StackProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'stack-child.ts'), JSON.stringify(opts)],
    {
      cwd: ROOT,
      env: { ...process.env, AVTRZ_LOG_LEVEL: opts.logLevel ?? 'warn', NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  const crashes: string[] = [];
  const functionErrors: string[] = [];
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let i = buf.indexOf('\n');
    while (i >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.includes('"unhandled error"')) crashes.push(line.slice(0, 500));
      i = buf.indexOf('\n');
    }
  });
  const waiters: ((m: Record<string, unknown>) => boolean)[] = [];
  child.on('message', (m: Record<string, unknown>) => {
    if (typeof m.crash === 'string')
      (/\((async )?invoke\):/.test(m.crash) ? functionErrors : crashes).push(m.crash);
    for (let i = 0; i < waiters.length; i++) {
      if (waiters[i](m)) {
        waiters.splice(i, 1);
        break;
      }
    }
  });
  const next = (pred: (m: Record<string, unknown>) => boolean, timeoutMs: number, what: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`stack process: no ${what} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onExit = (code: number | null) => {
        clearTimeout(t);
        reject(new Error(`stack process exited (${code}) waiting for ${what}`));
      };
      child.once('exit', onExit);
      waiters.push((m) => {
        if (!pred(m)) return false;
        clearTimeout(t);
        child.off('exit', onExit);
        resolve(m);
        return true;
      });
    });
  const first = await next((m) => 'ready' in m || 'error' in m, 90_000, 'ready message');
  if (first.error) throw new Error(`local stack did not start: ${first.error}`);
  return {
    info: first.ready as StackInfo,
    child,
    crashes,
    functionErrors,
    async use(e) {
      const ok = next((m) => m.ok === 'use', 10_000, 'use ack');
      child.send({ cmd: 'use', ...e });
      await ok;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ cmd: 'stop' });
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}
