/**
 * The quota counter's 5-minute buckets (store/usage-counter.ts, schema.ts): the month-to-date
 * count carries across window and hour rollovers exactly — also with concurrent requests
 * straddling the boundary and with the quota enforced —, a closed bucket is rolled into its hour
 * item exactly once (also under concurrent openers), late writers land in the successor bucket,
 * gaps and month rollover, the 5-minute points across an hour boundary, and the bucket's size
 * with 20 active keys (1 WCU per request).
 * Against DynamoDB Local with injected instants.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CountInput } from '../../../lambdas/app/ports';
import { counterSlot, counterTag, pk, sk } from '../../../lambdas/store/schema';
import { BUCKET_TTL_S } from '../../../lambdas/store/usage-counter';
import { newKey, usageBuckets, workspaceWithKeys } from '../../support/avatar-fixtures';
import { config, dynamo, store } from '../../support/runtime';

const MONTH = '2033-05';
const at = (dayHourMin: string) => new Date(`${MONTH}-${dayHourMin}:00.000Z`);

async function get(ws: string, sortKey: string) {
  const out = await dynamo().send(
    new GetCommand({
      TableName: config().tableName,
      Key: { pk: pk.workspace(ws), sk: sortKey },
      ConsistentRead: true,
    }),
  );
  return out.Item;
}
/** the counter bucket of window DDHHmm (shard 0) */
const bucket = (ws: string, month: string, slot: string) => get(ws, sk.counterBucket(month, 0, slot));
/** the hour item of hour DDHH */
const hourItem = (ws: string, month: string, dayHour: string) => get(ws, sk.usageHour(month, dayHour));
const c = (keyId: string) => `c${counterTag(keyId)}`;

function req(ws: string, keyId: string, now: Date, over: Partial<CountInput> = {}): CountInput {
  return { workspaceId: ws, keyId, now, quota: 1_000_000, enforceQuota: false, ...over };
}

async function times(n: number, input: () => CountInput) {
  for (let i = 0; i < n; i++) expect((await store.usage.countRequest(input())).counted).toBe(true);
}

/**
 * The month's counter buckets form one chain (each closed into the next, only the latest open,
 * its `u` the month's count); every closed bucket is rolled into its hour item exactly once: the
 * hour items' counts are the closed buckets' counts, key by key.
 */
function expectChain(items: Record<string, unknown>[], used: number) {
  const chain = items.filter((b) => counterSlot(String(b.sk)) !== undefined);
  for (let i = 0; i < chain.length - 1; i++) expect(chain[i].x).toBe(chain[i + 1].sk);
  const last = chain[chain.length - 1];
  expect(last.x).toBeUndefined();
  expect(last.u).toBe(used);
  let sum = 0;
  const closed = new Map<string, number>();
  for (const b of chain) {
    for (const [k, v] of Object.entries(b)) {
      if (!/^c/.test(k)) continue;
      sum += Number(v);
      if (b !== last) {
        const key = `${String(counterSlot(String(b.sk))?.start).slice(0, 13)}|key_${k.slice(1)}`;
        closed.set(key, (closed.get(key) ?? 0) + Number(v));
      }
    }
  }
  expect(sum).toBe(used);
  const rolled = new Map<string, number>();
  for (const h of items.filter((b) => counterSlot(String(b.sk)) === undefined)) {
    const hour = `${MONTH_OF(h)}-${String(h.sk).slice(-4, -2)}T${String(h.sk).slice(-2)}`;
    for (const [k, v] of Object.entries(h))
      if (k.startsWith('k_')) rolled.set(`${hour}|${k.slice(2)}`, Number(v));
  }
  expect(Object.fromEntries(rolled)).toEqual(Object.fromEntries(closed));
}
const MONTH_OF = (item: Record<string, unknown>) => String(item.sk).slice(6, 13);

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

