/**
 * The quota counter's hour buckets (store/usage.ts, schema.ts): the month-to-date count carries
 * across hour rollovers exactly — also with concurrent requests straddling the boundary and with
 * the quota enforced —, late writers land in the successor bucket, gaps and month rollover, the
 * bucket stays under 1 KB (1 WCU per request).
 * Against DynamoDB Local with injected instants.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CountInput } from '../../../lambdas/app/ports';
import { pk, sk } from '../../../lambdas/store/schema';
import { newKey, usageBuckets, workspaceWithKeys } from '../../support/avatar-fixtures';
import { config, dynamo, store } from '../../support/runtime';

const MONTH = '2033-05';
const at = (dayHourMin: string) => new Date(`${MONTH}-${dayHourMin}:00.000Z`);

async function bucket(ws: string, month: string, dayHour: string) {
  const out = await dynamo().send(
    new GetCommand({
      TableName: config().tableName,
      Key: { pk: pk.workspace(ws), sk: sk.usageBucket(month, dayHour) },
      ConsistentRead: true,
    }),
  );
  return out.Item;
}

function req(ws: string, keyId: string, now: Date, over: Partial<CountInput> = {}): CountInput {
  return { workspaceId: ws, keyId, now, quota: 1_000_000, enforceQuota: false, ...over };
}

async function times(n: number, input: () => CountInput) {
  for (let i = 0; i < n; i++) expect((await store.usage.countRequest(input())).counted).toBe(true);
}

/** The month's buckets form one chain: each closed into the next, only the latest open, sums agree. */
function expectChain(buckets: Record<string, unknown>[], used: number) {
  for (let i = 0; i < buckets.length - 1; i++) {
    expect(buckets[i]).toMatchObject({ closed: true, closed_into: buckets[i + 1].sk });
  }
  const last = buckets[buckets.length - 1];
  expect(last.closed).toBeUndefined();
  expect(last.used).toBe(used);
  let sum = 0;
  for (const b of buckets) for (const [k, v] of Object.entries(b)) if (k.startsWith('k_')) sum += Number(v);
  expect(sum).toBe(used);
}

/** DynamoDB's item size: attribute name bytes + value bytes (numbers: 1 byte per 2 significant digits + 1). */
function itemSize(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += Buffer.byteLength(name);
    if (typeof value === 'string') size += Buffer.byteLength(value);
    else if (typeof value === 'number') {
      const digits = String(Math.abs(value)).replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
      size += Math.ceil(Math.max(1, digits.length) / 2) + 1;
    } else if (typeof value === 'boolean') size += 1;
    else throw new Error(`unexpected attribute ${name}`);
  }
  return size;
}

