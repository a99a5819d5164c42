/**
 * The local stack as a library: `npm run dev` (bin/dev.ts) and the end-to-end tests both call
 * `startLocalStack`. Order: claim both ports first (a taken port fails before anything starts),
 * then DynamoDB Local + s3rver (data under `dataDir`), table + bucket, handler environment,
 * demo seed; `/healthz` turns 200 only after all of that, and answers 503 while DynamoDB Local or
 * s3rver (the ones the handlers use) does not answer.
 */
import { mkdirSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { buildConsole } from '../../console/build';
import { createRuntime, type Runtime, type RuntimeOverrides } from '../../lambdas/runtime';
import { createLogger } from '../../lambdas/runtime/logger';
import { createCdn } from './cdn';
import { consoleHost } from './console';
import { type ConsoleConfig, localConsoleConfig } from './console-config';
import { demoPageHeaders, demoPageHtml } from './demo-page';
import { closeServer, createGateway, DEFAULT_RESOLVER_FUNCTION, listen } from './gateway';
import { adminAuthorized } from './iam-stand-in';
import type { HandlerLoader } from './lambda-functions';
import { createOidcIssuer, type OidcIssuer } from './oidc';
import { type Demo, ensureDemo, readState, writeState } from './seed';
import {
  type DynamoHandle,
  ensureBucket,
  ensureTable,
  freePorts,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type S3Handle,
  startDynamo,
  startS3,
} from './services';

export const LOCAL_TABLE = 'avtrz-local';
export const LOCAL_BUCKET = 'avtrz-local';

export interface HealthTarget {
  dynamoEndpoint: string;
  s3Endpoint: string;
  table: string;
  bucket: string;
}

/**
 * What /healthz reports: the table answers a DescribeTable and the bucket a HeadBucket, each
 * within `timeoutMs` (a frozen process counts as down). One check serves every poll for
 * `cacheMs`, so a health poll cannot hammer DynamoDB Local or s3rver. `target` is read at check
 * time: after a cold start with other endpoints, health follows what the handlers use.
 * Undefined = all up; else which dependency is down.
 */
export function dependencyHealth(
  target: () => HealthTarget,
  opts: { timeoutMs?: number; cacheMs?: number; now?: () => number } = {},
): () => Promise<string | undefined> {
  const timeoutMs = opts.timeoutMs ?? 1000;
  const cacheMs = opts.cacheMs ?? 1000;
  const now = opts.now ?? Date.now;
  let last: { at: number; result: Promise<string | undefined> } | undefined;
  const probe = async (what: string, run: (signal: AbortSignal) => Promise<unknown>) => {
    try {
      await run(AbortSignal.timeout(timeoutMs));
      return undefined;
    } catch {
      return what;
    }
  };
  const check = async (): Promise<string | undefined> => {
    const t = target();
    const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 };
    const ddb = new DynamoDBClient({ ...common, endpoint: t.dynamoEndpoint });
    const s3c = new S3Client({ ...common, endpoint: t.s3Endpoint, forcePathStyle: true });
    try {
      const down = await Promise.all([
        probe(`DynamoDB Local (${t.dynamoEndpoint})`, (abortSignal) =>
          ddb.send(new DescribeTableCommand({ TableName: t.table }), { abortSignal }),
        ),
        probe(`s3rver (${t.s3Endpoint})`, (abortSignal) =>
          s3c.send(new HeadBucketCommand({ Bucket: t.bucket }), { abortSignal }),
        ),
      ]);
      const names = down.filter(Boolean);
      return names.length ? `A dependency of the local stack is down: ${names.join(', ')}.` : undefined;
    } finally {
      ddb.destroy();
      s3c.destroy();
    }
  };
  return () => {
    if (!last || now() - last.at >= cacheMs) last = { at: now(), result: check() };
    return last.result;
  };
}

