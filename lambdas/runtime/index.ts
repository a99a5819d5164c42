/**
 * The runtime: the only module-level state of a function — config, AWS clients, the HMAC secret,
 * the logger, the clock and the in-memory caches — built once per cold start by `createRuntime()`
 * (each lambdas/<fn>/handler.ts does so at import). Tests and the local stack pass overrides
 * (their own environment, clock, clients, log sink) instead of editing process.env or resetting
 * singletons; a new runtime is a new container.
 *
 * Everything is built lazily: reading the environment, creating a client or loading the secret
 * happens at the first use, so importing a handler never fails and a cold start pays only for
 * what the request needs.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppDeps, Logger, ResolverPort } from '../app/ports';
import type { KeyPrincipal } from '../core/auth';
import type { AvatarRecord } from '../core/records';
import type { ResolverRequest, ResolverResult } from '../core/resolver-contract';
import { TtlCache } from '../core/ttl-cache';
import { createStore } from '../store';
import { claimRefresh, resolverLambda, resolverWait, until } from '../store/resolver-lambda';
import { type ClientOverrides, type Clients, createClients, type Env } from './clients';
import { type Config, loadConfig } from './config';
import { createDeadline } from './deadline';
import { createLogger, levelFrom } from './logger';
import { hmacSecretLoader } from './secret';

export interface Runtime extends AppDeps {
  readonly env: Env;
  readonly config: Config;
  readonly clients: Clients;
  readonly avatarCache: TtlCache<AvatarRecord>;
}

export interface RuntimeOverrides {
  /** the function's environment; default process.env */
  env?: Env;
  /** the ONE clock: request times, key expiry, cache TTLs, log lines */
  clock?: () => Date;
  /** an instrumented DynamoDB client (counting or faulting calls) */
  dynamo?: DynamoDBDocumentClient;
  s3?: S3Client;
  attemptLimits?: ClientOverrides['attemptLimits'];
  /** where log lines go; default stdout */
  logSink?: (line: string) => void;
  /** batch: time budget for starting items */
  batchBudgetMs?: number;
}

const MAX_KEYS = 10_000;
const MAX_AVATARS = 10_000;
const MAX_LOOKUPS = 50_000;

/** The resolver use case, imported only when no resolver function is configured (tests, tools).
 * Not a literal: keeps the resolver (sharp, fetching) out of the avatar bundle, where the
 * variable is always set and this branch is dead. */
const IN_PROCESS_RESOLVER = ['..', 'resolver', 'resolve'].join('/');
type InProcessResolver = { resolve(deps: AppDeps, req: ResolverRequest): Promise<ResolverResult> };

export function createRuntime(overrides: RuntimeOverrides = {}): Runtime {
  const env = overrides.env ?? process.env;
  const clock = overrides.clock ?? (() => new Date());
  let config: Config | undefined;
  const cfg = () => {
    if (!config) config = loadConfig(env);
    return config;
  };
  const deadline = createDeadline();
  const clients = createClients(env, deadline, overrides);
  const log: Logger = createLogger({
    base: { service: 'avtrz' },
    level: levelFrom(env),
    sink: overrides.logSink,
    clock,
  });
  const now = () => clock();
  const ms = overrides.clock ? () => clock().getTime() : Date.now;
  const avatarCache = new TtlCache<AvatarRecord>(MAX_AVATARS, ms);
  const refreshAsked = new Map<string, number>();
  const store = createStore({
    dynamo: () => clients.dynamo(),
    s3: () => clients.s3(),
    get tableName() {
      return cfg().tableName;
    },
    get bucketName() {
      return cfg().bucketName;
    },
    now,
    avatarCache,
    lookups: new TtlCache<true>(MAX_LOOKUPS, ms),
  });

  let lambdaPort: ResolverPort | undefined;
  const viaLambda = (functionName: string) => {
    lambdaPort ??= resolverLambda({
      functionName,
      lambda: () => clients.lambda(),
      log,
      now,
      deadline,
      refreshAsked,
    });
    return lambdaPort;
  };
  const inProcess = async () => (await import(IN_PROCESS_RESOLVER)) as InProcessResolver;
  const resolver: ResolverPort = {
    async invoke(req) {
      const fn = cfg().resolverFunction;
      if (fn) return viaLambda(fn).invoke(req);
      // the same wait as over Lambda, though the in-process resolver takes no signal
      return until(
        inProcess().then((m) => m.resolve(rt, req)),
        resolverWait(deadline),
      );
    },
    async refreshInBackground(req) {
      if (deadline.msLeft() <= 0) return false;
      const fn = cfg().resolverFunction;
      if (fn) return viaLambda(fn).refreshInBackground(req);
      if (!claimRefresh(refreshAsked, req.id, ms())) return false;
      // in-process: not awaited, so the request is not delayed
      void inProcess()
        .then((m) => m.resolve(rt, req))
        .catch((e) => log.warn('background refresh failed', { err: e as Error }));
      return true;
    },
  };

  const rt: Runtime = {
    env,
    get config() {
      return cfg();
    },
    clients,
    store,
    resolver,
    log,
    now,
    deadline,
    hmacSecret: hmacSecretLoader(cfg, clients),
    keyCache: new TtlCache<KeyPrincipal | null>(MAX_KEYS, ms),
    avatarCache,
    batchBudgetMs: overrides.batchBudgetMs,
  };
  return rt;
}
