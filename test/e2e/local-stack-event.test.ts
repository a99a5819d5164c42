/**
 * The local gateway's payload-v2 event builder: the event the handlers get locally must have the
 * shape API Gateway (HTTP API, payload format 2.0) gives them in AWS.
 */
import {
  adminAuthorized,
  apiGatewayTime,
  buildEventV2,
  collectHeaders,
  collectQuery,
  type RawRequest,
} from '../../lib/local/gateway';

function raw(over: Partial<RawRequest> = {}): RawRequest {
  return {
    method: 'GET',
    url: '/v1/avatar?linkedin_url=linkedin.com%2Fin%2Falex-rivera&size=128',
    rawHeaders: ['Host', '127.0.0.1:3000', 'User-Agent', 'curl/8', 'Accept', 'image/webp'],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    httpVersion: '1.1',
    ...over,
  };
}

const now = new Date('2026-03-12T19:03:58.123Z');

describe('buildEventV2', () => {
  test('top level and requestContext match payload format 2.0', () => {
    const e = buildEventV2(raw(), { routeKey: 'GET /v1/avatar' }, { requestId: 'req-1', now });
    expect(e.version).toBe('2.0');
    expect(e.routeKey).toBe('GET /v1/avatar');
    expect(e.rawPath).toBe('/v1/avatar');
    expect(e.rawQueryString).toBe('linkedin_url=linkedin.com%2Fin%2Falex-rivera&size=128');
    expect(e.isBase64Encoded).toBe(false);
    expect(e.body).toBeUndefined();
    expect(e.pathParameters).toBeUndefined();
    expect(e.cookies).toBeUndefined();
    expect(e.requestContext).toEqual({
      accountId: expect.any(String),
      apiId: expect.any(String),
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: {
        method: 'GET',
        path: '/v1/avatar',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'curl/8',
      },
      requestId: 'req-1',
      routeKey: 'GET /v1/avatar',
      stage: '$default',
      time: '12/Mar/2026:19:03:58 +0000',
      timeEpoch: now.getTime(),
    });
  });

  test('query parameters are decoded; repeated names are comma-joined', () => {
    const e = buildEventV2(
      raw({ url: '/v1/avatar?size=64&linkedin_url=linkedin.com%2Fin%2Fa&size=128&flag&key=pk%5F1' }),
      { routeKey: 'GET /v1/avatar' },
      { requestId: 'r', now },
    );
    expect(e.queryStringParameters).toEqual({
      size: '64,128',
      linkedin_url: 'linkedin.com/in/a',
      flag: '',
      key: 'pk_1',
    });
  });

  test('headers are lower-cased and repeated headers comma-joined; Cookie moves to cookies', () => {
    const e = buildEventV2(
      raw({
        rawHeaders: [
          'Host',
          'localhost:3000',
          'X-Api-Key',
          'sk_live_x',
          'X-Forwarded-For',
          '10.0.0.1',
          'x-forwarded-for',
          '10.0.0.2',
          'Cookie',
          'a=1; b=2',
        ],
      }),
      { routeKey: 'GET /v1/avatar' },
      { requestId: 'r', now },
    );
    expect(e.headers).toEqual({
      host: 'localhost:3000',
      'x-api-key': 'sk_live_x',
      // the client's own list, then the address API Gateway saw
      'x-forwarded-for': '10.0.0.1,10.0.0.2, 127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-amzn-trace-id': expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/),
    });
    expect(e.cookies).toEqual(['a=1', 'b=2']);
    expect(e.requestContext.domainName).toBe('localhost');
    expect(e.requestContext.http.userAgent).toBe('');
    const withPort = buildEventV2(
      raw({ localPort: 3000 }),
      { routeKey: 'GET /v1/avatar' },
      { requestId: 'r', now },
    );
    expect(withPort.headers['x-forwarded-port']).toBe('3000');
    expect(withPort.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  test('path parameters come from the route match', () => {
    const e = buildEventV2(
      raw({ method: 'patch', url: '/v1/admin/workspaces/ws_1/keys/key_2' }),
      { routeKey: 'PATCH /v1/admin/workspaces/{ws}/keys/{id}', pathParameters: { ws: 'ws_1', id: 'key_2' } },
      { requestId: 'r', now },
    );
    expect(e.pathParameters).toEqual({ ws: 'ws_1', id: 'key_2' });
    expect(e.requestContext.http.method).toBe('PATCH');
    expect(e.queryStringParameters).toBeUndefined();
    expect(e.rawQueryString).toBe('');
  });

  test('text bodies stay text, binary bodies are base64 with isBase64Encoded', () => {
    const json = buildEventV2(
      raw({
        method: 'POST',
        rawHeaders: ['Content-Type', 'application/json; charset=utf-8'],
        body: Buffer.from('{"name":"Ünïcode"}'),
      }),
      { routeKey: 'POST /v1/admin/workspaces' },
      { requestId: 'r', now },
    );
    expect(json.isBase64Encoded).toBe(false);
    expect(json.body).toBe('{"name":"Ünïcode"}');

    const bytes = Buffer.from([0, 255, 1, 254, 10]);
    const bin = buildEventV2(
      raw({ method: 'POST', rawHeaders: ['Content-Type', 'application/octet-stream'], body: bytes }),
      { routeKey: 'POST /v1/admin/workspaces' },
      { requestId: 'r', now },
    );
    expect(bin.isBase64Encoded).toBe(true);
    expect(Buffer.from(bin.body as string, 'base64').equals(bytes)).toBe(true);
  });

  test('helpers', () => {
    expect(collectHeaders(['A', '1', 'a', '2', 'B', '3'])).toEqual({ a: '1,2', b: '3' });
    expect(collectQuery('')).toBeUndefined();
    expect(collectQuery('a=%ZZ')).toEqual({ a: '%ZZ' }); // malformed escapes are kept, not thrown
    expect(apiGatewayTime(new Date('2026-01-05T03:04:05Z'))).toBe('05/Jan/2026:03:04:05 +0000');
  });
});

describe('adminAuthorized (the IAM authorizer stand-in)', () => {
  const token = 'admin-token-123';
  const ev = (headers: Record<string, string>, query?: Record<string, string>) =>
    ({ headers, queryStringParameters: query }) as unknown as Parameters<typeof adminAuthorized>[0];

  test('only the exact bearer token; the handler refuses (and flags) API keys, as behind IAM', () => {
    expect(adminAuthorized(ev({ authorization: `Bearer ${token}` }), token)).toBe(true);
    expect(adminAuthorized(ev({ authorization: `bearer ${token}` }), token)).toBe(true);
    expect(adminAuthorized(ev({}), token)).toBe(false);
    expect(adminAuthorized(ev({ authorization: `Bearer ${token}x` }), token)).toBe(false);
    expect(adminAuthorized(ev({ authorization: token }), token)).toBe(false);
    expect(adminAuthorized(ev({ authorization: 'Bearer ' }), token)).toBe(false);
    expect(adminAuthorized(ev({ authorization: `Bearer ${token}`, 'x-api-key': 'sk_live_x' }), token)).toBe(
      true,
    );
    expect(adminAuthorized(ev({ authorization: `Bearer ${token}` }, { key: 'sk_live_x' }), token)).toBe(true);
    expect(adminAuthorized(ev({ 'x-api-key': 'sk_live_x' }), token)).toBe(false);
    expect(adminAuthorized(ev({ authorization: 'Bearer ' }), '')).toBe(false);
  });
});