export interface LocalStackOptions {
  /** API port; 0 (default) = any free port */
  port?: number;
  /** CDN stand-in port; 0 (default) = any free port */
  cdnPort?: number;
  /** where DynamoDB Local, s3rver and demo.json keep their data (default `.avtrz`) */
  dataDir?: string;
  /** fixed admin token (AVTRZ_ADMIN_TOKEN); default: generated once, kept in demo.json */
  adminToken?: string;
  /** fixed HMAC secret (AVTRZ_HMAC_SECRET); default: generated once, kept in demo.json */
  hmacSecret?: string;
  /** photo provider template (AVTRZ_UPSTREAM_URL) */
  upstreamUrl?: string;
  /** more of the handlers' environment, e.g. AVTRZ_KEY_CACHE_SECONDS */
  /** per-attempt limits of the handlers' AWS clients (lambdas/runtime/clients.ts attemptLimits) */
  attemptLimits?: RuntimeOverrides['attemptLimits'];
  env?: Record<string, string>;
  /** gateway timeout (API Gateway: 30 s) */
  timeoutMs?: number;
  /** tests: replace handler loading (e.g. to produce a fault a real handler cannot) */
  loadHandler?: HandlerLoader;
  /** crash reports of handlers (never sent to clients); default: stderr */
  onError?: (err: unknown, where: string) => void;
}

export interface LocalStack {
  apiUrl: string;
  cdnUrl: string;
  /** the console: `<apiUrl>/console/` */
  consoleUrl: string;
  /** the OIDC issuer stand-in (`<apiUrl>/oidc`): users, tokens, the JWT checks */
  oidc: OidcIssuer;
  /** what the console's config.json holds, for a console loaded from `origin` */
  consoleConfig(origin?: string): ConsoleConfig;
  adminToken: string;
  demo: Demo;
  dataDir: string;
  endpoints: { dynamo: string; s3: string };
  /** the environment the handlers run with */
  env: Record<string, string>;
  /** a cold start of every function, over the same environment with `changes` (e.g. other endpoints) */
  coldStart(changes?: Record<string, string>): void;
  stop(): Promise<void>;
}

