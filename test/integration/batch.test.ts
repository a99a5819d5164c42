import sharp from 'sharp';
import { createHandler } from '../../lambdas/batch/handler';
import { APP_ORIGIN, freshSlug, usageItem, workspaceWithKeys } from '../support/avatar-fixtures';
import { invoke } from '../support/events';
import { objectBehind } from '../support/objects';
import { useProvider } from '../support/provider';
import { coldStart, testRuntime } from '../support/runtime';

const handler = createHandler(testRuntime);

const p = useProvider();
const month = () => new Date().toISOString().slice(0, 7);

const batch = (body: unknown, headers: Record<string, string>) =>
  invoke(handler, {
    method: 'POST',
    path: '/v1/avatars/batch',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('auth and body', () => {
  let W: Awaited<ReturnType<typeof workspaceWithKeys>>;
  beforeAll(async () => {
    W = await workspaceWithKeys(100);
  });
  const one = { items: [{ linkedin_url: 'linkedin.com/in/someone' }] };

  test('a publishable key is forbidden; no key is missing_key; both uncounted', async () => {
    const pub = await batch(one, { 'x-api-key': W.pk, ...APP_ORIGIN });
    expect(pub.status).toBe(403);
    expect(pub.json.error).toMatchObject({ code: 'forbidden', type: 'auth' });
    const none = await batch(one, {});
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe('missing_key');
    expect((await usageItem(W.ws, month()))?.used).toBeUndefined();
  });

  const hundredAndOne = { items: Array.from({ length: 101 }, () => ({ linkedin_url: 'linkedin.com/in/a' })) };
  test.each([
    ['no items', 'items', {}],
    ['empty items', 'items', { items: [] }],
    ['101 items', 'items', hundredAndOne],
    ['items not an array', 'items', { items: 'linkedin.com/in/a' }],
    ['not JSON', 'body', '{"items":'],
  ])('%s → 400 invalid_request naming %s', async (_name, param, body) => {
    const res = await batch(body, { 'x-api-key': W.sk });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'invalid_request', type: 'request', param });
  });

  test('100 items is accepted', async () => {
    const res = await batch(
      { items: Array.from({ length: 100 }, () => ({ linkedin_url: 'not a profile' })) },
      { 'x-api-key': W.sk },
    );
    expect(res.status).toBe(200);
    expect(res.json.results).toHaveLength(100);
  });
});

