/**
 * Budget shards (docs/scaling.md, store/usage-counter.ts): the quota stays exact with the
 * month's budget spread over S shard items. Q = 500 and 2,000 concurrent new lookups → exactly
 * 500 admitted with S = 1 and S = 16 (the documented bound on refusing early is 0: a request is
 * refused only once HOME is at the quota and every slice was seen spent); the slices never sum
 * past the quota; known profiles keep being counted past it; usage reads sum the shards; a grant
 * interrupted halfway (a cancelled transaction) loses no budget; a lost response is counted once.
 * Against DynamoDB Local, bounded: fixed counts, at most 100 requests in flight.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CountInput } from '../../../lambdas/app/ports';
import { windowOf } from '../../../lambdas/core/quota';
import { counterAttr, counterSlot, pk } from '../../../lambdas/store/schema';
import { workspaceWithKeys } from '../../support/avatar-fixtures';
import { coldStart, config, dynamo, store } from '../../support/runtime';

const NOW = new Date('2034-03-10T08:01:00.000Z');
const MONTH = windowOf(NOW).month;

/** per-attempt limits wide enough for 100 calls in flight on a loaded machine (see avatar.quota.test.ts) */
function patientDynamo(middleware?: (c: DynamoDBClient) => void): DynamoDBDocumentClient {
  const base = new DynamoDBClient({
    endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: process.env.AWS_REGION,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 20_000 },
  });
  middleware?.(base);
  return DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
}

beforeAll(() => coldStart({ dynamo: patientDynamo() }));
afterAll(() => coldStart());

/** `total` requests, `inFlight` at a time, each made by `make(i)`. */
async function run(total: number, inFlight: number, make: (i: number) => CountInput) {
  const results: { counted: boolean; used: number }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      results.push(await store.usage.countRequest(make(i)));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return results;
}

/** The latest bucket of every shard chain of the month, by shard. */
async function heads(ws: string): Promise<Map<number, Record<string, unknown>>> {
  const out = await dynamo().send(
    new QueryCommand({
      TableName: config().tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      ExpressionAttributeValues: { ':pk': pk.workspace(ws), ':m': `USAGE#${MONTH}~` },
      ConsistentRead: true,
    }),
  );
  const latest = new Map<number, Record<string, unknown>>();
  for (const item of out.Items ?? []) {
    const slot = counterSlot(String(item.sk));
    if (slot) latest.set(slot.shard, item); // ascending: the last one wins
  }
  return latest;
}

/** Over-admission is impossible by construction: HOME's committed budget = its count + every allotment, each shard within its allotment. */
function expectBudget(latest: Map<number, Record<string, unknown>>, quota: number) {
  const home = latest.get(0) ?? {};
  let allotted = 0;
  for (const [shard, head] of latest) {
    if (shard === 0) continue;
    expect(Number(head[counterAttr.used])).toBeLessThanOrEqual(Number(head[counterAttr.allotted]));
    allotted += Number(head[counterAttr.allotted]);
  }
  expect(Number(home[counterAttr.committed])).toBe(Number(home[counterAttr.used]) + allotted);
  expect(Number(home[counterAttr.committed])).toBeLessThanOrEqual(quota);
}

describe.each([1, 16])('S = %i shards', (shards) => {
  it('Q = 500, 2,000 concurrent new lookups → exactly 500 admitted, the shards sum to 500', async () => {
    const w = await workspaceWithKeys(500);
    const keys = [w.pkId, w.skId];
    const results = await run(2000, 100, (i) => ({
      workspaceId: w.ws,
      keyId: keys[i % 2],
      now: NOW,
      quota: 500,
      enforceQuota: true,
      shards,
    }));
    const admitted = results.filter((r) => r.counted).length;
    process.stdout.write(`S=${shards}: ${admitted} of 2000 admitted at Q=500\n`);
    // the documented bound on refusing early is 0 (docs/scaling.md): exactly Q, never more
    expect(admitted).toBe(500);
    const latest = await heads(w.ws);
    if (shards > 1) expect(latest.size).toBeGreaterThan(1);
    else expect([...latest.keys()]).toEqual([0]);
    expectBudget(latest, 500);
    const usage = await store.usage.getMonthUsage(w.ws, MONTH);
    expect(usage?.used).toBe(500);
    const perKey = [...(usage?.hourly.values() ?? [])].flat().reduce((n, h) => n + h.count, 0);
    expect(perKey).toBe(500);
    expect(await store.usage.readUsed(w.ws, NOW)).toBe(500);
    const points = await store.usage.getMinutely(w.ws, { from: NOW, to: NOW });
    expect([...points.values()].flat().reduce((n, p) => n + p.count, 0)).toBe(500);

    // at the quota: a known profile is still counted (past it), a new lookup is not
    const known = await store.usage.countRequest({
      workspaceId: w.ws,
      keyId: w.skId,
      now: NOW,
      quota: 500,
      enforceQuota: false,
      shards,
    });
    expect(known.counted).toBe(true);
    const fresh = await store.usage.countRequest({
      workspaceId: w.ws,
      keyId: w.skId,
      now: NOW,
      quota: 500,
      enforceQuota: true,
      shards,
    });
    expect(fresh).toMatchObject({ counted: false });
    expect((await store.usage.getMonthUsage(w.ws, MONTH))?.used).toBe(501);
  });
});