describe('window and hour rollover', () => {
  it('closes the previous bucket, rolls its key counts into its hour once and carries the count', async () => {
    const w = await workspaceWithKeys(8);
    await times(5, () => req(w.ws, w.skId, at('03T10:15')));
    await times(3, () => req(w.ws, w.pkId, at('03T11:02')));
    const b1015 = await bucket(w.ws, MONTH, '031015');
    const b1100 = await bucket(w.ws, MONTH, '031100');
    expect(b1015).toMatchObject({
      u: 5,
      [c(w.skId)]: 5,
      x: sk.counterBucket(MONTH, 0, '031100'),
      ttl: Date.parse(`${MONTH}-03T10:15:00Z`) / 1000 + BUCKET_TTL_S,
    });
    expect(b1100).toMatchObject({ u: 8, [c(w.pkId)]: 3, [`l${counterTag(w.pkId)}`]: 120 });
    expect(b1100?.x).toBeUndefined();
    expect(b1100?.ttl).toBeUndefined();
    expect(await hourItem(w.ws, MONTH, '0310')).toMatchObject({
      [`k_${w.skId}`]: 5,
      [`lu_${w.skId}`]: at('03T10:15').toISOString(),
      r00: sk.counterBucket(MONTH, 0, '031015'),
    });
    expect(await hourItem(w.ws, MONTH, '0311')).toBeUndefined();
    expect(await store.usage.readUsed(w.ws, at('03T11:30'))).toBe(8);
    // the quota holds across the rollover: 8 of 8 used, a new lookup in the next window is refused
    const refused = await store.usage.countRequest(
      req(w.ws, w.skId, at('03T12:00'), { quota: 8, enforceQuota: true }),
    );
    expect(refused).toEqual({ counted: false, used: 8 });
    expect(await store.usage.countRequest(req(w.ws, w.skId, at('03T12:01')))).toEqual({
      counted: true,
      used: 9,
    });
    expectChain(await usageBuckets(w.ws, MONTH), 9);
    const usage = await store.usage.getMonthUsage(w.ws, MONTH);
    expect(usage?.used).toBe(9);
    expect(usage?.hourly.get(w.skId)).toEqual([
      { hour: `${MONTH}-03T10:00:00Z`, count: 5 },
      { hour: `${MONTH}-03T12:00:00Z`, count: 1 },
    ]);
    expect(usage?.hourly.get(w.pkId)).toEqual([{ hour: `${MONTH}-03T11:00:00Z`, count: 3 }]);
  });

  it('50 concurrent requests in one window and 50 in the next with quota 60: exactly 60 admitted, used 60', async () => {
    for (const [h, next] of [
      ['0423:59', '0500:00'],
      ['1207:04', '1207:05'],
    ]) {
      const w = await workspaceWithKeys(60);
      const q = { quota: 60, enforceQuota: true };
      const t = (x: string) => at(`${x.slice(0, 2)}T${x.slice(2)}`);
      // the two windows interleaved
      const inputs = Array.from({ length: 100 }, (_, i) =>
        i % 2 === 0 ? req(w.ws, w.pkId, t(h), q) : req(w.ws, w.skId, t(next), q),
      );
      const results = await Promise.all(inputs.map((i) => store.usage.countRequest(i)));
      const admitted = results.filter((r) => r.counted);
      expect(admitted).toHaveLength(60);
      // every admitted request saw a distinct month-to-date count 1..60
      expect(admitted.map((r) => r.used).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 60 }, (_, i) => i + 1),
      );
      for (const r of results.filter((x) => !x.counted)) expect(r.used).toBe(60);
      expectChain(await usageBuckets(w.ws, MONTH), 60);
      expect((await store.usage.getMonthUsage(w.ws, MONTH))?.used).toBe(60);
    }
  });

  it('concurrent requests over four windows across an hour (no quota): every one counted once, one chain', async () => {
    const w = await workspaceWithKeys(1000);
    const k3 = await newKey(w.ws, 'secret');
    const windows = ['20T05:54', '20T05:59', '20T06:00', '20T06:07'];
    const keys = [w.pkId, w.skId, k3.record.id];
    const inputs = Array.from({ length: 120 }, (_, i) => req(w.ws, keys[i % 3], at(windows[(i >> 1) % 4])));
    const results = await Promise.all(inputs.map((i) => store.usage.countRequest(i)));
    expect(results.every((r) => r.counted)).toBe(true);
    expect(results.map((r) => r.used).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 120 }, (_, i) => i + 1),
    );
    const items = await usageBuckets(w.ws, MONTH);
    expectChain(items, 120);
    const usage = await store.usage.getMonthUsage(w.ws, MONTH);
    const total = [...(usage?.hourly.values() ?? [])].flat().reduce((n, h) => n + h.count, 0);
    expect(total).toBe(120);
  });
});