describe('hour rollover', () => {
  it('carries the month-to-date count into the next hour bucket and closes the previous one', async () => {
    const w = await workspaceWithKeys(8);
    await times(5, () => req(w.ws, w.skId, at('03T10:15')));
    await times(3, () => req(w.ws, w.pkId, at('03T11:00')));
    const h10 = await bucket(w.ws, MONTH, '0310');
    const h11 = await bucket(w.ws, MONTH, '0311');
    expect(h10).toMatchObject({
      used: 5,
      [`k_${w.skId}`]: 5,
      closed: true,
      closed_into: `USAGE#${MONTH}#0311`,
    });
    expect(h11).toMatchObject({
      used: 8,
      [`k_${w.pkId}`]: 3,
      [`lu_${w.pkId}`]: at('03T11:00').toISOString(),
    });
    expect(h11?.[`k_${w.skId}`]).toBeUndefined();
    expect(await store.usage.readUsed(w.ws, at('03T11:30'))).toBe(8);
    // the quota holds across the rollover: 8 of 8 used, a new lookup in the next hour is refused
    const refused = await store.usage.countRequest(
      req(w.ws, w.skId, at('03T12:00'), { quota: 8, enforceQuota: true }),
    );
    expect(refused).toEqual({ counted: false, used: 8 });
    expect(await store.usage.countRequest(req(w.ws, w.skId, at('03T12:01')))).toEqual({
      counted: true,
      used: 9,
    });
    expectChain(await usageBuckets(w.ws, MONTH), 9);
  });

  it('50 concurrent requests in hour H and 50 in H+1 with quota 60: exactly 60 admitted, used 60', async () => {
    for (const [h, next] of [
      ['0423', '0500'],
      ['1207', '1208'],
    ]) {
      const w = await workspaceWithKeys(60);
      const q = { quota: 60, enforceQuota: true };
      // the two hours interleaved: 50 requests at H:59, 50 at H+1:00
      const inputs = Array.from({ length: 100 }, (_, i) =>
        i % 2 === 0
          ? req(w.ws, w.pkId, at(`${h.slice(0, 2)}T${h.slice(2)}:59`), q)
          : req(w.ws, w.skId, at(`${next.slice(0, 2)}T${next.slice(2)}:00`), q),
      );
      const results = await Promise.all(inputs.map((i) => store.usage.countRequest(i)));
      const admitted = results.filter((r) => r.counted);
      expect(admitted).toHaveLength(60);
      // every admitted request saw a distinct month-to-date count 1..60
      expect(admitted.map((r) => r.used).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 60 }, (_, i) => i + 1),
      );
      for (const r of results.filter((x) => !x.counted)) expect(r.used).toBe(60);
      const buckets = await usageBuckets(w.ws, MONTH);
      expectChain(buckets, 60);
      expect(await store.usage.readUsed(w.ws, at(`${next.slice(0, 2)}T${next.slice(2)}:30`))).toBe(60);
    }
  });

  it('concurrent requests over three hours (no quota): every one counted once, one chain', async () => {
    const w = await workspaceWithKeys(1000);
    const k3 = await newKey(w.ws, 'secret');
    const hours = ['20T05:59', '20T06:00', '20T07:00'];
    const keys = [w.pkId, w.skId, k3.record.id];
    const inputs = Array.from({ length: 120 }, (_, i) => req(w.ws, keys[i % 3], at(hours[(i >> 1) % 3])));
    const results = await Promise.all(inputs.map((i) => store.usage.countRequest(i)));
    expect(results.every((r) => r.counted)).toBe(true);
    expect(results.map((r) => r.used).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 120 }, (_, i) => i + 1),
    );
    expectChain(await usageBuckets(w.ws, MONTH), 120);
  });
});

describe('late writers (clock skew at the hour boundary)', () => {
  it('a write to a closed bucket lands in its successor (closed_into)', async () => {
    const w = await workspaceWithKeys(100);
    await times(2, () => req(w.ws, w.skId, at('07T08:59')));
    await times(1, () => req(w.ws, w.skId, at('07T09:00')));
    const late = await store.usage.countRequest(req(w.ws, w.pkId, at('07T08:59')));
    expect(late).toEqual({ counted: true, used: 4 });
    expect(await bucket(w.ws, MONTH, '0708')).toMatchObject({ used: 2, closed: true });
    const h9 = await bucket(w.ws, MONTH, '0709');
    expect(h9).toMatchObject({ used: 4, [`k_${w.skId}`]: 1, [`k_${w.pkId}`]: 1 });
    expectChain(await usageBuckets(w.ws, MONTH), 4);
  });

  it('a write for an hour without a bucket, after a later hour opened, lands in the latest bucket', async () => {
    const w = await workspaceWithKeys(100);
    await times(1, () => req(w.ws, w.skId, at('08T01:00')));
    await times(1, () => req(w.ws, w.skId, at('08T04:00')));
    expect(await store.usage.countRequest(req(w.ws, w.pkId, at('08T02:30')))).toEqual({
      counted: true,
      used: 3,
    });
    // and the very first hour of the month, late after a later one opened
    const v = await workspaceWithKeys(100);
    await times(1, () => req(v.ws, v.skId, at('09T05:00')));
    expect(await store.usage.countRequest(req(v.ws, v.skId, at('09T04:59')))).toEqual({
      counted: true,
      used: 2,
    });
    expect(await bucket(w.ws, MONTH, '0802')).toBeUndefined();
    expect(await bucket(v.ws, MONTH, '0904')).toBeUndefined();
    expectChain(await usageBuckets(w.ws, MONTH), 3);
    expectChain(await usageBuckets(v.ws, MONTH), 2);
  });
});