describe('S = 16 details', () => {
  it('known profiles spend the budget like new lookups, so a new lookup is refused once the month is at the quota', async () => {
    const w = await workspaceWithKeys(300);
    const mk = (enforceQuota: boolean) => (): CountInput => ({
      workspaceId: w.ws,
      keyId: w.skId,
      now: NOW,
      quota: 300,
      enforceQuota,
      shards: 16,
    });
    const known = await run(250, 50, mk(false));
    expect(known.every((r) => r.counted)).toBe(true);
    const fresh = await run(200, 50, mk(true));
    expect(fresh.filter((r) => r.counted)).toHaveLength(50);
    expectBudget(await heads(w.ws), 300);
    expect((await store.usage.getMonthUsage(w.ws, MONTH))?.used).toBe(300);
  });

  it('a grant whose transaction fails halfway loses no budget; a lost response is counted once', async () => {
    const w = await workspaceWithKeys(400);
    let failGrants = 3;
    let dropped = 0;
    coldStart({
      dynamo: patientDynamo((c) =>
        c.middlewareStack.add(
          (next, context) => async (args) => {
            // the first grants are cancelled by DynamoDB (a crash between the two updates cannot
            // half-apply a transaction; a cancelled one is the fault a real part can produce)
            if (context.commandName === 'TransactWriteItemsCommand' && failGrants > 0) {
              const items = (args.input as { TransactItems: { Update?: { UpdateExpression?: string } }[] })
                .TransactItems;
              if (items.some((t) => t.Update?.UpdateExpression?.includes('#a'))) {
                failGrants--;
                throw Object.assign(new Error('Transaction cancelled'), {
                  name: 'TransactionCanceledException',
                  $metadata: {},
                });
              }
            }
            const out = await next(args);
            if (context.commandName === 'UpdateItemCommand' && dropped < 5) {
              dropped++;
              // the write reached DynamoDB; its response is "lost", the SDK retries it
              throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} });
            }
            return out;
          },
          { step: 'deserialize', name: 'shardFaults' },
        ),
      ),
    });
    try {
      const results = await run(600, 20, () => ({
        workspaceId: w.ws,
        keyId: w.pkId,
        now: NOW,
        quota: 400,
        enforceQuota: true,
        shards: 16,
      }));
      expect(failGrants).toBe(0);
      expect(dropped).toBe(5);
      expect(results.filter((r) => r.counted)).toHaveLength(400);
    } finally {
      coldStart({ dynamo: patientDynamo() });
    }
    expectBudget(await heads(w.ws), 400);
    expect((await store.usage.getMonthUsage(w.ws, MONTH))?.used).toBe(400);
  });

  it('S = 1: an opening transaction throttled past the SDK retries waits on reads and counts, instead of answering 503', async () => {
    const w = await workspaceWithKeys(10);
    let throttledOpens = 0;
    const writesAfterThrottle: string[] = [];
    coldStart({
      dynamo: patientDynamo((c) => {
        c.middlewareStack.add(
          (next, context) => async (args) => {
            if (throttledOpens >= 3) writesAfterThrottle.push(context.commandName ?? '');
            // the opening of the month's first window is throttled on all 3 of the SDK's attempts,
            // as DynamoDB does while the item is at its write rate (a fault no real part here makes)
            if (context.commandName === 'TransactWriteItemsCommand' && throttledOpens < 3) {
              throttledOpens++;
              throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
                name: 'ProvisionedThroughputExceededException',
                $metadata: {},
              });
            }
            return next(args);
          },
          { step: 'deserialize', name: 'throttleOpen' },
        );
      }),
    });
    try {
      const r = await store.usage.countRequest({
        workspaceId: w.ws,
        keyId: w.pkId,
        now: NOW,
        quota: 10,
        enforceQuota: true,
        shards: 1,
      });
      expect(throttledOpens).toBe(3);
      expect(r).toEqual({ counted: true, used: 1 });
      // after the throttled transaction: a read first (is the bucket there yet?), then the
      // transaction again, then the counted write: no write of the missing bucket in between
      expect(writesAfterThrottle.slice(0, 3)).toEqual([
        'QueryCommand',
        'TransactWriteItemsCommand',
        'UpdateItemCommand',
      ]);
    } finally {
      coldStart({ dynamo: patientDynamo() });
    }
    expect((await store.usage.getMonthUsage(w.ws, MONTH))?.used).toBe(1);
  });

  it('window roll-overs carry every shard budget: exact across three windows, per-key counts summed', async () => {
    const w = await workspaceWithKeys(240);
    const windows = ['2034-03-10T09:04:00Z', '2034-03-10T09:05:30Z', '2034-03-10T09:10:00Z'];
    const keys = [w.pkId, w.skId];
    const results: { counted: boolean }[] = [];
    for (const at of windows) {
      results.push(
        ...(await run(150, 50, (i) => ({
          workspaceId: w.ws,
          keyId: keys[i % 2],
          now: new Date(at),
          quota: 240,
          enforceQuota: true,
          shards: 16,
        }))),
      );
    }
    expect(results.filter((r) => r.counted)).toHaveLength(240);
    expectBudget(await heads(w.ws), 240);
    const usage = await store.usage.getMonthUsage(w.ws, MONTH);
    expect(usage?.used).toBe(240);
    const perKey = [...(usage?.hourly.values() ?? [])].flat().reduce((n, h) => n + h.count, 0);
    expect(perKey).toBe(240);
    const points = await store.usage.getMinutely(w.ws, {
      from: new Date('2034-03-10T09:00:00Z'),
      to: new Date('2034-03-10T09:15:00Z'),
    });
    expect([...points.values()].flat().reduce((n, p) => n + p.count, 0)).toBe(240);
  });
});
