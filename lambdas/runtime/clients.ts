/**
 * The ONE client module: the AWS SDK clients of one runtime, each created at its first use and
 * reused for the runtime's life (a container, in AWS). In AWS the SDK reads region, credentials and
 * endpoints from the function's environment itself; a runtime given its own environment (the local
 * stack, tests) hands them over explicitly, so nothing has to be written into process.env. The code
 * paths are otherwise the same: only where the clients point differs. (S3 needs no path-style
 * switch for s3rver: with an endpoint whose host is an IP address the SDK addresses buckets by
 * path by itself.)
 *
 * Every call through these clients also ends at the current request's deadline (./deadline.ts):
 * the per-attempt bounds below hold one call, but a request makes several in a row, and only one
 * shared deadline keeps their sum inside the function's timeout.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Deadline } from '../app/ports';
import { withDeadline } from './deadline';

/**
 * Per-attempt bounds: 1 s to connect, 2 s for the whole attempt. With 3 attempts and the SDK's
 * backoff (≤ 0.2 s, then ≤ 0.4 s) one call to a dead or frozen dependency gives up after about
 * 3 × 2 s + 0.5 s ≈ 6.5 s. That alone is most of the avatar route's 10 s and a request makes
 * several calls in a row, so the request deadline, not these, is what bounds a request.
 */
const REQUEST_HANDLER = { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true };
const MAX_ATTEMPTS = 3;

export type Env = Record<string, string | undefined>;

export interface Clients {
  dynamo(): DynamoDBDocumentClient;
  /** loaded lazily: the avatar hot path never touches S3 */
  s3(): Promise<S3Client>;
  /** loaded lazily: only a miss invokes the resolver */
  lambda(): Promise<{
    client: LambdaClient;
    InvokeCommand: typeof import('@aws-sdk/client-lambda').InvokeCommand;
  }>;
  secrets(): Promise<{
    client: SecretsManagerClient;
    GetSecretValueCommand: typeof import('@aws-sdk/client-secrets-manager').GetSecretValueCommand;
  }>;
}

export interface ClientOverrides {
  dynamo?: DynamoDBDocumentClient;
  s3?: S3Client;
  /**
   * per-attempt limits in place of REQUEST_HANDLER's, for a load test whose subject is counting
   * on a saturated machine, not latency (the limits themselves are held by the fault tests)
   */
  attemptLimits?: { connectionTimeout: number; requestTimeout: number };
}

/** Region, credentials and endpoint from `env` when it is not the process's own environment. */
function fromEnv(env: Env, endpointVar: string) {
  if (env === process.env) return {};
  const credentials = env.AWS_ACCESS_KEY_ID
    ? {
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
        sessionToken: env.AWS_SESSION_TOKEN || undefined,
      }
    : undefined;
  return { region: env.AWS_REGION || undefined, endpoint: env[endpointVar] || undefined, credentials };
}

export function createClients(env: Env, deadline: Deadline, overrides: ClientOverrides = {}): Clients {
  const requestHandler = { ...REQUEST_HANDLER, ...overrides.attemptLimits };
  // an instrumented client a test hands over gets the deadline like the runtime's own
  let ddb = overrides.dynamo && withDeadline(overrides.dynamo, deadline);
  let s3: S3Client | undefined = overrides.s3 && withDeadline(overrides.s3, deadline);
  let lambda: Awaited<ReturnType<Clients['lambda']>> | undefined;
  let secrets: Awaited<ReturnType<Clients['secrets']>> | undefined;
  return {
    dynamo() {
      if (!ddb) {
        const base = new DynamoDBClient({
          ...fromEnv(env, 'AWS_ENDPOINT_URL_DYNAMODB'),
          maxAttempts: MAX_ATTEMPTS,
          requestHandler,
        });
        ddb = withDeadline(
          DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }),
          deadline,
        );
      }
      return ddb;
    },
    async s3() {
      if (!s3) {
        const { S3Client: Client } = await import('@aws-sdk/client-s3');
        s3 = withDeadline(
          new Client({
            ...fromEnv(env, 'AWS_ENDPOINT_URL_S3'),
            maxAttempts: MAX_ATTEMPTS,
            requestHandler,
          }),
          deadline,
        );
      }
      return s3;
    },
    async lambda() {
      if (!lambda) {
        const mod = await import('@aws-sdk/client-lambda');
        lambda = {
          // no per-attempt request timeout: a resolver may legitimately work for seconds without a
          // byte; each call's own signal (store/resolver-lambda.ts) bounds it instead
          client: new mod.LambdaClient({
            ...fromEnv(env, 'AWS_ENDPOINT_URL_LAMBDA'),
            maxAttempts: 2,
            requestHandler: { connectionTimeout: 1000 },
          }),
          InvokeCommand: mod.InvokeCommand,
        };
      }
      return lambda;
    },
    async secrets() {
      if (!secrets) {
        const mod = await import('@aws-sdk/client-secrets-manager');
        secrets = {
          // the same bounds as every other dependency: read once per runtime, at a cold start
          client: withDeadline(
            new mod.SecretsManagerClient({
              ...fromEnv(env, 'AWS_ENDPOINT_URL_SECRETS_MANAGER'),
              maxAttempts: MAX_ATTEMPTS,
              requestHandler,
            }),
            deadline,
          ),
          GetSecretValueCommand: mod.GetSecretValueCommand,
        };
      }
      return secrets;
    },
  };
}
