/**
 * get_avatar's inline image is a convenience over its URL: when the bucket cannot be read back
 * (a fault s3rver cannot produce, so the S3 client fails GetObject only), the call still answers
 * the counted request's URL, without the image, and logs why. The MCP handler runs in-process
 * over DynamoDB Local and s3rver (a payload-v2 event in, the result out).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createHandler } from '../../lambdas/mcp/handler';
import { usageItem, workspaceWithKeys } from '../support/avatar-fixtures';
import { invoke } from '../support/events';
import { coldStart, s3Client, testRuntime } from '../support/runtime';

const handler = createHandler(testRuntime);
const month = () => new Date().toISOString().slice(0, 7);
const logLines: string[] = [];

/** `real`, except that every GetObject fails as a dropped connection would. */
function failingReads(real: S3Client): S3Client {
  // the original send, taken once: the new runtime wraps `send` on the client it is given
  const send = real.send.bind(real) as (...a: unknown[]) => Promise<unknown>;
  const failing = (command: { constructor: { name: string } }, ...rest: unknown[]) =>
    command.constructor.name === 'GetObjectCommand'
      ? Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
      : send(command, ...rest);
  let current: unknown = failing;
  return new Proxy(real, {
    get: (target, prop, receiver) => (prop === 'send' ? current : Reflect.get(target, prop, receiver)),
    set: (target, prop, value, receiver) => {
      if (prop === 'send') current = value;
      else Reflect.set(target, prop, value, receiver);
      return true;
    },
  });
}

function call(key: string, args: Record<string, unknown>) {
  return invoke(handler, {
    method: 'POST',
    path: '/mcp',
    headers: {
      'x-api-key': key,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'get_avatar', arguments: args },
    }),
  });
}

afterAll(() => coldStart());

test('the bucket unreadable: the URL, no image, counted once, and a log line saying why', async () => {
  const real = await s3Client();
  coldStart({ s3: failingReads(real), logSink: (line) => logLines.push(line) });
  const W = await workspaceWithKeys(10);
  const res = await call(W.sk, { linkedin_url: 'linkedin.com/in/inline-fault', size: 64 });
  expect(res.status).toBe(200);
  const result = res.json.result;
  expect(result.isError).toBeFalsy();
  expect(result.content.map((c: { type: string }) => c.type)).toEqual(['text']);
  expect(JSON.parse(result.content[0].text)).toMatchObject({ size: 64, url: expect.stringContaining('/a/') });
  expect(result.structuredContent).toMatchObject({ inline_image: false });
  expect((await usageItem(W.ws, month()))?.used).toBe(1);
  expect(logLines.some((l) => l.includes('served object not readable inline'))).toBe(true);
});

test('the same call with the bucket readable: the image comes inline', async () => {
  coldStart();
  const W = await workspaceWithKeys(10);
  const res = await call(W.sk, { linkedin_url: 'linkedin.com/in/inline-fault', size: 64 });
  const types = res.json.result.content.map((c: { type: string }) => c.type);
  expect(types).toEqual(['text', 'image']);
});
