/**
 * GET /v1/admin/workspaces and its console twin, in-process against DynamoDB Local: newest first,
 * every workspace exactly once across the pages of ?limit= and ?cursor=, validated parameters, and
 * a console member's list filtered to their workspaces with the same paging.
 */
import '../support/log-debug';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { pk, sk } from '../../lambdas/store/schema';
import { call } from '../support/admin-events';
import { config, dynamo, store } from '../support/runtime';

async function newWorkspace(name: string): Promise<{ id: string; created_at: string }> {
  const r = await call('POST', '/v1/admin/workspaces', { body: { name, monthly_quota: 10 } });
  expect(r.status).toBe(201);
  return r.body;
}

const newestFirst = (a: { id: string; created_at: string }, b: { id: string; created_at: string }) =>
  `${b.created_at}#${b.id}`.localeCompare(`${a.created_at}#${a.id}`);

/** Every page of `path` (bounded), the ids in the order served. */
async function allPages(path: string, limit: number, claims?: Record<string, unknown>) {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const query: Record<string, string> = { limit: String(limit), ...(cursor ? { cursor } : {}) };
    const r = await call('GET', path, { query, claims });
    expect(r.status).toBe(200);
    expect(r.body.workspaces.length).toBeLessThanOrEqual(limit);
    ids.push(...r.body.workspaces.map((w: { id: string }) => w.id));
    cursor = r.body.next_cursor;
    if (!cursor) return ids;
  }
  throw new Error('more than 1000 pages');
}

describe('GET /v1/admin/workspaces', () => {
  let mine: { id: string; created_at: string }[];
  beforeAll(async () => {
    mine = [];
    for (let i = 0; i < 5; i++) mine.push(await newWorkspace(`list-${i}`));
  });

  test('pages of 2 hold every workspace exactly once, newest first', async () => {
    const ids = await allPages('/v1/admin/workspaces', 2);
    expect(new Set(ids).size).toBe(ids.length);
    const served = ids.filter((id) => mine.some((w) => w.id === id));
    expect(served).toEqual([...mine].sort(newestFirst).map((w) => w.id));
  });

  test('the default page is at most 50 and shows the newest first', async () => {
    const r = await call('GET', '/v1/admin/workspaces');
    expect(r.status).toBe(200);
    expect(r.body.workspaces.length).toBeLessThanOrEqual(50);
    expect(r.body.workspaces[0]).toHaveProperty('name');
    expect(JSON.stringify(r.body)).not.toMatch(/gsi1|WORKSPACES|"pk"|"sk"/);
  });

  test.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ cursor: 'garbage!' }, 'cursor'],
    [{ cursor: Buffer.from('{"c":"x","i":"y"}').toString('base64url') }, 'cursor'],
  ])('%p → 400 invalid_request naming %s', async (query, param) => {
    const r = await call('GET', '/v1/admin/workspaces', { query });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_request', param });
  });

  test('a console member lists only their workspaces, paged the same way', async () => {
    const theirs = [mine[0].id, mine[2].id, mine[4].id];
    const claims = { sub: 'm1', 'custom:workspaces': theirs.join(',') };
    const ids = await allPages('/v1/console/workspaces', 2, claims);
    expect(ids).toEqual(
      mine
        .filter((w) => theirs.includes(w.id))
        .sort(newestFirst)
        .map((w) => w.id),
    );
  });

  test('a console operator lists everything; a console route without claims is refused 401', async () => {
    const claims = { sub: 'o1', 'cognito:groups': '[avtrz-operators]' };
    const ids = await allPages('/v1/console/workspaces', 100, claims);
    for (const w of mine) expect(ids).toContain(w.id);
    const r = await call('GET', '/v1/console/workspaces');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('unauthorized');
  });
});

test('a workspace stored before the list index joins it through indexWorkspace, once', async () => {
  const old = {
    id: 'ws_0ldW0rkspace0001',
    name: 'old',
    monthly_quota: 1,
    created_at: new Date().toISOString(),
  };
  await dynamo().send(
    new PutCommand({
      TableName: config().tableName,
      Item: { pk: pk.workspace(old.id), sk: sk.workspaceMeta, ...old },
    }),
  );
  const listed = async () => (await allPages('/v1/admin/workspaces', 100)).includes(old.id);
  expect(await listed()).toBe(false);
  expect(await store.workspaces.indexWorkspace(old)).toBe(true);
  expect(await listed()).toBe(true);
  expect(await store.workspaces.indexWorkspace(old)).toBe(false);
});

test('a member listed in more than 100 workspaces sees every one (BatchGet in calls of 100)', async () => {
  const made: string[] = [];
  for (let i = 0; i < 130; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: 10 }, (_, j) =>
        store.workspaces.createWorkspace({ name: `many ${i + j}`, monthly_quota: 1 }),
      ),
    );
    made.push(...batch.map((w) => w.id));
  }
  const found = await store.workspaces.getWorkspaces(made);
  expect(found.map((w) => w.id).sort()).toEqual([...made].sort());
});
