/**
 * One deployed function, run as Lambda runs it: each execution environment is its own process on
 * the pinned Node 22 (under qemu for arm64) started with the nodejs22.x bootstrap's flags and
 * NODE_PATH, in the bundle's folder, with exactly
 *   the template's Environment.Variables
 *   + the variables Lambda itself sets in every environment (AWS_LAMBDA_*, LAMBDA_TASK_ROOT, …)
 *   + `overrides`, which may only be AWS_REGION, credentials and AWS_ENDPOINT_URL_* (where the
 *     clients point; never what the code decides).
 * The process talks to this host over the Runtime API (runtime/bootstrap.cjs). One invocation
 * per environment at a time; a busy function gets another environment (a cold start) up to its
 * reserved concurrency or `maxEnvironments`, then waits. Past its Timeout an invocation ends with
 * `Sandbox.Timedout` and its environment is destroyed, as Lambda does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FunctionSpec } from './template';

export const RUNTIME_DIR = path.join(__dirname, '..', 'runtime');
const BOOTSTRAP = path.join(RUNTIME_DIR, 'bootstrap.cjs');

/** The only variables a test may add to a function's environment. */
const OVERRIDABLE =
  /^(AWS_REGION|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AWS_ENDPOINT_URL_[A-Z0-9_]+)$/;
/** Names Lambda refuses in a function's configuration (reserved environment variables). */
const RESERVED =
  /^(_HANDLER|_X_AMZN_TRACE_ID|AWS_DEFAULT_REGION|AWS_REGION|AWS_EXECUTION_ENV|AWS_LAMBDA_[A-Z_]+|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|LAMBDA_TASK_ROOT|LAMBDA_RUNTIME_DIR)$/;

export interface HostOptions {
  name: string;
  arn: string;
  /** the template's variables, intrinsics resolved */
  environment: Record<string, string>;
  overrides: Record<string, string>;
  /** how this machine runs the bundle: node binary, and qemu + sysroot for arm64 */
  node: string;
  qemu?: { binary: string; sysroot: string };
  /** /var/runtime/node_modules: the SDK-only folder */
  sdkModules: string;
  /** folders appended after the layers on NODE_PATH (x64 only: sharp's x64 binaries) */
  extraNodePath?: string[];
  maxEnvironments?: number;
  /** every line the function's processes print (CloudWatch Logs, locally) */
  onLog?: (line: string) => void;
}

export interface InvokeOutcome {
  payload: unknown;
  /** set when the function failed (FunctionError: Unhandled) */
  error?: { errorType: string; errorMessage: string };
}

interface Pending {
  id: string;
  event: unknown;
  resolve: (o: InvokeOutcome) => void;
  timer?: NodeJS.Timeout;
}

interface Environment {
  proc: ChildProcess;
  server: http.Server;
  /** the runtime's held GET /next, when it is waiting for work */
  waiting?: http.ServerResponse;
  current?: Pending;
  dead: boolean;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export class FunctionHost {
  readonly invocations: InvokeOutcome[] = [];
  private readonly envs = new Set<Environment>();
  private readonly queue: Pending[] = [];
  private stopped = false;

  constructor(
    readonly spec: FunctionSpec,
    private readonly opts: HostOptions,
  ) {
    for (const k of Object.keys(spec.environment)) {
      if (RESERVED.test(k))
        throw new Error(`${spec.logicalId}: ${k} is reserved by Lambda; the deploy would fail`);
    }
    for (const k of Object.keys(opts.overrides)) {
      if (!OVERRIDABLE.test(k)) throw new Error(`${k} may not be added to a deployed function's environment`);
    }
  }

  get name(): string {
    return this.opts.name;
  }

  /** The process environment of one execution environment (exported for the environment test). */
  processEnv(runtimeApi: string): Record<string, string> {
    const { spec, opts } = this;
    const layerPaths = spec.layers.flatMap((l) => [
      path.join(l, 'nodejs', 'node22', 'node_modules'),
      path.join(l, 'nodejs', 'node_modules'),
    ]);
    const region = opts.overrides.AWS_REGION;
    return {
      // /var/runtime/bootstrap: /opt/nodejs/node22/node_modules:/opt/nodejs/node_modules:
      // /var/runtime/node_modules:/var/runtime:/var/task
      NODE_PATH: [
        ...layerPaths,
        ...(opts.extraNodePath ?? []),
        opts.sdkModules,
        RUNTIME_DIR,
        spec.taskRoot,
      ].join(':'),
      PATH: '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      _HANDLER: spec.handler,
      LAMBDA_TASK_ROOT: spec.taskRoot,
      LAMBDA_RUNTIME_DIR: RUNTIME_DIR,
      AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
      AWS_LAMBDA_RUNTIME_API: runtimeApi,
      AWS_LAMBDA_FUNCTION_NAME: opts.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${opts.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${randomUUID().replace(/-/g, '')}`,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      ...(spec.logFormat ? { AWS_LAMBDA_LOG_FORMAT: spec.logFormat } : {}),
      ...(region ? { AWS_DEFAULT_REGION: region } : {}),
      ...opts.environment,
      ...opts.overrides,
    };
  }

  /** What starts one execution environment: node (under qemu for arm64) and its flags. */
  command(): string[] {
    const node = [this.opts.node, ...this.nodeArgs()];
    return this.opts.qemu ? [this.opts.qemu.binary, '-L', this.opts.qemu.sysroot, ...node] : node;
  }

  /** The nodejs22.x bootstrap's flags for this memory size. */
  nodeArgs(): string[] {
    const mem = this.spec.memoryMb;
    const newSpace = Math.floor(mem / 10);
    return [
      '--expose-gc',
      '--max-http-header-size',
      '81920',
      `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
      `--max-old-space-size=${mem - newSpace}`,
      BOOTSTRAP,
    ];
  }

  invoke(event: unknown): Promise<InvokeOutcome> {
    if (this.stopped) return Promise.reject(new Error(`${this.name} is stopped`));
    return new Promise<InvokeOutcome>((resolve) => {
      const p: Pending = { id: randomUUID(), event, resolve: () => undefined };
      p.resolve = (o) => {
        this.invocations.push(o);
        resolve(o);
      };
      this.queue.push(p);
      this.dispatch();
    }).finally(() => this.dispatch());
  }

  private limit(): number {
    return Math.min(
      this.spec.reservedConcurrency ?? Number.POSITIVE_INFINITY,
      this.opts.maxEnvironments ?? 4,
    );
  }

  private dispatch(): void {
    while (this.queue.length) {
      const idle = [...this.envs].find((e) => !e.dead && !e.current && e.waiting);
      if (idle) {
        this.hand(idle, this.queue.shift() as Pending);
        continue;
      }
      const starting = [...this.envs].filter((e) => !e.dead && !e.current && !e.waiting).length;
      const busy = [...this.envs].filter((e) => !e.dead).length;
      if (starting < this.queue.length && busy < this.limit()) {
        this.start();
        continue;
      }
      return;
    }
  }

  private hand(env: Environment, p: Pending): void {
    const res = env.waiting as http.ServerResponse;
    env.waiting = undefined;
    env.current = p;
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    const body = Buffer.from(JSON.stringify(p.event ?? null));
    res.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': p.id,
      'lambda-runtime-deadline-ms': String(Date.now() + timeoutMs),
      'lambda-runtime-invoked-function-arn': this.opts.arn,
      'lambda-runtime-trace-id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${p.id.replace(/-/g, '').slice(0, 24)};Sampled=0`,
      'content-length': body.length,
    });
    res.end(body);
    p.timer = setTimeout(() => {
      this.finish(env, {
        payload: undefined,
        error: {
          errorType: 'Sandbox.Timedout',
          errorMessage: `Task timed out after ${this.spec.timeoutSeconds.toFixed(2)} seconds`,
        },
      });
      this.kill(env);
    }, timeoutMs);
  }