export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = path.resolve(opts.dataDir ?? '.avtrz');
  mkdirSync(dataDir, { recursive: true });
  const state = readState(dataDir);
  // a token from the environment is used, not stored: unsetting it brings back the kept one
  const adminToken = opts.adminToken || state.adminToken;
  const hmacSecret = opts.hmacSecret ?? state.hmacSecret;
  const onError =
    opts.onError ??
    // the structured logger masks anything key-shaped, in the message and the stack alike
    ((err: unknown, where: string) =>
      createLogger({ base: { service: 'avtrz' } }).error('local stack error', {
        where,
        err: err as Error,
        stack: (err as Error)?.stack,
      }));

  let ready = false;
  let s3: S3Client | undefined;
  let dynamo: DynamoHandle | undefined;
  let s3srv: S3Handle | undefined;
  let demo: Demo | undefined;
  let apiUrl = '';
  let cdnUrl = '';
  let runtime: Runtime | undefined;
  let handlerEnv: Record<string, string> = {};
  let oidc: OidcIssuer | undefined;

  // the console's bundle, built from console/src for this stack (a clean clone needs no step)
  const consoleDir = buildConsole(path.join(dataDir, 'console')).outDir;
  const gateway = createGateway({
    adminToken,
    isReady: () => ready,
    // the dependencies the handlers use now (a cold start may point them elsewhere)
    health: dependencyHealth(() => ({
      dynamoEndpoint: handlerEnv.AWS_ENDPOINT_URL_DYNAMODB,
      s3Endpoint: handlerEnv.AWS_ENDPOINT_URL_S3,
      table: handlerEnv.AVTRZ_TABLE,
      bucket: handlerEnv.AVTRZ_BUCKET,
    })),
    demoPage: () => demoPageHtml(apiUrl, cdnUrl, demo as Demo),
    demoPageHeaders: () => demoPageHeaders(cdnUrl),
    runtime: () => runtime,
    loadHandler: opts.loadHandler,
    timeoutMs: opts.timeoutMs,
    resolverFunctionName: DEFAULT_RESOLVER_FUNCTION,
    onError,
    consolePages: consoleHost({
      dir: consoleDir,
      // the issuer stand-in exists once the stack is up; /console/ is served only after that
      settings: (origin) => localConsoleConfig(oidc as OidcIssuer, origin),
    }),
    oidc: () => oidc,
  });
  const cdn = createCdn({ s3: () => (ready ? s3 : undefined), bucket: LOCAL_BUCKET, onError });
  const servers: http.Server[] = [];

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    ready = false;
    await Promise.all(servers.map(closeServer));
    s3?.destroy();
    await Promise.all([dynamo?.stop(), s3srv?.stop()]);
  };

  try {
    // 1. the two public ports: fail fast, before any child process exists
    const apiPort = await listen(gateway, opts.port ?? 0, 'API, PORT');
    servers.push(gateway);
    const cdnPort = await listen(cdn, opts.cdnPort ?? 0, 'CDN stand-in, CDN_PORT');
    servers.push(cdn);
    apiUrl = `http://127.0.0.1:${apiPort}`;
    cdnUrl = `http://127.0.0.1:${cdnPort}`;
    // the console's sign-in: a key generated now, so tokens of an earlier run are refused
    const issuer = await createOidcIssuer({
      apiUrl,
      dataDir,
      adminAuthorized: (authorization) =>
        adminAuthorized({ headers: { authorization } } as never, adminToken),
      runtime: () => runtime,
    });
    oidc = issuer;

    // 2. the real local parts, in parallel
    const [dport, sport] = await freePorts(2);
    const started = await Promise.allSettled([
      startDynamo(dport, path.join(dataDir, 'dynamo')),
      startS3(sport, path.join(dataDir, 's3')),
    ]);
    if (started[0].status === 'fulfilled') dynamo = started[0].value;
    if (started[1].status === 'fulfilled') s3srv = started[1].value;
    for (const r of started) if (r.status === 'rejected') throw r.reason;
    const dyn = dynamo as DynamoHandle;
    const s3h = s3srv as S3Handle;
    await Promise.all([ensureTable(dyn.endpoint, LOCAL_TABLE), ensureBucket(s3h.endpoint, LOCAL_BUCKET)]);
    s3 = new S3Client({
      endpoint: s3h.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      forcePathStyle: true,
    });

    // 3. the handlers' environment: only endpoints differ from AWS
    const env: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dyn.endpoint,
      AWS_ENDPOINT_URL_S3: s3h.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: apiUrl,
      AVTRZ_TABLE: LOCAL_TABLE,
      AVTRZ_BUCKET: LOCAL_BUCKET,
      AVTRZ_CDN_URL: cdnUrl,
      AVTRZ_HMAC_SECRET: hmacSecret,
      AVTRZ_RESOLVER_FUNCTION: DEFAULT_RESOLVER_FUNCTION,
    };
    if (opts.upstreamUrl) env.AVTRZ_UPSTREAM_URL = opts.upstreamUrl;
    Object.assign(env, opts.env);
    handlerEnv = env;
    // one runtime for every handler of this stack: a (re)started stack is a new container
    const runtimeOver = (e: Record<string, string>) =>
      createRuntime({
        env: { AVTRZ_LOG_LEVEL: process.env.AVTRZ_LOG_LEVEL, ...e },
        attemptLimits: opts.attemptLimits,
      });
    runtime = runtimeOver(env);

    // 4. demo workspace + keys (kept in demo.json so restarts show the same keys)
    demo = await ensureDemo(runtime.store, state);
    writeState(dataDir, state);
    issuer.seed(demo.workspaceId);
    ready = true;
    return {
      apiUrl,
      cdnUrl,
      consoleUrl: `${apiUrl}/console/`,
      oidc: issuer,
      consoleConfig: (origin) => localConsoleConfig(issuer, origin),
      adminToken,
      demo,
      dataDir,
      endpoints: { dynamo: dyn.endpoint, s3: s3h.endpoint },
      env,
      coldStart: (changes = {}) => {
        Object.assign(env, changes);
        runtime = runtimeOver(env);
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
