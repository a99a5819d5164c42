/**
 * /healthz reflects the dependencies it reports on: with DynamoDB Local or s3rver dead it answers
 * 503 unavailable naming which, not 200 {"ok":true}. Real DynamoDB Local and s3rver, started for
 * this test and stopped under it; the health check's cache runs on a test clock.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { closeServer, createGateway, listen } from '../../../lib/local/gateway';
import {
  type DynamoHandle,
  ensureBucket,
  ensureTable,
  freePorts,
  type S3Handle,
  startDynamo,
  startS3,
} from '../../../lib/local/services';
import { dependencyHealth } from '../../../lib/local/stack';

let dir: string;
let dynamo: DynamoHandle | undefined;
let s3: S3Handle | undefined;
let gateway: http.Server;
let base: string;
let clock = 0;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'avtrz-healthz-'));
  const [dport, sport] = await freePorts(2);
  [dynamo, s3] = await Promise.all([
    startDynamo(dport, path.join(dir, 'dynamo')),
    startS3(sport, path.join(dir, 's3')),
  ]);
  await Promise.all([ensureTable(dynamo.endpoint, 'healthz'), ensureBucket(s3.endpoint, 'healthz')]);
  const target = {
    dynamoEndpoint: dynamo.endpoint,
    s3Endpoint: s3.endpoint,
    table: 'healthz',
    bucket: 'healthz',
  };
  gateway = createGateway({
    adminToken: 'unused',
    isReady: () => true,
    loadHandler: async () => undefined,
    health: dependencyHealth(() => target, { now: () => clock }),
  });
  base = `http://127.0.0.1:${await listen(gateway, 0, 'gateway')}`;
}, 90_000);

afterAll(async () => {
  await closeServer(gateway);
  await Promise.all([dynamo?.stop(), s3?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

async function healthz() {
  const res = await fetch(`${base}/healthz`);
  return { status: res.status, body: await res.json() };
}

test('up, then DynamoDB Local dies, then s3rver too: 200, then 503 naming each (one check per second)', async () => {
  expect(await healthz()).toEqual({ status: 200, body: { ok: true } });

  await dynamo?.stop();
  dynamo = undefined;
  // within the cache window the last check answers: a poll does not reach the dependencies
  expect((await healthz()).status).toBe(200);
  clock += 1000;
  const down = await healthz();
  expect(down.status).toBe(503);
  expect(down.body.error).toMatchObject({ code: 'unavailable', type: 'api' });
  expect(down.body.error.message).toMatch(/DynamoDB Local/);
  expect(down.body.error.message).not.toMatch(/s3rver/);

  await s3?.stop();
  s3 = undefined;
  clock += 1000;
  const both = await healthz();
  expect(both.status).toBe(503);
  expect(both.body.error.message).toMatch(/DynamoDB Local.*s3rver/);
});