describe('roll-up exactly once', () => {
  it('100 concurrent openers of the next window: the closed bucket is added to its hour once', async () => {
    const w = await workspaceWithKeys(1_000_000);
    await times(7, () => req(w.ws, w.skId, at('11T09:55')));
    await times(4, () => req(w.ws, w.pkId, at('11T09:57')));
    // every one of them finds no bucket for 10:00 and tries to open it
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        store.usage.countRequest(req(w.ws, i % 2 ? w.skId : w.pkId, at('11T10:00'))),
      ),
    );
    expect(results.every((r) => r.counted)).toBe(true);
    expect(await hourItem(w.ws, MONTH, '1109')).toMatchObject({ [`k_${w.skId}`]: 7, [`k_${w.pkId}`]: 4 });
    expect(await bucket(w.ws, MONTH, '111000')).toMatchObject({ u: 111, [c(w.skId)]: 50, [c(w.pkId)]: 50 });
    expectChain(await usageBuckets(w.ws, MONTH), 111);
    // a second roll of the same bucket (a repeated transaction) is refused by the hour item's marker
    const usage = await store.usage.getMonthUsage(w.ws, MONTH);
    expect(usage?.hourly.get(w.skId)).toEqual([
      { hour: `${MONTH}-11T09:00:00Z`, count: 7 },
      { hour: `${MONTH}-11T10:00:00Z`, count: 50 },
    ]);
  });
});

describe('5-minute points', () => {
  it('per key across an hour boundary and a roll-up, shards summed, only windows with counts', async () => {
    const w = await workspaceWithKeys(1000);
    await times(2, () => req(w.ws, w.skId, at('14T13:50')));
    await times(1, () => req(w.ws, w.pkId, at('14T13:58')));
    await times(3, () => req(w.ws, w.skId, at('14T14:00')));
    await times(4, () => req(w.ws, w.pkId, at('14T14:14')));
    const window = { from: at('14T13:55'), to: at('14T14:10') };
    const points = await store.usage.getMinutely(w.ws, window);
    expect(points.get(w.skId)).toEqual([{ time: `${MONTH}-14T14:00:00Z`, count: 3 }]);
    expect(points.get(w.pkId)).toEqual([
      { time: `${MONTH}-14T13:55:00Z`, count: 1 },
      { time: `${MONTH}-14T14:10:00Z`, count: 4 },
    ]);
    // the wider window includes 13:50; the rolled-up windows are still points (kept 48 h)
    const all = await store.usage.getMinutely(w.ws, { from: at('14T13:00'), to: at('14T15:00') });
    expect(all.get(w.skId)).toEqual([
      { time: `${MONTH}-14T13:50:00Z`, count: 2 },
      { time: `${MONTH}-14T14:00:00Z`, count: 3 },
    ]);
    // and the hourly series agree with the points
    const usage = await store.usage.getMonthUsage(w.ws, MONTH);
    expect(usage?.hourly.get(w.pkId)).toEqual([
      { hour: `${MONTH}-14T13:00:00Z`, count: 1 },
      { hour: `${MONTH}-14T14:00:00Z`, count: 4 },
    ]);
  });

  it('a window across a month boundary reads both months', async () => {
    const w = await workspaceWithKeys(1000);
    await times(2, () => req(w.ws, w.skId, new Date('2033-06-30T23:57:00Z')));
    await times(1, () => req(w.ws, w.skId, new Date('2033-07-01T00:01:00Z')));
    const points = await store.usage.getMinutely(w.ws, {
      from: new Date('2033-06-30T23:00:00Z'),
      to: new Date('2033-07-01T01:00:00Z'),
    });
    expect(points.get(w.skId)).toEqual([
      { time: '2033-06-30T23:55:00Z', count: 2 },
      { time: '2033-07-01T00:00:00Z', count: 1 },
    ]);
  });
});

