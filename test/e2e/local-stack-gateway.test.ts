/**
 * The local gateway over real HTTP, with stand-in handlers for the faults real handlers cannot
 * be made to produce on demand (a crash, a hang) and to capture the event a handler receives.
 * The route table, the error catalogue and the Lambda SDK client are the real ones.
 */
import type http from 'node:http';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { closeServer, createGateway, listen } from '../../lib/local/gateway';
import type { LambdaFn } from '../../lib/local/lambda-functions';
import { LOCAL_CREDENTIALS } from '../../lib/local/services';

const TOKEN = 'gateway-test-token';
const seen: APIGatewayProxyEventV2[] = [];
const resolverCalls: unknown[] = [];
const errors: string[] = [];

const handlers: Record<string, LambdaFn> = {
  // echoes the event back so the test can see what the handler got
  avatar: async (event) => {
    seen.push(event as APIGatewayProxyEventV2);
    return {
      statusCode: 302,
      headers: { location: 'https://cdn.example/a/x', 'x-request-id': 'from-handler' },
      cookies: ['c1=v1; Path=/', 'c2=v2'],
    };
  },
  'workspace-create': async (event) => {
    const e = event as APIGatewayProxyEventV2;
    seen.push(e);
    return {
      statusCode: 201,
      headers: { 'content-type': 'application/octet-stream' },
      body: e.body,
      isBase64Encoded: e.isBase64Encoded,
    };
  },
  'workspace-get': async () => {
    throw new Error('secret internal detail: table avtrz-prod');
  },
  'key-list': () => new Promise(() => undefined), // never answers
  usage: async () => ({ hello: 'world' }), // payload v2 without statusCode
  fallback: async (event) => {
    seen.push(event as APIGatewayProxyEventV2);
    return { statusCode: 404, headers: { 'content-type': 'application/json' }, body: '{"from":"fallback"}' };
  },
  resolver: async (payload) => {
    resolverCalls.push(payload);
    const p = payload as { fail?: boolean };
    if (p.fail) throw new TypeError('resolver broke');
    return { ok: true, echo: payload };
  },
};

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = createGateway({
    adminToken: TOKEN,
    isReady: () => true,
    loadHandler: async (name) => handlers[name],
    timeoutMs: 300,
    payloadLimitBytes: 1024,
    resolverFunctionName: 'avtrz-resolver',
    onError: (_e, where) => errors.push(where),
  });
  const port = await listen(server, 0, 'test gateway');
  base = `http://127.0.0.1:${port}`;
});

afterAll(() => closeServer(server));

test('a real request reaches the handler as a payload-v2 event; the result is written back', async () => {
  const res = await fetch(`${base}/v1/avatar?linkedin_url=linkedin.com/in/a&size=64&size=128`, {
    redirect: 'manual',
    headers: { 'X-Api-Key': 'sk_live_abc', Cookie: 'sid=1; theme=dark', Referer: 'http://localhost:5173/' },
  });
  expect(res.status).toBe(302);
  expect(res.headers.get('location')).toBe('https://cdn.example/a/x');
  expect(res.headers.getSetCookie()).toEqual(['c1=v1; Path=/', 'c2=v2']);
  const e = seen.at(-1) as APIGatewayProxyEventV2;
  expect(e.version).toBe('2.0');
  expect(e.routeKey).toBe('GET /v1/avatar');
  expect(e.requestContext.routeKey).toBe('GET /v1/avatar');
  expect(e.rawPath).toBe('/v1/avatar');
  expect(e.queryStringParameters).toEqual({ linkedin_url: 'linkedin.com/in/a', size: '64,128' });
  expect(e.headers['x-api-key']).toBe('sk_live_abc');
  expect(e.headers.referer).toBe('http://localhost:5173/');
  expect(e.headers.cookie).toBeUndefined();
  expect(e.cookies).toEqual(['sid=1', 'theme=dark']);
  expect(e.requestContext.http.sourceIp).toBe('127.0.0.1');
  expect(e.requestContext.stage).toBe('$default');
  expect('authorizer' in e.requestContext).toBe(false);
  expect(res.headers.get('apigw-requestid')).toBe(e.requestContext.requestId);
});

test('every request gets its own request id', async () => {
  await fetch(`${base}/v1/avatar`, { redirect: 'manual' });
  await fetch(`${base}/v1/avatar`, { redirect: 'manual' });
  const ids = seen.slice(-2).map((e) => e.requestContext.requestId);
  expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
  expect(ids[0]).not.toBe(ids[1]);
});

