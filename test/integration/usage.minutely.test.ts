/**
 * 5-minute points for the last 48 hours (`?from=&to=` on GET /v1/admin/workspaces/{ws}/usage and
 * GET /v1/usage): the series per key, the window clamped to the last 48 hours, the answer without
 * the parameters unchanged, and 400 invalid_request naming the parameter for bad instants.
 * In-process against DynamoDB Local; requests counted by the avatar path's own counter at chosen
 * instants relative to the real clock (the routes' clock).
 */
import { windowStart } from '../../lambdas/core/quota';
import { call } from '../support/admin-events';
import { store } from '../support/runtime';

const MIN = 60_000;
const NOW = Date.now();
const iso = (t: number) => new Date(t).toISOString();
/** the point time of instant t */
const point = (t: number) => `${windowStart(new Date(t)).toISOString().slice(0, 19)}Z`;

let ws: string;
let a: { id: string; key: string };
let b: { id: string; key: string };

async function count(keyId: string, t: number, n: number) {
  for (let i = 0; i < n; i++) {
    const r = await store.usage.countRequest({
      workspaceId: ws,
      keyId,
      now: new Date(t),
      quota: 1_000_000,
      enforceQuota: false,
    });
    expect(r.counted).toBe(true);
  }
}

beforeAll(async () => {
  const w = await call('POST', '/v1/admin/workspaces', {
    body: { name: 'Minutely Co', monthly_quota: 5000 },
  });
  ws = w.body.id;
  const made = async (name: string) => {
    const r = await call('POST', `/v1/admin/workspaces/${ws}/keys`, { body: { type: 'secret', name } });
    expect(r.status).toBe(201);
    return { id: r.body.id as string, key: r.body.key as string };
  };
  a = await made('old');
  b = await made('new');
  // in time order (a request is counted in the latest window at the latest)
  await count(a.id, NOW - 50 * 60 * MIN, 4); // older than 48 h: no point
  await count(a.id, NOW - 20 * MIN, 3);
  await count(a.id, NOW - 7 * MIN, 2);
  await count(b.id, NOW - 7 * MIN, 1);
  await count(b.id, NOW - MIN, 5);
});

const admin = (query: Record<string, string>) => call('GET', `/v1/admin/workspaces/${ws}/usage`, { query });
const byId = (body: { keys: { id: string }[] }, id: string) =>
  body.keys.find((k) => k.id === id) as unknown as { minutely?: { time: string; count: number }[] };

describe('5-minute points', () => {
  it('per key for a window clamped to the last 48 hours, ascending, only windows with counts', async () => {
    const r = await admin({ from: iso(NOW - 72 * 60 * MIN), to: iso(NOW + 60 * MIN) });
    expect(r.status).toBe(200);
    expect(byId(r.body, a.id).minutely).toEqual([
      { time: point(NOW - 20 * MIN), count: 3 },
      { time: point(NOW - 7 * MIN), count: 2 },
    ]);
    expect(byId(r.body, b.id).minutely).toEqual([
      { time: point(NOW - 7 * MIN), count: 1 },
      { time: point(NOW - MIN), count: 5 },
    ]);
    // the window actually covered: from 48 h ago (its 5-minute window) to now
    const from = Date.parse(r.body.minutely_window.from);
    const to = Date.parse(r.body.minutely_window.to);
    expect(from % (5 * MIN)).toBe(0);
    expect(from).toBeGreaterThanOrEqual(windowStart(new Date(NOW - 48 * 60 * MIN)).getTime());
    expect(from).toBeLessThanOrEqual(NOW - 48 * 60 * MIN + 60 * MIN);
    expect(to).toBeGreaterThanOrEqual(NOW - 1000);
    expect(to).toBeLessThanOrEqual(Date.now());
  });

  it('a narrower window; `to` alone means the 48 hours before it; `from` alone ends now', async () => {
    // exactly the window of NOW - 7 min (NOW - 20 min and NOW - 1 min are in other windows)
    const w7 = windowStart(new Date(NOW - 7 * MIN)).getTime();
    const narrow = await admin({ from: iso(w7), to: iso(w7 + 5 * MIN - 1000) });
    expect(byId(narrow.body, a.id).minutely).toEqual([{ time: point(NOW - 7 * MIN), count: 2 }]);
    expect(byId(narrow.body, b.id).minutely).toEqual([{ time: point(NOW - 7 * MIN), count: 1 }]);
    const toOnly = await admin({ to: iso(NOW - 15 * MIN) });
    expect(byId(toOnly.body, a.id).minutely).toEqual([{ time: point(NOW - 20 * MIN), count: 3 }]);
    expect(byId(toOnly.body, b.id).minutely).toEqual([]);
    const w1 = windowStart(new Date(NOW - MIN)).getTime();
    const fromOnly = await admin({ from: iso(w1) });
    expect(byId(fromOnly.body, b.id).minutely).toEqual([{ time: point(NOW - MIN), count: 5 }]);
    // offsets are instants like any other
    // the same instant written at +01:00
    const offset = await admin({ from: iso(w1 + 3600_000).replace('Z', '+01:00') });
    expect(byId(offset.body, b.id).minutely).toEqual([{ time: point(NOW - MIN), count: 5 }]);
  });

  it('without from/to the answer has no minutely series; hourly series stay as they are', async () => {
    const r = await admin({});
    expect(r.status).toBe(200);
    expect(r.body.minutely_window).toBeUndefined();
    for (const k of r.body.keys) expect(k.minutely).toBeUndefined();
    const hours = (byId(r.body, b.id) as unknown as { hourly: { count: number }[] }).hourly;
    expect(hours.reduce((s, h) => s + h.count, 0)).toBe(6);
  });

  it('a window entirely older than 48 hours: empty series, no window', async () => {
    const r = await admin({ from: iso(NOW - 60 * 60 * MIN), to: iso(NOW - 49 * 60 * MIN) });
    expect(r.status).toBe(200);
    expect(r.body.minutely_window).toBeUndefined();
    expect(byId(r.body, a.id).minutely).toEqual([]);
  });

  it.each([
    [{ from: 'yesterday' }, 'from'],
    [{ from: '2026-11-28' }, 'from'],
    [{ to: '2026-13-01T00:00:00Z' }, 'to'],
    [{ to: '2026-11-28T14:05:00' }, 'to'],
    [{ from: '2026-11-28T14:05:00Z', to: '2026-11-28T14:00:00Z' }, 'from'],
  ])('400 invalid_request naming the parameter: %j', async (query, param) => {
    const r = await admin(query as Record<string, string>);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_request', param });
  });
});

describe('GET /v1/usage (secret key)', () => {
  it('the same 5-minute series; a bad instant is 400 with the quota headers', async () => {
    const r = await call('GET', '/v1/usage', {
      headers: { 'x-api-key': a.key },
      query: { from: iso(NOW - 30 * MIN) },
    });
    expect(r.status).toBe(200);
    expect(byId(r.body, b.id).minutely).toEqual([
      { time: point(NOW - 7 * MIN), count: 1 },
      { time: point(NOW - MIN), count: 5 },
    ]);
    const bad = await call('GET', '/v1/usage', { headers: { 'x-api-key': a.key }, query: { to: 'soon' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_request', param: 'to' });
    expect(bad.headers['x-quota-limit']).toBe('5000');
  });
});
