/**
 * The local gateway's Lambda Invoke API checks a real SigV4 signature (lib/local/sigv4.ts, the
 * verifier the deployed tier's IAM stand-in uses), against the local credentials the handlers'
 * Lambda client signs with: a header that merely looks like SigV4 (`Signature=00`), a signature
 * made with another secret, or a body changed after signing never reaches the resolver.
 */
import type http from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SignatureV4 } from '@smithy/signature-v4';
import { closeServer, createGateway, listen } from '../../../lib/local/gateway';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../lib/local/services';

const calls: unknown[] = [];
let server: http.Server;
let port: number;
const PATH = '/2015-03-31/functions/avtrz-resolver/invocations';

beforeAll(async () => {
  server = createGateway({
    adminToken: 'unused',
    isReady: () => true,
    loadHandler: async (name) =>
      name === 'resolver'
        ? async (payload) => {
            calls.push(payload);
            return { ok: true };
          }
        : undefined,
  });
  port = await listen(server, 0, 'gateway');
});
afterAll(() => closeServer(server));
beforeEach(() => {
  calls.length = 0;
});

const amzDate = (d = new Date()) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

async function signed(body: string, secretAccessKey = LOCAL_CREDENTIALS.secretAccessKey) {
  const signer = new SignatureV4({
    service: 'lambda',
    region: LOCAL_REGION,
    credentials: { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey },
    sha256: Sha256,
  });
  const req = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path: PATH,
    headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json' },
    body,
  });
  return req.headers as Record<string, string>;
}

function post(headers: Record<string, string>, body: string) {
  const { host: _host, ...rest } = headers;
  return fetch(`http://127.0.0.1:${port}${PATH}`, { method: 'POST', headers: rest, body });
}

const forgery = JSON.stringify({ op: 'refresh', id: '0'.repeat(32), profile: 'linkedin.com/in/other' });

test('the reproduction: a SigV4-looking header with Signature=00 is refused, the resolver never runs', async () => {
  const res = await post(
    {
      authorization: `AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/${amzDate().slice(0, 8)}/${LOCAL_REGION}/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`,
      'x-amz-date': amzDate(),
      'content-type': 'application/json',
    },
    forgery,
  );
  expect(res.status).toBe(403);
  expect(calls).toEqual([]);
});

test('a signature made with another secret is refused', async () => {
  const res = await post(await signed(forgery, 'not-the-local-secret'), forgery);
  expect(res.status).toBe(403);
  expect(calls).toEqual([]);
});

test('a body changed after signing is refused', async () => {
  const res = await post(await signed('{"op":"refresh"}'), forgery);
  expect(res.status).toBe(403);
  expect(calls).toEqual([]);
});

test('a correct signature over the same request is accepted (control)', async () => {
  const res = await post(await signed(forgery), forgery);
  expect(res.status).toBe(200);
  expect(calls).toEqual([JSON.parse(forgery)]);
});

test('the SDK client with the local credentials, as the handlers use it, is accepted (control)', async () => {
  const lambda = new LambdaClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: 'avtrz-resolver', Payload: Buffer.from('{"a":1}') }),
    );
    expect(out.StatusCode).toBe(200);
    expect(calls).toEqual([{ a: 1 }]);
  } finally {
    lambda.destroy();
  }
});
