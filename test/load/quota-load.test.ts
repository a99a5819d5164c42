/**
 * Load through the local stack over HTTP (real gateway, handlers, DynamoDB Local, s3rver):
 * 2,000 requests for 2,000 profiles never looked up, 50 in flight, quota 500.
 * Exactly 500 are admitted, the rest are plan_limit, nothing is a 5xx, and every counter the
 * service keeps (workspace total, the key's total, its hourly series) adds up to the responses.
 * Bounded: a fixed count and a deadline on the loop; loopback only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { agent, get, requestJson } from '../../bench/lib/http';
import { runConcurrent } from '../../bench/lib/stats';
import type { LocalStack } from '../../lib/local/stack';
import { startLocalStack } from '../../lib/local/stack';

const TOTAL = 2000;
const CONCURRENCY = 50;
const QUOTA = 500;

let stack: LocalStack;
let dataDir: string;
const crashes: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'avtrz-load-'));
  // no provider configured: every new lookup resolves to its initials (the quota path is the same)
  stack = await startLocalStack({
    dataDir,
    onError: (e, where) => crashes.push(`${where}: ${(e as Error)?.message}`),
    // This test is about counting under concurrency, not latency. With the real per-attempt limits
    // (1 s connect, 2 s per attempt) a saturated two-core machine (a whole test run beside it)
    // made DynamoDB Local and s3rver answer some of 50 concurrent requests' calls after 2 s, so
    // the resolver failed (six "crashes") and avatars answered 503. The limits are the fault
    // tests' subject (test/faults); a real regression in counting still fails every assertion here.
    attemptLimits: { connectionTimeout: 10_000, requestTimeout: 20_000 },
  });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test(`${TOTAL} new lookups at concurrency ${CONCURRENCY} with quota ${QUOTA}: exactly ${QUOTA} admitted, counters add up`, async () => {
  const auth = { authorization: `Bearer ${stack.adminToken}` };
  const ws = await requestJson(
    'POST',
    `${stack.apiUrl}/v1/admin/workspaces`,
    { name: 'load', monthly_quota: QUOTA },
    auth,
  );
  expect(ws.status).toBe(201);
  const key = await requestJson(
    'POST',
    `${stack.apiUrl}/v1/admin/workspaces/${ws.json.id}/keys`,
    { type: 'secret', name: 'load', allowed_domains: [] },
    auth,
  );
  expect(key.status).toBe(201);
  const headers = { 'x-api-key': key.json.key as string, accept: 'application/json' };
  const run = Date.now().toString(36);
  const url = (i: number) =>
    `${stack.apiUrl}/v1/avatar?linkedin_url=${encodeURIComponent(`linkedin.com/in/load-${run}-${i}`)}&size=64`;

  const pool = agent(CONCURRENCY);
  const res = await runConcurrent(TOTAL, CONCURRENCY, (i) => get(url(i), headers, { agent: pool }), 150_000);
  pool.destroy();

  expect(res.results).toHaveLength(TOTAL); // the deadline did not cut the loop short
  const byStatus = new Map<number, number>();
  for (const r of res.results) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  expect(Object.fromEntries(byStatus)).toEqual({ 302: QUOTA, 403: TOTAL - QUOTA });
  const refused = res.results.filter((r) => r.status === 403);
  expect(new Set(refused.map((r) => JSON.parse(r.body.toString()).error.code))).toEqual(
    new Set(['plan_limit']),
  );
  // each admitted request saw its own position in the counter: 499, 498, …, 0 remaining, once each
  const remaining = res.results
    .filter((r) => r.status === 302)
    .map((r) => Number(r.headers['x-quota-remaining']))
    .sort((a, b) => a - b);
  expect(remaining).toEqual(Array.from({ length: QUOTA }, (_, i) => i));
  expect(new Set(refused.map((r) => r.headers['x-quota-remaining']))).toEqual(new Set(['0']));

  // the service's own counters add up to the responses
  const usage = await requestJson('GET', `${stack.apiUrl}/v1/usage`, undefined, {
    'x-api-key': key.json.key,
  });
  expect(usage.status).toBe(200);
  expect(usage.json.used).toBe(QUOTA);
  const k = (usage.json.keys as { id: string; used: number; hourly: { count: number }[] }[]).find(
    (x) => x.id === key.json.id,
  );
  expect(k?.used).toBe(QUOTA);
  expect(k?.hourly.reduce((s, h) => s + h.count, 0)).toBe(QUOTA);

  // over quota, profiles already looked up keep serving (and are counted); new ones stay refused
  const admitted = res.results
    .map((r, i) => (r.status === 302 ? i : -1))
    .filter((i) => i >= 0)
    .slice(0, 10);
  for (const i of admitted) expect((await get(url(i), headers)).status).toBe(302);
  expect((await get(url(TOTAL + 1), headers)).status).toBe(403);
  const after = await requestJson('GET', `${stack.apiUrl}/v1/usage`, undefined, {
    'x-api-key': key.json.key,
  });
  expect(after.json.used).toBe(QUOTA + admitted.length);
  expect(crashes).toEqual([]);
}, 200_000);
