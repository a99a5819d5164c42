/**
 * The avatar and batch functions answer before their Lambda timeout whatever their
 * dependencies do (lambdas/app/budget.ts): each invocation gets a Lambda context that counts
 * down the route's real timeout (lambdas/routes.ts, as the local gateway builds it), and a test
 * asserts the answer AND that the context still had time left when it came. Without the budget
 * these requests answered after the timeout (a 500 from API Gateway) or never.
 *
 * The slow parts are real sockets, not mocks of the SDK:
 *  - a resolver that never answers: a Lambda Invoke endpoint that accepts the request and stays
 *    silent (AWS_ENDPOINT_URL_LAMBDA + AVTRZ_RESOLVER_FUNCTION, the deployed path);
 *  - S3 and Secrets Manager that accept and stay silent the same way;
 *  - DynamoDB that is slow: DynamoDB Local behind a proxy that holds each response 1.2 s.
 */
import net from 'node:net';
import type { Context } from 'aws-lambda';
import { createHandler as createAvatarHandler } from '../../lambdas/avatar/handler';
import { createHandler as createBatchHandler } from '../../lambdas/batch/handler';
import { RESOLVER_WAIT_MS } from '../../lambdas/core/resolver-contract';
import { ROUTES } from '../../lambdas/routes';
import { createRuntime } from '../../lambdas/runtime';
import { lambdaContext } from '../../lib/local/apigw-event';
import { makeEvent } from '../support/events';
import { avatarEvent, seedWorkspace } from './support';

const timeoutMs = (id: string) => (ROUTES.find((r) => r.id === id)?.timeoutSeconds ?? 10) * 1000;
const AVATAR_TIMEOUT_MS = timeoutMs('Avatar');
const BATCH_TIMEOUT_MS = timeoutMs('AvatarsBatch');

/** A TCP server that runs `onConnection` for each socket; closing it destroys every socket. */
async function tcpServer(onConnection: (s: net.Socket) => void) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onConnection(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Accepts requests and never answers; counts the requests it saw (by their request line). */
async function silentEndpoint() {
  const seen: string[] = [];
  const srv = await tcpServer((s) =>
    s.on('data', (d) => {
      const line = d.toString('latin1').split('\r\n')[0];
      if (/^[A-Z]+ \//.test(line)) seen.push(line);
    }),
  );
  return { ...srv, seen };
}

/** A proxy to `target` that holds every chunk of every response for `delayMs`. */
async function slowProxy(target: string, delayMs: number) {
  const { hostname, port } = new URL(target);
  return tcpServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.on('data', (d) => setTimeout(() => client.writable && client.write(d), delayMs));
    upstream.on('end', () => setTimeout(() => client.end(), delayMs));
  });
}

/**
 * The environment of one test's functions: the test environment with `vars` on top (later
 * calls add to earlier ones); each call is a cold start of both handlers over it.
 */
let vars: Record<string, string> = {};
function withEnv(more: Record<string, string>): () => void {
  const before = vars;
  vars = { ...vars, ...more };
  return () => {
    vars = before;
  };
}
const coldHandlers = () => {
  const rt = createRuntime({ env: { ...process.env, ...vars } });
  return { avatarHandler: createAvatarHandler(rt), batchHandler: createBatchHandler(rt) };
};

type Result = { statusCode: number; headers: Record<string, string>; body: string };
/**
 * Invoke like Lambda does: with a context counting down `timeoutMs`. What has not answered when
 * the context reaches 0 is what Lambda would have ended (and API Gateway answered 500).
 */
