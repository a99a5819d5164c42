/**
 * The answer leaves a margin of the function's time (app/budget.ts: RESPONSE_MARGIN_MS =
 * TIMER_LATENESS_MS + ANSWER_MARGIN_MS). A DynamoDB that accepts and never answers (frozen) holds
 * the request until its deadline; the handler then answers 503 itself, and the Lambda context
 * (counting down the route's real timeout) must still have ANSWER_MARGIN_MS left, not a few ms:
 * a deadline timer that fires up to TIMER_LATENESS_MS late on a starved event loop is still in time.
 * The client has no per-attempt bound (one attempt, no requestTimeout), so only the request's
 * deadline ends the call, as it does for a call that starts with less than 2 s left.
 */
import net from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';

const ANSWER_MARGIN_MS = 500;

import { createHandler } from '../../lambdas/avatar/handler';
import { ROUTES } from '../../lambdas/routes';
import { createRuntime } from '../../lambdas/runtime';
import { lambdaContext } from '../../lib/local/apigw-event';
import { avatarEvent, seedWorkspace } from './support';

const AVATAR_TIMEOUT_MS = (ROUTES.find((r) => r.id === 'Avatar')?.timeoutSeconds ?? 10) * 1000;

test('DynamoDB frozen: 503 with ANSWER_MARGIN_MS of the function time left', async () => {
  const { secret } = await seedWorkspace(100);
  const sockets = new Set<net.Socket>();
  const frozen = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => frozen.listen(0, '127.0.0.1', r));
  const { port } = frozen.address() as net.AddressInfo;
  try {
    const base = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: process.env.AWS_REGION ?? 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const rt = createRuntime({ dynamo: DynamoDBDocumentClient.from(base) });
    const context: Context = lambdaContext('avtrz-test', `margin-${Date.now()}`, AVATAR_TIMEOUT_MS);
    const res = (await createHandler(rt)(
      avatarEvent(
        { linkedin_url: `https://www.linkedin.com/in/margin-${Date.now().toString(36)}` },
        { 'x-api-key': secret.key, accept: 'application/json' },
      ) as never,
      context,
    )) as { statusCode: number; body: string };
    const left = context.getRemainingTimeInMillis();
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body).error.code).toBe('unavailable');
    expect(left).toBeGreaterThanOrEqual(ANSWER_MARGIN_MS);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => frozen.close(() => r()));
  }
}, 30_000);