  private finish(env: Environment, outcome: InvokeOutcome): void {
    const p = env.current;
    if (!p) return;
    clearTimeout(p.timer);
    env.current = undefined;
    p.resolve(outcome);
  }

  private kill(env: Environment): void {
    if (env.dead) return;
    env.dead = true;
    env.proc.kill('SIGKILL');
    env.waiting?.destroy();
    env.server.closeAllConnections();
    env.server.close();
    this.envs.delete(env);
  }

  private start(): void {
    const server = http.createServer();
    const env: Environment = { proc: undefined as unknown as ChildProcess, server, dead: false };
    this.envs.add(env);
    server.on('request', (req, res) => {
      this.runtimeApi(env, req, res).catch(() => res.destroy());
    });
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const cmd = this.command();
      const proc = spawn(cmd[0], cmd.slice(1), {
        cwd: this.spec.taskRoot,
        env: this.processEnv(`127.0.0.1:${port}`),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      env.proc = proc;
      const log = (d: Buffer) => {
        for (const line of d.toString('utf8').split('\n')) if (line) this.opts.onLog?.(line);
      };
      proc.stdout?.on('data', log);
      proc.stderr?.on('data', log);
      proc.on('exit', (code, signal) => {
        if (!env.dead) {
          this.finish(env, {
            payload: undefined,
            error: { errorType: 'Runtime.ExitError', errorMessage: `exited with ${signal ?? code}` },
          });
          this.kill(env);
        }
        this.dispatch();
      });
    });
  }

  private async runtimeApi(
    env: Environment,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const url = req.url ?? '';
    const body = await readBody(req);
    if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
      env.waiting = res;
      this.dispatch();
      return;
    }
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (req.method === 'POST' && m && env.current?.id === m[1]) {
      const text = body.toString('utf8');
      if (m[2] === 'response') {
        this.finish(env, { payload: text ? JSON.parse(text) : null });
      } else {
        const e = JSON.parse(text || '{}');
        this.finish(env, {
          payload: e,
          error: { errorType: e.errorType ?? 'Unhandled', errorMessage: e.errorMessage ?? '' },
        });
      }
      res.writeHead(202).end('{"status":"OK"}');
      return;
    }
    if (req.method === 'POST' && url === '/2018-06-01/runtime/init/error') {
      const e = JSON.parse(body.toString('utf8') || '{}');
      res.writeHead(202).end('{"status":"OK"}');
      // Lambda fails the invocation that caused the init with the init error
      const next = this.queue.shift();
      next?.resolve({
        payload: e,
        error: { errorType: e.errorType ?? 'Runtime.Unknown', errorMessage: e.errorMessage ?? '' },
      });
      this.kill(env);
      return;
    }
    res.writeHead(404).end();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const p of this.queue.splice(0)) {
      p.resolve({ payload: undefined, error: { errorType: 'Stopped', errorMessage: 'host stopped' } });
    }
    for (const env of [...this.envs]) {
      this.finish(env, { payload: undefined, error: { errorType: 'Stopped', errorMessage: 'host stopped' } });
      this.kill(env);
    }
  }
}

/** The sysroot qemu-user needs to run Linux arm64 binaries (Debian's libc6-arm64-cross). */
export function arm64Sysroot(): string | undefined {
  const dir = '/usr/aarch64-linux-gnu';
  return existsSync(path.join(dir, 'lib', 'ld-linux-aarch64.so.1')) ? dir : undefined;
}