describe('late writers (clock skew at the boundary)', () => {
  it('a write to a closed bucket lands in its successor (x)', async () => {
    const w = await workspaceWithKeys(100);
    await times(2, () => req(w.ws, w.skId, at('07T08:59')));
    await times(1, () => req(w.ws, w.skId, at('07T09:00')));
    const late = await store.usage.countRequest(req(w.ws, w.pkId, at('07T08:59')));
    expect(late).toEqual({ counted: true, used: 4 });
    expect(await bucket(w.ws, MONTH, '070855')).toMatchObject({
      u: 2,
      x: sk.counterBucket(MONTH, 0, '070900'),
    });
    const b9 = await bucket(w.ws, MONTH, '070900');
    // the late writer's last use is before its window's start
    expect(b9).toMatchObject({ u: 4, [c(w.skId)]: 1, [c(w.pkId)]: 1, [`l${counterTag(w.pkId)}`]: -60 });
    expectChain(await usageBuckets(w.ws, MONTH), 4);
  });

  it('a write for a window without a bucket, after a later window opened, lands in the latest bucket', async () => {
    const w = await workspaceWithKeys(100);
    await times(1, () => req(w.ws, w.skId, at('08T01:00')));
    await times(1, () => req(w.ws, w.skId, at('08T04:00')));
    expect(await store.usage.countRequest(req(w.ws, w.pkId, at('08T02:30')))).toEqual({
      counted: true,
      used: 3,
    });
    // and the very first window of the month, late after a later one opened
    const v = await workspaceWithKeys(100);
    await times(1, () => req(v.ws, v.skId, at('09T05:00')));
    expect(await store.usage.countRequest(req(v.ws, v.skId, at('09T04:59')))).toEqual({
      counted: true,
      used: 2,
    });
    expect(await bucket(w.ws, MONTH, '080230')).toBeUndefined();
    expect(await bucket(v.ws, MONTH, '090455')).toBeUndefined();
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
    const items = await usageBuckets(w.ws, MONTH);
    expect(items.map((b) => [b.sk, b.u])).toEqual([
      [`USAGE#${MONTH}#0102`, undefined],
      [`USAGE#${MONTH}#0109`, undefined],
      [`USAGE#${MONTH}#0314`, undefined],
      [`USAGE#${MONTH}~00`, 0],
      [`USAGE#${MONTH}~00#010210`, 2],
      [`USAGE#${MONTH}~00#010940`, 5],
      [`USAGE#${MONTH}~00#031400`, 9],
      [`USAGE#${MONTH}~00#312355`, 10],
    ]);
    expectChain(items, 10);
    const usage = await store.usage.getMonthUsage(w.ws, MONTH);
    expect(usage?.used).toBe(10);
    expect(usage?.hourly.get(w.skId)).toEqual([
      { hour: `${MONTH}-01T02:00:00Z`, count: 2 },
      { hour: `${MONTH}-01T09:00:00Z`, count: 3 },
    ]);
    expect(usage?.hourly.get(w.pkId)).toEqual([
      { hour: `${MONTH}-03T14:00:00Z`, count: 4 },
      { hour: `${MONTH}-31T23:00:00Z`, count: 1 },
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
    // month chains are separate: June's last bucket is not closed into July, and still read
    expect((await bucket(w.ws, '2033-06', '302355'))?.x).toBeUndefined();
    expect(await bucket(w.ws, '2033-07', '010000')).toMatchObject({ u: 1 });
    expect((await store.usage.getMonthUsage(w.ws, '2033-06'))?.hourly.get(w.skId)).toEqual([
      { hour: '2033-06-30T23:00:00Z', count: 3 },
    ]);
  });

  it('a month begun by the hour buckets written before 5-minute counting keeps its count', async () => {
    const w = await workspaceWithKeys(10);
    const old = (dayHour: string, extra: Record<string, unknown>) =>
      dynamo().send(
        new PutCommand({
          TableName: config().tableName,
          Item: { pk: pk.workspace(w.ws), sk: `USAGE#${MONTH}#${dayHour}`, ...extra },
        }),
      );
    await old('2501', { used: 4, [`k_${w.skId}`]: 4, closed: true, closed_into: `USAGE#${MONTH}#2502` });
    await old('2502', { used: 9, [`k_${w.skId}`]: 5, [`lu_${w.skId}`]: '2033-05-25T02:10:00.000Z' });
    expect((await store.usage.getMonthUsage(w.ws, MONTH))?.used).toBe(9);
    const q = { quota: 10, enforceQuota: true };
    expect(await store.usage.countRequest(req(w.ws, w.pkId, at('25T03:00'), q))).toEqual({
      counted: true,
      used: 10,
    });
    expect((await store.usage.countRequest(req(w.ws, w.pkId, at('25T03:01'), q))).counted).toBe(false);
    const usage = await store.usage.getMonthUsage(w.ws, MONTH);
    expect(usage?.used).toBe(10);
    expect(usage?.hourly.get(w.skId)?.map((h) => h.count)).toEqual([4, 5]);
  });
});

describe('bucket size', () => {
  it('the counter bucket of a workspace with 20 active keys stays well under 1 KB', async () => {
    const w = await workspaceWithKeys(1_000_000);
    const keys = [w.pkId, w.skId];
    for (let i = keys.length; i < 20; i++) keys.push((await newKey(w.ws, 'secret')).record.id);
    // the worst case of one window: every key used, 4-digit counts, the last use late in the window
    let n = 0;
    const total = 20 * 60;
    const worker = async () => {
      while (n < total) {
        const i = n++;
        const r = await store.usage.countRequest(
          req(w.ws, keys[i % 20], new Date(at('12T16:05').getTime() + Math.floor((i / total) * 299_000)), {
            enforceQuota: true,
          }),
        );
        expect(r.counted).toBe(true);
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    // counts of 4 digits and a 7-digit month-to-date count: the widest numbers a busy bucket holds
    const item = await bucket(w.ws, MONTH, '121605');
    expect(item?.u).toBe(total);
    expect(keys.map((k) => item?.[c(k)])).toEqual(keys.map(() => 60));
    const widest: Record<string, unknown> = { ...item, u: 9_999_999 };
    for (const k of keys) widest[c(k)] = 9999;
    const size = itemSize(item ?? {});
    const worst = itemSize(widest);
    process.stdout.write(
      `counter bucket with 20 active keys: ${size} bytes (widest numbers: ${worst} bytes)\n`,
    );
    expect(size).toBeGreaterThan(400);
    expect(worst).toBeLessThan(900);
  });
});

describe('bounded', () => {
  it('a bucket chain that never resolves (closed into itself) ends in unavailable, nothing counted', async () => {
    const w = await workspaceWithKeys(100);
    const key = { pk: pk.workspace(w.ws), sk: sk.counterBucket(MONTH, 0, '150300') };
    await dynamo().send(new PutCommand({ TableName: config().tableName, Item: { ...key, u: 4, x: key.sk } }));
    await expect(store.usage.countRequest(req(w.ws, w.skId, at('15T03:00')))).rejects.toMatchObject({
      code: 'unavailable',
      status: 503,
    });
    expect(await bucket(w.ws, MONTH, '150300')).toMatchObject({ u: 4 });
  });
});
