/**
 * Over real HTTP through the local stack, every authorised response carries x-quota-limit,
 * x-quota-remaining and x-quota-reset (shared/spec/http-api.md section 3), also where nothing is
 * counted: GET /v1/usage, another month's usage, a batch of invalid items, a refused batch body.
 */
import { adminPost, useLocalStack } from '../support/local-stack';

const stack = useLocalStack('quota-headers');

async function workspace(quota: number) {
  const ws = await adminPost(stack, '/v1/admin/workspaces', { name: 'conformance', monthly_quota: quota });
  const sk = await adminPost(stack, `/v1/admin/workspaces/${ws.id}/keys`, { type: 'secret', name: 'server' });
  return { ws: ws.id as string, sk: sk.key as string };
}

function nextMonthStart(now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
}

function expectQuotaHeaders(res: Response, limit: number, remaining: number): void {
  expect(res.headers.get('x-quota-limit')).toBe(String(limit));
  expect(res.headers.get('x-quota-remaining')).toBe(String(remaining));
  expect(res.headers.get('x-quota-reset')).toBe(nextMonthStart());
}

describe('spec 3: quota headers on every authorised response', () => {
  let W: Awaited<ReturnType<typeof workspace>>;
  beforeAll(async () => {
    W = await workspace(50);
    // one counted request, so "remaining" is not simply the quota
    const r = await fetch(`${stack.apiUrl}/v1/avatar?linkedin_url=linkedin.com/in/conf-one`, {
      headers: { 'x-api-key': W.sk },
      redirect: 'manual',
    });
    expect(r.status).toBe(302);
  });

  test('GET /v1/usage (secret key) carries x-quota-limit/remaining/reset', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/usage`, { headers: { 'x-api-key': W.sk } });
    expect(res.status).toBe(200);
    expectQuotaHeaders(res, 50, 49);
  });

  test('GET /v1/usage for another month still reports the current month in x-quota-*', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/usage?month=2020-01`, { headers: { 'x-api-key': W.sk } });
    expect(res.status).toBe(200);
    expect((await res.json()).used).toBe(0);
    expectQuotaHeaders(res, 50, 49);
  });

  test('a batch whose items are all invalid (nothing counted) carries x-quota-*', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/avatars/batch`, {
      method: 'POST',
      headers: { 'x-api-key': W.sk, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ linkedin_url: 'not a profile' }] }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).results[0].status).toBe('error');
    expectQuotaHeaders(res, 50, 49);
  });

  test('a batch refused for its body (400) carries x-quota-*', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/avatars/batch`, {
      method: 'POST',
      headers: { 'x-api-key': W.sk, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [] }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.param).toBe('items');
    expectQuotaHeaders(res, 50, 49);
  });
});
