/**
 * The workspace routes of the management API in-process against DynamoDB Local: create, read,
 * update, validation, 404s.
 */
import '../support/log-debug';
import { call } from '../support/admin-events';

async function newWorkspace(quota = 1000): Promise<string> {
  const r = await call('POST', '/v1/admin/workspaces', { body: { name: 'Acme', monthly_quota: quota } });
  expect(r.status).toBe(201);
  return r.body.id;
}

describe('workspaces', () => {
  it('creates, reads and updates a workspace', async () => {
    const c = await call('POST', '/v1/admin/workspaces', {
      body: { name: ' Acme Inc ', monthly_quota: 5000 },
    });
    expect(c.status).toBe(201);
    expect(c.body).toEqual({
      id: expect.stringMatching(/^ws_[0-9A-Za-z]{16}$/),
      name: 'Acme Inc',
      monthly_quota: 5000,
      created_at: expect.any(String),
    });
    expect(c.headers['x-request-id']).toBeTruthy();
    const g = await call('GET', `/v1/admin/workspaces/${c.body.id}`);
    expect(g.status).toBe(200);
    expect(g.body).toMatchObject({ id: c.body.id, name: 'Acme Inc', monthly_quota: 5000 });
    const p = await call('PATCH', `/v1/admin/workspaces/${c.body.id}`, { body: { monthly_quota: 10 } });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ id: c.body.id, name: 'Acme Inc', monthly_quota: 10 });
    const p2 = await call('PATCH', `/v1/admin/workspaces/${c.body.id}`, { body: { name: 'Renamed' } });
    expect(p2.body).toMatchObject({ name: 'Renamed', monthly_quota: 10 });
    expect((await call('GET', `/v1/admin/workspaces/${c.body.id}`)).body).toMatchObject({
      name: 'Renamed',
      monthly_quota: 10,
    });
  });

  it.each([
    [{ monthly_quota: 5 }, 'name'],
    [{ name: 'x' }, 'monthly_quota'],
    [{ name: '', monthly_quota: 5 }, 'name'],
    [{ name: 'x', monthly_quota: -1 }, 'monthly_quota'],
    [{ name: 'x', monthly_quota: 1.5 }, 'monthly_quota'],
    [{ name: 'x', monthly_quota: '5' }, 'monthly_quota'],
    [{ name: 'x', monthly_quota: 5, quota: 5 }, 'quota'],
    [[1, 2], 'body'],
  ])('create refuses %j naming %s', async (body, param) => {
    const r = await call('POST', '/v1/admin/workspaces', { body });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_request', type: 'request', param });
  });

  it('refuses malformed JSON and an empty patch', async () => {
    const r = await call('POST', '/v1/admin/workspaces', { rawBody: '{"name":' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_request', param: 'body' });
    const ws = await newWorkspace();
    const p = await call('PATCH', `/v1/admin/workspaces/${ws}`, { body: {} });
    expect(p.status).toBe(400);
    expect(p.body.error.code).toBe('invalid_request');
  });

  it('answers 404 not_found for unknown workspaces', async () => {
    for (const ws of ['ws_0000000000000000', 'nope', 'ws_%2e%2e']) {
      const g = await call('GET', `/v1/admin/workspaces/${ws}`);
      expect(g.status).toBe(404);
      expect(g.body.error.code).toBe('not_found');
    }
    const p = await call('PATCH', '/v1/admin/workspaces/ws_0000000000000000', { body: { name: 'x' } });
    expect(p.status).toBe(404);
    const k = await call('POST', '/v1/admin/workspaces/ws_0000000000000000/keys', {
      body: { type: 'secret', name: 'x' },
    });
    expect(k.status).toBe(404);
    expect((await call('GET', '/v1/admin/workspaces/ws_0000000000000000/keys')).status).toBe(404);
  });
});
