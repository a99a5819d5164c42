/**
 * The local stack in its own Node process (as `npm run dev` runs it), driven over IPC by
 * bench/lib/stack-process.ts. One realm, like a Lambda: SDK and network errors keep their
 * identity (under jest's VM realm Node's own errors fail `instanceof Error` and the SDK wraps them).
 *
 * Messages in:  {cmd:'use', dynamo?, s3?}  point handlers at other endpoints (a cold start)
 *               {cmd:'stop'}
 * Messages out: {ready: LocalStack info} | {error} | {crash: where+message} | {ok: cmd}
 */
import { startLocalStack } from '../../lib/local/stack';

const send = (m: unknown) => process.send?.(m);
const opts = JSON.parse(process.argv[2] ?? '{}') as {
  dataDir: string;
  upstreamUrl?: string;
  keyCacheSeconds?: string;
};

startLocalStack({
  dataDir: opts.dataDir,
  upstreamUrl: opts.upstreamUrl,
  env: opts.keyCacheSeconds !== undefined ? { AVTRZ_KEY_CACHE_SECONDS: opts.keyCacheSeconds } : undefined,
  onError: (e, where) => send({ crash: `${where}: ${(e as Error)?.message ?? e}` }),
})
  .then((stack) => {
    process.on('message', async (m: { cmd: string; dynamo?: string; s3?: string }) => {
      if (m.cmd === 'use') {
        const changes: Record<string, string> = {};
        if (m.dynamo) changes.AWS_ENDPOINT_URL_DYNAMODB = m.dynamo;
        if (m.s3) changes.AWS_ENDPOINT_URL_S3 = m.s3;
        stack.coldStart(changes);
        send({ ok: 'use' });
      } else if (m.cmd === 'stop') {
        await stack.stop();
        send({ ok: 'stop' });
        process.disconnect?.();
        process.exit(0);
      }
    });
    // the parent went away: take DynamoDB Local and s3rver down with us
    process.on('disconnect', () => {
      stack.stop().finally(() => process.exit(0));
    });
    const { stop: _s, coldStart: _c, ...info } = stack;
    send({ ready: info });
  })
  .catch((e) => {
    send({ error: (e as Error)?.stack ?? String(e) });
    process.exit(1);
  });
process.on('uncaughtException', (e) => send({ crash: `uncaughtException: ${e?.stack ?? e}` }));
process.on('unhandledRejection', (e) => send({ crash: `unhandledRejection: ${(e as Error)?.stack ?? e}` }));
