/**
 * Budget shards as operators set them (docs/scaling.md): PATCH …/workspaces/{ws} accepts
 * `"shards": 1..64` (400 invalid_request naming `shards` otherwise), GET and the usage answer show
 * it, and the avatar path then counts on that many shard items with the quota still exact.
 * In-process against DynamoDB Local.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createHandler } from '../../lambdas/avatar/handler';
import { counterSlot, pk } from '../../lambdas/store/schema';
import { call } from '../support/admin-events';
import { APP_ORIGIN, freshSlug, workspaceWithKeys } from '../support/avatar-fixtures';
import { invoke } from '../support/events';
import { coldStart, config, dynamo } from '../support/runtime';

afterEach(() => coldStart());

describe('shards', () => {
  it('PATCH accepts 1..64; GET and PATCH show it once set, the usage answer always', async () => {
    const w = await call('POST', '/v1/admin/workspaces', { body: { name: 'Shard Co', monthly_quota: 100 } });
    const path = `/v1/admin/workspaces/${w.body.id}`;
    // absent until set (1); the usage answer always says
    expect((await call('GET', path)).body.shards).toBeUndefined();
    expect((await call('GET', `${path}/usage`)).body.shards).toBe(1);
    const p = await call('PATCH', path, { body: { shards: 16 } });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ id: w.body.id, shards: 16, monthly_quota: 100 });
    expect((await call('GET', path)).body.shards).toBe(16);
    expect((await call('GET', `${path}/usage`)).body.shards).toBe(16);
    for (const bad of [0, 65, 2.5, '4', -1, null]) {
      const r = await call('PATCH', path, { body: { shards: bad } });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'invalid_request', param: 'shards' });
    }
    expect((await call('GET', path)).body.shards).toBe(16);
  });

  it('the avatar path counts on the workspace shards; Q = 30, 60 concurrent new lookups → exactly 30', async () => {
    const w = await workspaceWithKeys(30);
    expect((await call('PATCH', `/v1/admin/workspaces/${w.ws}`, { body: { shards: 8 } })).status).toBe(200);
    const handler = createHandler(coldStart());
    const results = await Promise.all(
      Array.from({ length: 60 }, () =>
        invoke(handler, {
          query: { key: w.pk, linkedin_url: `linkedin.com/in/${freshSlug('shard')}`, debug: '1' },
          headers: APP_ORIGIN,
        }),
      ),
    );
    expect(results.filter((r) => r.status === 302)).toHaveLength(30);
    expect(results.filter((r) => r.status === 403)).toHaveLength(30);
    const month = new Date().toISOString().slice(0, 7);
    const out = await dynamo().send(
      new QueryCommand({
        TableName: config().tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
        ExpressionAttributeValues: { ':pk': pk.workspace(w.ws), ':m': `USAGE#${month}~` },
        ConsistentRead: true,
      }),
    );
    const shards = new Set((out.Items ?? []).map((i) => counterSlot(String(i.sk))?.shard));
    expect(shards.size).toBeGreaterThan(1);
    const usage = await call('GET', `/v1/admin/workspaces/${w.ws}/usage`);
    expect(usage.body).toMatchObject({ used: 30, shards: 8 });
  });
});
