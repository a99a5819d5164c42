/**
 * The Lambda side of the MCP transport (lambdas/mcp/handler.ts): the payload-v2 event as the web
 * Request the SDK's transport reads, and its Response as the payload-v2 result. Pure.
 */
import { toRequest, toResult } from '../../../lambdas/mcp/handler';
import { makeEvent } from '../../support/events';

const RPC = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

describe('event → Request', () => {
  it('keeps the method, the headers, the query and the JSON body', async () => {
    const event = makeEvent({
      method: 'POST',
      path: '/mcp',
      query: { trace: 'a b' },
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'x-api-key': 'k',
      },
      body: RPC,
    });
    const req = toRequest(event);
    expect(req.method).toBe('POST');
    const url = new URL(req.url);
    expect(url.pathname).toBe('/mcp');
    expect(url.searchParams.get('trace')).toBe('a b');
    expect(req.headers.get('x-api-key')).toBe('k');
    expect(req.headers.get('accept')).toBe('application/json, text/event-stream');
    expect(await req.text()).toBe(RPC);
  });

  it('decodes a base64 body (API Gateway encodes bodies it does not take for text)', async () => {
    const event = makeEvent({
      method: 'POST',
      path: '/mcp',
      headers: { 'content-type': 'application/octet-stream' },
      body: RPC,
    });
    expect(event.isBase64Encoded).toBe(true);
    expect(await toRequest(event).text()).toBe(RPC);
  });
});

describe('Response → result', () => {
  it('status, headers and body as they are, never cached', async () => {
    const res = new Response('{"jsonrpc":"2.0","id":1,"result":{}}', {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(await toResult(res)).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: '{"jsonrpc":"2.0","id":1,"result":{}}',
    });
  });

  it('a 202 for notifications has an empty body', async () => {
    expect(await toResult(new Response(null, { status: 202 }))).toMatchObject({ statusCode: 202, body: '' });
  });
});
