/**
 * Jest global setup: start the real parts once for the whole run (DynamoDB Local + s3rver on
 * free loopback ports), create the table and bucket, and publish where they are through
 * process.env, which the test workers inherit.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ensureBucket,
  ensureTable,
  freePorts,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  startDynamo,
  startS3,
} from '../../lib/local/services';

export default async function globalSetup(): Promise<void> {
  const [dport, sport] = await freePorts(2);
  const s3dir = mkdtempSync(path.join(os.tmpdir(), 'avtrz-s3-'));
  const [dynamo, s3] = await Promise.all([startDynamo(dport), startS3(sport, s3dir)]);
  const table = 'avtrz-test';
  const bucket = 'avtrz-test-bucket';
  await Promise.all([ensureTable(dynamo.endpoint, table), ensureBucket(s3.endpoint, bucket)]);
  (globalThis as Record<string, unknown>).__AVTRZ_SERVICES__ = { dynamo, s3, s3dir };
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AVTRZ_TABLE: table,
    AVTRZ_BUCKET: bucket,
    AVTRZ_CDN_URL: 'https://cdn.avtrz.test',
    AVTRZ_HMAC_SECRET: 'test-hmac-secret-0123456789',
    AVTRZ_LOG_LEVEL: 'warn',
  });
}
