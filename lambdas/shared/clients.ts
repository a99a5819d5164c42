/**
 * The ONE client module. Clients are created lazily once per container and reused.
 * In the local stack only AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_S3 (read by the SDK itself)
 * and AVTRZ_S3_FORCE_PATH_STYLE differ; the code paths are the same as in AWS.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from './config';

/**
 * Per-attempt bounds. With 3 attempts and the SDK's backoff a dead or frozen dependency is given
 * up on in about 6.5 s, inside the avatar route's 10 s timeout, so the caller gets the catalogue's
 * 503 (an SVG for image loads) instead of a Lambda timeout.
 */
const REQUEST_HANDLER = { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true };
const MAX_ATTEMPTS = 3;

let ddb: DynamoDBDocumentClient | undefined;
let s3: S3Client | undefined;

export function dynamo(): DynamoDBDocumentClient {
  if (!ddb) {
    const base = new DynamoDBClient({ maxAttempts: MAX_ATTEMPTS, requestHandler: REQUEST_HANDLER });
    ddb = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
  }
  return ddb;
}

/** S3 is loaded lazily: the avatar hot path never touches it. */
export async function s3Client(): Promise<S3Client> {
  if (!s3) {
    const { S3Client: Client } = await import('@aws-sdk/client-s3');
    s3 = new Client({
      forcePathStyle: config().s3ForcePathStyle,
      maxAttempts: MAX_ATTEMPTS,
      requestHandler: REQUEST_HANDLER,
    });
  }
  return s3;
}

/** Tests: swap in an instrumented client (e.g. to count or fault SDK calls). */
export function setDynamo(client: DynamoDBDocumentClient | undefined): void {
  ddb = client;
}
export function setS3(client: S3Client | undefined): void {
  s3 = client;
}
