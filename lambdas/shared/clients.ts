/**
 * The ONE client module. Clients are created lazily once per container and reused.
 * In the local stack only AWS_ENDPOINT_URL_* (read by the SDK itself) differ; the code paths are
 * the same as in AWS. (The S3 client needs no path-style switch for s3rver: with an endpoint whose
 * host is an IP address the SDK addresses buckets by path by itself.)
 *
 * Every call through these clients also ends at the current request's deadline (runWithDeadline):
 * the per-attempt bounds below hold one call, but a request makes several in a row, and only
 * one shared deadline keeps their sum inside the function's timeout.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Per-attempt bounds: 1 s to connect, 2 s for the whole attempt. With 3 attempts and the SDK's
 * backoff (≤ 0.2 s, then ≤ 0.4 s) one call to a dead or frozen dependency gives up after about
 * 3 × 2 s + 0.5 s ≈ 6.5 s. That alone is most of the avatar route's 10 s and a request makes
 * several calls in a row, so the request deadline, not these, is what bounds a request.
 */
export const REQUEST_HANDLER = {
  connectionTimeout: 1000,
  requestTimeout: 2000,
  throwOnRequestTimeout: true,
};
const MAX_ATTEMPTS = 3;

interface RequestDeadline {
  /** epoch ms by which this request's dependency calls must have ended */
  at: number;
  /** aborts at `at` */
  signal: AbortSignal;
}
const deadlines = new AsyncLocalStorage<RequestDeadline>();

/**
 * Run `fn` (one request) with a deadline: every SDK call made through this module's clients
 * inside it, however deep, is aborted at `at`. `undefined` = no deadline (tools, tests that
 * pass no Lambda context).
 */
export function runWithDeadline<T>(at: number | undefined, fn: () => Promise<T>): Promise<T> {
  if (at === undefined) return fn();
  const signal = AbortSignal.timeout(Math.max(0, at - Date.now()));
  return deadlines.run({ at, signal }, fn);
}

/** Time left before the current request's deadline minus `reserveMs`; Infinity without one. */
export function msLeft(reserveMs = 0): number {
  const d = deadlines.getStore();
  return d ? d.at - reserveMs - Date.now() : Number.POSITIVE_INFINITY;
}

/**
 * A signal that aborts `reserveMs` before the current request's deadline (and after at most
 * `capMs`, when given); undefined when neither applies.
 */
export function deadlineSignal(reserveMs = 0, capMs?: number): AbortSignal | undefined {
  const d = deadlines.getStore();
  const left = msLeft(reserveMs);
  const ms = capMs === undefined ? left : Math.min(capMs, left);
  if (!Number.isFinite(ms)) return undefined;
  if (d && reserveMs === 0 && ms === left) return d.signal;
  return AbortSignal.timeout(Math.max(0, ms));
}

type Sendable = { send: (command: never, options?: never) => Promise<unknown> };
/** Give each call of `client` the request deadline's signal, unless the caller passed its own. */
function withRequestDeadline<C extends Sendable>(client: C): C {
  const send = client.send.bind(client) as (command: unknown, options?: unknown) => Promise<unknown>;
  (client as { send: unknown }).send = (command: unknown, options?: unknown) => {
    const signal = deadlineSignal();
    if (!signal || typeof options === 'function') return send(command, options);
    const opts = (options ?? {}) as { abortSignal?: AbortSignal };
    return send(command, { ...opts, abortSignal: opts.abortSignal ?? signal });
  };
  return client;
}

let ddb: DynamoDBDocumentClient | undefined;
let s3: S3Client | undefined;
let secrets: SecretsManagerClient | undefined;

export function dynamo(): DynamoDBDocumentClient {
  if (!ddb) {
    const base = new DynamoDBClient({ maxAttempts: MAX_ATTEMPTS, requestHandler: REQUEST_HANDLER });
    ddb = withRequestDeadline(
      DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }),
    );
  }
  return ddb;
}

/** S3 is loaded lazily: the avatar hot path never touches it. */
export async function s3Client(): Promise<S3Client> {
  if (!s3) {
    const { S3Client: Client } = await import('@aws-sdk/client-s3');
    s3 = withRequestDeadline(
      new Client({
        maxAttempts: MAX_ATTEMPTS,
        requestHandler: REQUEST_HANDLER,
      }),
    );
  }
  return s3;
}

/** Secrets Manager, loaded lazily: read once per container (shared/secret.ts). */
export async function secretsManager(): Promise<SecretsManagerClient> {
  if (!secrets) {
    const { SecretsManagerClient: Client } = await import('@aws-sdk/client-secrets-manager');
    secrets = withRequestDeadline(new Client({ maxAttempts: MAX_ATTEMPTS, requestHandler: REQUEST_HANDLER }));
  }
  return secrets;
}

/** Tests: swap in an instrumented client (e.g. to count or fault SDK calls). */
export function setDynamo(client: DynamoDBDocumentClient | undefined): void {
  ddb = client;
}
export function setS3(client: S3Client | undefined): void {
  s3 = client;
}
export function setSecretsManager(client: SecretsManagerClient | undefined): void {
  secrets = client;
}
