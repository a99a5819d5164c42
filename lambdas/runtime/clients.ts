/**
 * The ONE client module: the AWS SDK clients of one runtime, each created at its first use and
 * reused for the runtime's life (a container, in AWS). In AWS the SDK reads region, credentials and
 * endpoints from the function's environment itself; a runtime given its own environment (the local
 * stack, tests) hands them over explicitly, so nothing has to be written into process.env. The code
 * paths are otherwise the same: only where the clients point differs.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Per-attempt bounds. With 3 attempts and the SDK's backoff a dead or frozen dependency is given
 * up on in about 6.5 s, inside the avatar route's 10 s timeout, so the caller gets the catalogue's
 * 503 (an SVG for image loads) instead of a Lambda timeout.
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

export function createClients(
  env: Env,
  s3ForcePathStyle: () => boolean,
  overrides: ClientOverrides = {},
): Clients {
  let ddb = overrides.dynamo;
  let s3: S3Client | undefined = overrides.s3;
  let lambda: Awaited<ReturnType<Clients['lambda']>> | undefined;
  let secrets: Awaited<ReturnType<Clients['secrets']>> | undefined;
  return {
    dynamo() {
      if (!ddb) {
        const base = new DynamoDBClient({
          ...fromEnv(env, 'AWS_ENDPOINT_URL_DYNAMODB'),
          maxAttempts: MAX_ATTEMPTS,
          requestHandler: REQUEST_HANDLER,
        });
        ddb = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
      }
      return ddb;
    },
    async s3() {
      if (!s3) {
        const { S3Client: Client } = await import('@aws-sdk/client-s3');
        s3 = new Client({
          ...fromEnv(env, 'AWS_ENDPOINT_URL_S3'),
          forcePathStyle: s3ForcePathStyle(),
          maxAttempts: MAX_ATTEMPTS,
          requestHandler: REQUEST_HANDLER,
        });
      }
      return s3;
    },
    async lambda() {
      if (!lambda) {
        const mod = await import('@aws-sdk/client-lambda');
        lambda = {
          client: new mod.LambdaClient({ ...fromEnv(env, 'AWS_ENDPOINT_URL_LAMBDA'), maxAttempts: 2 }),
          InvokeCommand: mod.InvokeCommand,
        };
      }
      return lambda;
    },
    async secrets() {
      if (!secrets) {
        const mod = await import('@aws-sdk/client-secrets-manager');
        secrets = {
          client: new mod.SecretsManagerClient(fromEnv(env, 'AWS_ENDPOINT_URL_SECRETS_MANAGER')),
          GetSecretValueCommand: mod.GetSecretValueCommand,
        };
      }
      return secrets;
    },
  };
}
