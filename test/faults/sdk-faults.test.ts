/**
 * Faults the real parts cannot produce, injected at the SDK client (a middleware on the ONE
 * DynamoDB client of the runtime) while everything else is real (DynamoDB Local):
 * throttling and timeouts on the quota write. The SDK must retry with backoff, the answer must
 * be right, and the quota must never be counted twice.
 */

import { createHandler } from '../../lambdas/avatar/handler';
import { coldStart, dynamo, testRuntime } from '../support/runtime';

const handler = createHandler(testRuntime);

import { avatarEvent, FAULT_NOW, lambdaContext, readUsage, seedWorkspace } from './support';

type Fault = 'throttle' | 'timeout-before' | 'lost-response';
interface Plan {
  /** faults for successive attempts of the next usage UpdateItem; undefined = pass through */
  faults: (Fault | undefined)[];
  attempts: number[];
  /** the SDK's own record of the final call: attempts and total backoff */
  meta?: { attempts?: number; totalRetryDelay?: number };
}
let plan: Plan | undefined;

function injected(kind: Fault): Error {
  const name = kind === 'throttle' ? 'ThrottlingException' : 'TimeoutError';
  return Object.assign(new Error(`injected ${kind}`), {
    name,
    $metadata: {},
    $retryable: kind === 'throttle' ? { throttling: true } : {},
  });
}

/** The usage bucket write (hot path, or closing a bucket), before (plain) or after (marshalled) the document client's marshalling. */
function isUsageWrite(context: { commandName?: string }, input: unknown): boolean {
  const sk = (input as { Key?: { sk?: string | { S?: string } } })?.Key?.sk;
  const v = typeof sk === 'string' ? sk : sk?.S;
  return /^UpdateItemCommand$|^UpdateCommand$/.test(context.commandName ?? '') && !!v?.startsWith('USAGE#');
}

afterAll(() => coldStart());
beforeAll(() => {
  coldStart({ clock: () => FAULT_NOW });
  const stack = dynamo().middlewareStack;
  // per attempt (inside the retry loop): decide the fault, maybe let the write through first
  stack.add(
    (next, context) => async (args) => {
      if (!plan || !isUsageWrite(context, args.input)) return next(args);
      const attempt = plan.attempts.length;
      plan.attempts.push(performance.now());
      const fault = plan.faults[attempt];
      if (fault === 'throttle' || fault === 'timeout-before') throw injected(fault);
      const out = await next(args);
      if (fault === 'lost-response') throw injected('timeout-before'); // applied, answer lost
      return out;
    },
    { step: 'deserialize', name: 'avtrzFaultInjection', priority: 'high' },
  );
  // outermost: what the SDK reports about the whole call (attempts, total retry delay)
  stack.add(
    (next, context) => async (args) => {
      if (!plan || !isUsageWrite(context, args.input)) return next(args);
      try {
        const out = await next(args);
        plan.meta = out.output.$metadata;
        return out;
      } catch (e) {
        plan.meta = (e as { $metadata?: Plan['meta'] }).$metadata;
        throw e;
      }
    },
    { step: 'initialize', name: 'avtrzFaultObserver', priority: 'high' },
  );
});
afterEach(() => {
  plan = undefined;
});

const profile = (slug: string) => `https://www.linkedin.com/in/${slug}-${Date.now().toString(36)}`;
const secretGet = (key: string, slug: string) =>
  avatarEvent({ linkedin_url: profile(slug), size: '64' }, { 'x-api-key': key, accept: 'application/json' });

test('throttled twice, then accepted: retried with backoff, answered 302, counted once', async () => {
  const { ws, secret } = await seedWorkspace(10);
  plan = { faults: ['throttle', 'throttle'], attempts: [] };
  const res = await handler(secretGet(secret.key, 'thr'), lambdaContext);
  expect(res.statusCode).toBe(302);
  expect(plan.attempts).toHaveLength(3);
  expect(plan.meta?.attempts).toBe(3);
  // the SDK waited between attempts (its own accounting of the backoff it applied)
  expect(plan.meta?.totalRetryDelay).toBeGreaterThan(0);
  expect(await readUsage(ws.id)).toEqual({ used: 1, hourlySum: 1 });
});

test('throttled on every attempt: 503 unavailable, bounded attempts, nothing counted', async () => {
  const { ws, secret } = await seedWorkspace(10);
  plan = { faults: ['throttle', 'throttle', 'throttle', 'throttle', 'throttle'], attempts: [] };
  const res = await handler(secretGet(secret.key, 'thr-all'), lambdaContext);
  expect(res.statusCode).toBe(503);
  expect(JSON.parse(String(res.body)).error.code).toBe('unavailable');
  expect(plan.attempts.length).toBe(3); // maxAttempts of the one client module
  expect(await readUsage(ws.id)).toEqual({ used: 0, hourlySum: 0 });
});

test('image load throttled out: the 503 is an SVG with x-avtrz-error unavailable', async () => {
  const { pub } = await seedWorkspace(10);
  plan = { faults: ['throttle', 'throttle', 'throttle'], attempts: [] };
  const ev = avatarEvent(
    { key: pub.key, linkedin_url: profile('thr-img'), size: '128' },
    { referer: 'http://127.0.0.1:5173/', 'sec-fetch-dest': 'image', accept: 'image/avif,image/webp,*/*' },
  );
  const res = await handler(ev, lambdaContext);
  expect(res.statusCode).toBe(503);
  expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
  expect(res.headers['x-avtrz-error']).toBe('unavailable');
  expect(String(res.body)).toMatch(/^<svg[\s>]/);
});

test('timeout after the write was applied (lost response): the retry is recognised, counted once', async () => {
  const { ws, secret } = await seedWorkspace(10);
  plan = { faults: ['lost-response'], attempts: [] };
  const res = await handler(secretGet(secret.key, 'lost'), lambdaContext);
  expect(res.statusCode).toBe(302);
  expect(plan.attempts).toHaveLength(2);
  expect(await readUsage(ws.id)).toEqual({ used: 1, hourlySum: 1 });
});

test('lost response on the last unit of quota: still admitted, not a false plan_limit, not over quota', async () => {
  const { ws, secret } = await seedWorkspace(2);
  expect((await handler(secretGet(secret.key, 'edge-a'), lambdaContext)).statusCode).toBe(302);
  plan = { faults: ['lost-response'], attempts: [] };
  const res = await handler(secretGet(secret.key, 'edge-b'), lambdaContext);
  expect(res.statusCode).toBe(302);
  expect(res.headers['x-quota-remaining']).toBe('0');
  plan = undefined;
  const over = await handler(secretGet(secret.key, 'edge-c'), lambdaContext);
  expect(over.statusCode).toBe(403);
  expect(JSON.parse(String(over.body)).error.code).toBe('plan_limit');
  expect(await readUsage(ws.id)).toEqual({ used: 2, hourlySum: 2 });
});

test('timeouts before the write on every attempt: 503, nothing counted, the next request is fine', async () => {
  const { ws, secret } = await seedWorkspace(10);
  plan = { faults: ['timeout-before', 'timeout-before', 'timeout-before'], attempts: [] };
  const res = await handler(secretGet(secret.key, 'to'), lambdaContext);
  expect(res.statusCode).toBe(503);
  expect(plan.attempts.length).toBe(3);
  plan = undefined;
  const ok = await handler(secretGet(secret.key, 'to-after'), lambdaContext);
  expect(ok.statusCode).toBe(302);
  expect(await readUsage(ws.id)).toEqual({ used: 1, hourlySum: 1 });
});