async function invokeWithTimeout(
  fn: (event: never, context: Context) => Promise<unknown>,
  event: unknown,
  timeoutMs: number,
): Promise<{
  res: Result | { thrown: string } | 'no answer before the Lambda timeout';
  remainingMs: number;
}> {
  const context = lambdaContext('avtrz-test', `deadline-${Date.now()}`, timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'no answer before the Lambda timeout'>((r) => {
    timer = setTimeout(() => r('no answer before the Lambda timeout'), timeoutMs);
  });
  // a rejection is what Lambda reports as a function error (API Gateway: 500)
  const answered = (fn(event as never, context) as Promise<Result>).catch((e: Error) => ({
    thrown: `${e?.name}: ${e?.message}`,
  }));
  const res = await Promise.race([answered, timedOut]);
  clearTimeout(timer);
  return { res, remainingMs: context.getRemainingTimeInMillis() };
}

const profile = (slug: string) => `https://www.linkedin.com/in/${slug}-${Date.now().toString(36)}`;

let resolver: Awaited<ReturnType<typeof silentEndpoint>>;
let restoreResolver: () => void;
beforeAll(async () => {
  resolver = await silentEndpoint();
  restoreResolver = withEnv({
    AWS_ENDPOINT_URL_LAMBDA: resolver.endpoint,
    AVTRZ_RESOLVER_FUNCTION: 'avtrz-resolver',
  });
});
afterAll(async () => {
  restoreResolver();
  await resolver.close();
});

describe('the resolver never answers and S3 stalls', () => {
  let s3: Awaited<ReturnType<typeof silentEndpoint>>;
  let restore: () => void;
  beforeAll(async () => {
    s3 = await silentEndpoint();
    restore = withEnv({ AWS_ENDPOINT_URL_S3: s3.endpoint });
  });
  afterAll(async () => {
    restore();
    await s3.close();
  });

  test('a miss answers 503 unavailable (an SVG for image loads) before the avatar timeout', async () => {
    const { secret, pub } = await seedWorkspace(100);
    const { avatarHandler } = coldHandlers();
    const invokesBefore = resolver.seen.length;
    const [asJson, asImage] = await Promise.all([
      invokeWithTimeout(
        avatarHandler,
        avatarEvent(
          { linkedin_url: profile('dl-json'), size: '128' },
          { 'x-api-key': secret.key, accept: 'application/json' },
        ),
        AVATAR_TIMEOUT_MS,
      ),
      invokeWithTimeout(
        avatarHandler,
        avatarEvent(
          { key: pub.key, linkedin_url: profile('dl-img'), size: '128' },
          { referer: 'http://127.0.0.1:5173/', 'sec-fetch-dest': 'image', accept: 'image/avif,image/*,*/*' },
        ),
        AVATAR_TIMEOUT_MS,
      ),
    ]);
    for (const r of [asJson, asImage]) {
      expect(r.res).toMatchObject({ statusCode: 503 });
      expect(r.remainingMs).toBeGreaterThan(0);
    }
    const json = asJson.res as Result;
    expect(JSON.parse(json.body).error.code).toBe('unavailable');
    const svg = asImage.res as Result;
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(svg.headers['x-avtrz-error']).toBe('unavailable');
    expect(svg.body).toMatch(/^<svg[\s>]/);
    // both faults were on the path: the resolver was asked, then the initials write was tried
    expect(resolver.seen.slice(invokesBefore)).toEqual([
      'POST /2015-03-31/functions/avtrz-resolver/invocations HTTP/1.1',
      'POST /2015-03-31/functions/avtrz-resolver/invocations HTTP/1.1',
    ]);
    expect(s3.seen.filter((l) => l.startsWith('PUT /')).length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  test('a batch answers 200 with the item unavailable before the batch timeout', async () => {
    const { secret } = await seedWorkspace(100);
    const { batchHandler } = coldHandlers();
    const url = profile('dl-batch');
    const { res, remainingMs } = await invokeWithTimeout(
      batchHandler,
      makeEvent({
        method: 'POST',
        path: '/v1/avatars/batch',
        headers: { 'x-api-key': secret.key, 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ linkedin_url: url, size: 128 }] }),
      }),
      BATCH_TIMEOUT_MS,
    );
    expect(res).toMatchObject({ statusCode: 200 });
    expect(remainingMs).toBeGreaterThan(0);
    const { results } = JSON.parse((res as Result).body);
    expect(results).toEqual([
      { linkedin_url: url, status: 'error', error: expect.objectContaining({ code: 'unavailable' }) },
    ]);
  }, 90_000);
});

test('DynamoDB slow on every call and the resolver silent: the initials, before the avatar timeout', async () => {
  const { secret } = await seedWorkspace(100);
  const proxy = await slowProxy(process.env.AWS_ENDPOINT_URL_DYNAMODB as string, 1200);
  // key, workspace, avatar record, usage write: ≥ 4 × 1.2 s before the resolver is asked, so
  // RESOLVER_WAIT_MS in full would end past the timeout
  expect(4 * 1200 + RESOLVER_WAIT_MS).toBeGreaterThan(AVATAR_TIMEOUT_MS);
  const restore = withEnv({ AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint });
  const { avatarHandler } = coldHandlers();
  try {
    const { res, remainingMs } = await invokeWithTimeout(
      avatarHandler,
      avatarEvent(
        { linkedin_url: profile('dl-slow-ddb'), size: '128' },
        { 'x-api-key': secret.key, accept: 'application/json' },
      ),
      AVATAR_TIMEOUT_MS,
    );
    expect(res).toMatchObject({ statusCode: 302 });
    expect((res as Result).headers.location).toMatch(
      /^https:\/\/cdn\.avtrz\.test\/a\/[0-9a-f]+\/i[0-9a-f]+\/\d+\.svg$/,
    );
    expect(remainingMs).toBeGreaterThan(0);
  } finally {
    restore();
    await proxy.close();
  }
}, 60_000);

test('Secrets Manager silent on a cold start: avatar and batch answer 503 before their timeouts', async () => {
  const { secret } = await seedWorkspace(100);
  const secrets = await silentEndpoint();
  const restore = withEnv({
    AVTRZ_HMAC_SECRET: '',
    AVTRZ_HMAC_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:avtrz-hmac-AbCdEf',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
  });
  const { avatarHandler, batchHandler } = coldHandlers();
  try {
    const [avatar, batch] = await Promise.all([
      invokeWithTimeout(
        avatarHandler,
        avatarEvent(
          { linkedin_url: profile('dl-secret'), size: '128' },
          { 'x-api-key': secret.key, accept: 'application/json' },
        ),
        AVATAR_TIMEOUT_MS,
      ),
      invokeWithTimeout(
        batchHandler,
        makeEvent({
          method: 'POST',
          path: '/v1/avatars/batch',
          headers: { 'x-api-key': secret.key, 'content-type': 'application/json' },
          body: JSON.stringify({ items: [{ linkedin_url: profile('dl-secret-b') }] }),
        }),
        BATCH_TIMEOUT_MS,
      ),
    ]);
    for (const r of [avatar, batch]) {
      expect(r.res).toMatchObject({ statusCode: 503 });
      expect(JSON.parse((r.res as Result).body).error.code).toBe('unavailable');
      expect(r.remainingMs).toBeGreaterThan(0);
    }
    expect(secrets.seen.length).toBeGreaterThan(0);
  } finally {
    restore();
    await secrets.close();
  }
}, 60_000);
