import { createHandler } from '../../lambdas/fallback/handler';
import { invoke } from '../support/events';
import { testRuntime } from '../support/runtime';

const handler = createHandler(testRuntime);

describe('$default route (requests matching no route)', () => {
  it('answers 404 not_found in the catalogue shape for an unknown path', async () => {
    const r = await invoke(handler, { method: 'GET', path: '/v1/nope' });
    expect(r.status).toBe(404);
    expect(r.json.error).toMatchObject({ code: 'not_found', type: 'request' });
    expect(r.json.error.request_id).toBe(r.headers['x-request-id']);
  });

  it('answers 405 with Allow when the path exists under other methods', async () => {
    const r = await invoke(handler, { method: 'PUT', path: '/v1/admin/workspaces/ws_1/keys/key_1' });
    expect(r.status).toBe(405);
    expect(r.json.error).toMatchObject({ code: 'method_not_allowed', type: 'request' });
    expect(r.headers.allow).toBe('PATCH, DELETE');
  });

  it('answers 405 for a wrong method on the avatar route', async () => {
    const r = await invoke(handler, { method: 'POST', path: '/v1/avatar' });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET');
  });
});