describe('results', () => {
  test('in input order, with per-item errors, photos behind the URLs at the snapped size and format', async () => {
    const W = await workspaceWithKeys(100);
    const a = freshSlug('photo');
    const b = freshSlug('nophoto');
    const c = freshSlug('json');
    const items = [
      { linkedin_url: `https://www.linkedin.com/in/${a}/`, size: 256 },
      { linkedin_url: 'https://example.com/in/nobody' },
      { linkedin_url: `linkedin.com/in/${b}` },
      { linkedin_url: `linkedin.com/in/${c}`, size: 100, format: 'jpeg' },
      { linkedin_url: `linkedin.com/in/${a}`, size: 5 },
      { linkedin_url: `linkedin.com/in/${a}`, format: 'gif' },
      { linkedin_url: `linkedin.com/in/${a}`, size: '48', format: 'png' },
      { size: 64 },
      'not an object',
    ];
    const res = await batch({ items }, { 'x-api-key': W.sk });
    expect(res.status).toBe(200);
    const r = res.json.results;
    expect(r.map((x: { status: string }) => x.status)).toEqual([
      'ok',
      'error',
      'ok',
      'ok',
      'error',
      'error',
      'ok',
      'error',
      'error',
    ]);
    expect(r.map((x: { linkedin_url: unknown }) => x.linkedin_url)).toEqual([
      ...items.slice(0, 7).map((i) => (i as { linkedin_url: string }).linkedin_url),
      null,
      null,
    ]);
    expect(r[1].error).toMatchObject({ code: 'invalid_request', type: 'request', param: 'linkedin_url' });
    expect(r[4].error).toMatchObject({ code: 'invalid_request', param: 'size' });
    expect(r[5].error).toMatchObject({ code: 'invalid_request', param: 'format' });
    expect(r[7].error).toMatchObject({ code: 'invalid_request', param: 'linkedin_url' });
    expect(r[8].error).toMatchObject({ code: 'invalid_request', param: 'linkedin_url' });
    for (const x of r) expect(JSON.stringify(x)).not.toMatch(/stack|Error:/);

    const want: [number, number, string][] = [
      [0, 256, 'webp'],
      [3, 128, 'jpeg'],
      [6, 48, 'png'],
    ];
    for (const [i, size, format] of want) {
      expect(r[i].url).toMatch(new RegExp(`/${size}\\.${format}$`));
      const obj = await objectBehind(r[i].url);
      expect(obj.contentType).toBe(`image/${format}`);
      expect(await sharp(obj.body).metadata()).toMatchObject({ width: size, height: size, format });
    }
    expect(r[2].url).toMatch(/\/\d+\.svg$/);
    expect((await objectBehind(r[2].url)).contentType).toBe('image/svg+xml');
    // the second variant of `a` came from the stored original: one provider lookup for `a`
    expect(p().hits.get(a)).toBe(1);
    // every item that passed validation was counted once: 4 ok items
    const usage = await usageItem(W.ws, month());
    expect(usage?.used).toBe(4);
    // spec 4: counted against the key that made it too (hour buckets of the secret key)
    const byKey = (id: string) =>
      Object.entries(usage ?? {})
        .filter(([k]) => k.startsWith(`h_${id}_`))
        .reduce((n, [, v]) => n + Number(v), 0);
    expect([byKey(W.skId), byKey(W.pkId)]).toEqual([4, 0]);
    expect(res.headers['x-quota-limit']).toBe('100');
  });

  test('quota per item: new lookups past the quota fail with plan_limit, known profiles keep serving', async () => {
    const W = await workspaceWithKeys(3);
    const known = freshSlug('photo');
    const first = await batch(
      { items: [{ linkedin_url: `linkedin.com/in/${known}` }] },
      { 'x-api-key': W.sk },
    );
    expect(first.json.results[0].status).toBe('ok');

    const items = [{ linkedin_url: `linkedin.com/in/${known}` }];
    for (let i = 0; i < 5; i++) items.push({ linkedin_url: `linkedin.com/in/${freshSlug('photo')}` });
    const res = await batch({ items }, { 'x-api-key': W.sk });
    expect(res.status).toBe(200);
    const r = res.json.results as {
      status: string;
      linkedin_url: string;
      error?: { code: string; type: string };
    }[];
    expect(r.map((x) => x.linkedin_url)).toEqual(items.map((i) => i.linkedin_url));
    // the known profile is served whatever the quota
    expect(r[0].status).toBe('ok');
    const fresh5 = r.slice(1);
    // 1 used before, the known item counts without the quota condition, new lookups are
    // admitted only while used < 3: 1 or 2 of them depending on the order the counter sees
    const ok = fresh5.filter((x) => x.status === 'ok').length;
    const limited = fresh5.filter((x) => x.error?.code === 'plan_limit');
    expect(limited.every((x) => x.error?.type === 'billing')).toBe(true);
    expect(ok + limited.length).toBe(5);
    const used = Number((await usageItem(W.ws, month()))?.used);
    // refused lookups are not counted; the counter never passes the quota through new lookups
    expect(used).toBe(1 + 1 + ok);
    expect(used).toBeLessThanOrEqual(3 + 1);
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(ok).toBeLessThanOrEqual(2);
    expect(limited.length).toBeGreaterThanOrEqual(3);
  });

  test('bounded concurrency towards the provider', async () => {
    const W = await workspaceWithKeys(1000);
    const items = Array.from({ length: 24 }, () => ({
      linkedin_url: `linkedin.com/in/${freshSlug('delay')}`,
    }));
    const res = await batch({ items }, { 'x-api-key': W.sk });
    expect(res.json.results.every((x: { status: string }) => x.status === 'ok')).toBe(true);
    expect(p().maxInFlight()).toBeLessThanOrEqual(8);
    expect(p().maxInFlight()).toBeGreaterThan(1);
  });

  test('items not started within the time budget answer unavailable and are not counted', async () => {
    const W = await workspaceWithKeys(1000);
    const env = { ...testRuntime.env };
    coldStart({ env, batchBudgetMs: 200 });
    try {
      // slow-*: the provider answers after the 3 s fetch deadline, so the first 8 outlast the budget
      const items = Array.from({ length: 12 }, () => ({
        linkedin_url: `linkedin.com/in/${freshSlug('slow')}`,
      }));
      const res = await batch({ items }, { 'x-api-key': W.sk });
      expect(res.status).toBe(200);
      const r = res.json.results as { status: string; url?: string; error?: { code: string } }[];
      expect(r.slice(0, 8).every((x) => x.status === 'ok' && /\d+\.svg$/.test(x.url ?? ''))).toBe(true);
      expect(r.slice(8).map((x) => x.error?.code)).toEqual(Array(4).fill('unavailable'));
      expect((await usageItem(W.ws, month()))?.used).toBe(8);
    } finally {
      coldStart({ env });
    }
  });
});