describe('gaps and month rollover', () => {
  it('gaps of several hours and days carry the count', async () => {
    const w = await workspaceWithKeys(100);
    await times(2, () => req(w.ws, w.skId, at('01T02:10')));
    await times(3, () => req(w.ws, w.skId, at('01T09:40')));
    await times(4, () => req(w.ws, w.pkId, at('03T14:00')));
    await times(1, () => req(w.ws, w.pkId, at('31T23:59')));
    const buckets = await usageBuckets(w.ws, MONTH);
    expect(buckets.map((b) => [b.sk, b.used])).toEqual([
      [`USAGE#${MONTH}`, 0],
      [`USAGE#${MONTH}#0102`, 2],
      [`USAGE#${MONTH}#0109`, 5],
      [`USAGE#${MONTH}#0314`, 9],
      [`USAGE#${MONTH}#3123`, 10],
    ]);
    expectChain(buckets, 10);
    const usage = await store.usage.getMonthUsage(w.ws, MONTH);
    expect(usage?.used).toBe(10);
    expect(usage?.hourly.get(w.skId)).toEqual([
      { hour: `${MONTH}-01T02:00:00Z`, count: 2 },
      { hour: `${MONTH}-01T09:00:00Z`, count: 3 },
    ]);
  });

  it('a new month starts at 0; the old month keeps its count', async () => {
    const w = await workspaceWithKeys(3);
    const q = { quota: 3, enforceQuota: true };
    await times(3, () => req(w.ws, w.skId, new Date('2033-06-30T23:59:59.000Z'), q));
    expect(
      (await store.usage.countRequest(req(w.ws, w.skId, new Date('2033-06-30T23:59:59.500Z'), q))).counted,
    ).toBe(false);
    expect(
      await store.usage.countRequest(req(w.ws, w.skId, new Date('2033-07-01T00:00:00.000Z'), q)),
    ).toEqual({
      counted: true,
      used: 1,
    });
    expect(await store.usage.readUsed(w.ws, new Date('2033-06-15T00:00:00Z'))).toBe(3);
    expect(await store.usage.readUsed(w.ws, new Date('2033-07-01T00:30:00Z'))).toBe(1);
    // month chains are separate: June's last bucket is not closed into July
    expect((await bucket(w.ws, '2033-06', '3023'))?.closed).toBeUndefined();
    expect(await bucket(w.ws, '2033-07', '0100')).toMatchObject({ used: 1 });
  });
});

describe('bucket size', () => {
  it('stays under 1 KB after 1,000 requests across 3 keys in one hour', async () => {
    const w = await workspaceWithKeys(1_000_000);
    const k3 = await newKey(w.ws, 'secret');
    const keys = [w.pkId, w.skId, k3.record.id];
    let n = 0;
    const worker = async () => {
      while (n < 1000) {
        const i = n++;
        const r = await store.usage.countRequest(
          req(w.ws, keys[i % 3], new Date(at('12T16:00').getTime() + i * 1000), { enforceQuota: true }),
        );
        expect(r.counted).toBe(true);
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    const item = await bucket(w.ws, MONTH, '1216');
    expect(item?.used).toBe(1000);
    expect(keys.map((k) => item?.[`k_${k}`])).toEqual([334, 333, 333]);
    const size = itemSize(item ?? {});
    process.stdout.write(`usage bucket after 1,000 requests across 3 keys: ${size} bytes\n`);
    expect(size).toBeGreaterThan(100);
    expect(size).toBeLessThan(1024);
  });
});

describe('bounded', () => {
  it('a bucket chain that never resolves (closed into itself) ends in unavailable, nothing counted', async () => {
    const w = await workspaceWithKeys(100);
    const key = { pk: pk.workspace(w.ws), sk: sk.usageBucket(MONTH, '1503') };
    await dynamo().send(
      new PutCommand({
        TableName: config().tableName,
        Item: { ...key, used: 4, closed: true, closed_into: key.sk },
      }),
    );
    await expect(store.usage.countRequest(req(w.ws, w.skId, at('15T03:00')))).rejects.toMatchObject({
      code: 'unavailable',
      status: 503,
    });
    expect(await bucket(w.ws, MONTH, '1503')).toMatchObject({ used: 4 });
  });
});