test('binary bodies arrive base64-encoded and base64 results are decoded', async () => {
  const bytes = Buffer.from([0, 1, 2, 250, 251, 252]);
  const res = await fetch(`${base}/v1/admin/workspaces`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  expect(res.status).toBe(201);
  expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  const e = seen.at(-1) as APIGatewayProxyEventV2;
  expect(e.isBase64Encoded).toBe(true);
  expect(e.routeKey).toBe('POST /v1/admin/workspaces');
  // admin routes carry what the IAM authorizer adds in AWS
  expect(
    (e.requestContext as unknown as { authorizer: { iam: { userArn: string } } }).authorizer.iam.userArn,
  ).toMatch(/^arn:aws:iam::\d{12}:user\//);
});

test('a handler that throws gives 500 internal_error without internals', async () => {
  const res = await fetch(`${base}/v1/admin/workspaces/ws_1`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.status).toBe(500);
  const text = await res.text();
  expect(text).not.toContain('secret internal detail');
  expect(text).not.toContain('avtrz-prod');
  const body = JSON.parse(text);
  expect(body.error).toMatchObject({ code: 'internal_error', type: 'api' });
  expect(body.error.request_id).toBe(res.headers.get('x-request-id'));
  expect(errors.some((w) => w.includes('/v1/admin/workspaces/ws_1'))).toBe(true);
});

test('a handler slower than the gateway timeout gives 503 unavailable', async () => {
  const res = await fetch(`${base}/v1/admin/workspaces/ws_1/keys`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.status).toBe(503);
  expect((await res.json()).error).toMatchObject({ code: 'unavailable', type: 'api' });
});

test("a handler past its own function timeout (shorter than the gateway's) gives 500 internal_error", async () => {
  const gw = createGateway({
    adminToken: TOKEN,
    isReady: () => true,
    loadHandler: async (name) => handlers[name],
    timeoutMs: 2000,
    functionTimeoutMs: () => 100,
    onError: (_e, where) => errors.push(where),
  });
  const port = await listen(gw, 0, 'function-timeout gateway');
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v1/admin/workspaces/ws_1/keys`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(500);
    expect((await res.json()).error).toMatchObject({ code: 'internal_error', type: 'api' });
    expect(errors).toContain('GET /v1/admin/workspaces/{ws}/keys');
  } finally {
    await closeServer(gw);
  }
});

test('a body over the payload limit is refused before the handler runs', async () => {
  const before = seen.length;
  const res = await fetch(`${base}/v1/admin/workspaces`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'x'.repeat(2000) }),
  });
  expect(res.status).toBe(400);
  expect((await res.json()).error).toMatchObject({ code: 'invalid_request', param: 'body' });
  expect(seen.length).toBe(before);
});

test('a result without statusCode is answered 200 JSON, as API Gateway does for payload v2', async () => {
  const res = await fetch(`${base}/v1/usage`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/json');
  expect(await res.json()).toEqual({ hello: 'world' });
});

test('a request matching no route, or a known path under another method, goes to the fallback as $default', async () => {
  for (const [method, url] of [
    ['GET', '/v1/nothing?x=1'],
    ['DELETE', '/v1/avatar'],
  ]) {
    const res = await fetch(`${base}${url}`, { method, headers: { 'X-Api-Key': 'sk_live_abc' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ from: 'fallback' });
    const e = seen.at(-1) as APIGatewayProxyEventV2;
    expect(e.routeKey).toBe('$default');
    expect(e.requestContext.routeKey).toBe('$default');
    expect(e.requestContext.http.method).toBe(method);
    expect(e.rawPath).toBe(url.split('?')[0]);
    expect(e.pathParameters).toBeUndefined();
    // no authorizer on $default, whatever the path looks like
    expect('authorizer' in e.requestContext).toBe(false);
  }
});

describe('Lambda Invoke API for the resolver (AWS_ENDPOINT_URL_LAMBDA -> gateway)', () => {
  let lambda: LambdaClient;
  beforeAll(() => {
    lambda = new LambdaClient({ endpoint: base, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  });
  afterAll(() => lambda.destroy());

  test('RequestResponse runs the resolver handler and returns its JSON', async () => {
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: 'avtrz-resolver',
        Payload: Buffer.from(JSON.stringify({ profile: 'linkedin.com/in/a' })),
      }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(out.Payload as Uint8Array).toString())).toEqual({
      ok: true,
      echo: { profile: 'linkedin.com/in/a' },
    });
  });

  test('a function ARN works like the name', async () => {
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:avtrz-resolver',
        Payload: Buffer.from('{}'),
      }),
    );
    expect(out.StatusCode).toBe(200);
  });

  test('a failing resolver reports FunctionError like Lambda does', async () => {
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: 'avtrz-resolver',
        Payload: Buffer.from(JSON.stringify({ fail: true })),
      }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(out.Payload as Uint8Array).toString())).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'resolver broke',
    });
  });

  test('InvocationType Event answers 202 and runs in the background', async () => {
    const before = resolverCalls.length;
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: 'avtrz-resolver',
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify({ n: 7 })),
      }),
    );
    expect(out.StatusCode).toBe(202);
    for (let i = 0; i < 50 && resolverCalls.length === before; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(resolverCalls.at(-1)).toEqual({ n: 7 });
  });

  test('another function name is ResourceNotFoundException', async () => {
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'someone-else', Payload: Buffer.from('{}') })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  test('an unsigned request (e.g. a browser) is refused', async () => {
    const before = resolverCalls.length;
    const res = await fetch(`${base}/2015-03-31/functions/avtrz-resolver/invocations`, {
      method: 'POST',
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(resolverCalls.length).toBe(before);
  });
});

test('without a resolver handler the Invoke API answers ResourceNotFoundException', async () => {
  const bare = createGateway({ adminToken: TOKEN, isReady: () => true, loadHandler: async () => undefined });
  const port = await listen(bare, 0, 'bare gateway');
  const lambda = new LambdaClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'avtrz-resolver', Payload: Buffer.from('{}') })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  } finally {
    lambda.destroy();
    await closeServer(bare);
  }
});

test('before the stack is ready, /healthz and the API answer 503', async () => {
  let ready = false;
  const gw = createGateway({
    adminToken: TOKEN,
    isReady: () => ready,
    loadHandler: async (n) => handlers[n],
  });
  const port = await listen(gw, 0, 'starting gateway');
  try {
    const h1 = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(h1.status).toBe(503);
    expect((await h1.json()).error.code).toBe('unavailable');
    expect((await fetch(`http://127.0.0.1:${port}/v1/usage`)).status).toBe(503);
    ready = true;
    const h2 = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(h2.status).toBe(200);
    expect(await h2.json()).toEqual({ ok: true });
  } finally {
    await closeServer(gw);
  }
});
