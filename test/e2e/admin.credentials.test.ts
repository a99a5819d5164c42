/**
 * Over real HTTP through the local stack, a refused management call says what credential it
 * needs (shared/spec/http-api.md section 8): the bearer admin token (IAM in AWS), never an API key.
 */
import { adminPost, useLocalStack } from '../support/local-stack';

const stack = useLocalStack('admin-credentials');

describe('spec 8: a refused management call says what credential it needs', () => {
  const create = (headers: Record<string, string>) =>
    fetch(`${stack.apiUrl}/v1/admin/workspaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ name: 'refused', monthly_quota: 1 }),
    });

  test.each([
    ['no credential', {}],
    ['a wrong admin token', { authorization: 'Bearer not-the-token' }],
  ])('%s: 403 forbidden naming the bearer admin token (IAM in AWS)', async (_name, headers) => {
    const res = await create(headers);
    expect(res.status).toBe(403);
    const { error } = await res.json();
    expect(error.code).toBe('forbidden');
    expect(error.message).toMatch(/Authorization: Bearer/);
    expect(error.message).toMatch(/AVTRZ_ADMIN_TOKEN/);
  });

  test('an API key: 403 forbidden saying API keys may not call the management API', async () => {
    const ws = await adminPost(stack, '/v1/admin/workspaces', { name: 'refused', monthly_quota: 5 });
    const sk = await adminPost(stack, `/v1/admin/workspaces/${ws.id}/keys`, {
      type: 'secret',
      name: 'server',
    });
    const res = await create({ 'x-api-key': sk.key });
    expect(res.status).toBe(403);
    const { error } = await res.json();
    expect(error.code).toBe('forbidden');
    expect(error.message).toMatch(/API keys may not call the management API/);
  });
});
