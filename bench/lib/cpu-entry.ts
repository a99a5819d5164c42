/**
 * Handler CPU per request, I/O excluded. Bundled by bench/run.ts (esbuild, like the Lambda) and
 * run in a fresh `node` process: the REAL avatar handler with the ONE DynamoDB client swapped for
 * a stub that answers immediately (key record, workspace, a known photo record, the counter
 * write). process.cpuUsage() around many invocations, minus the stub's own cost measured alone.
 * Baseline in the same process: a bare httpHandler (same middy adapter) answering a fixed 302.
 *
 * argv: <iterations> <result file>
 */
import { writeFileSync } from 'node:fs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { createHandler } from '../../lambdas/avatar/handler';
import { generateKey } from '../../lambdas/core/keys/format';
import { profileId } from '../../lambdas/core/profile-id';
import { httpHandler } from '../../lambdas/http/handler';
import { createRuntime } from '../../lambdas/runtime';
import { buildEventV2 } from '../../lib/local/apigw-event';

const iterations = Number(process.argv[2] ?? 20000);
const out = process.argv[3];
const key = generateKey('publishable');
const profile = 'linkedin.com/in/bench-known';
const id = profileId(process.env.AVTRZ_HMAC_SECRET ?? '', profile);
let used = 0;
const counts = { get: 0, update: 0, other: 0 };

const stub = {
  send(cmd: unknown): Promise<unknown> {
    if (cmd instanceof UpdateCommand) {
      counts.update++;
      return Promise.resolve({ Attributes: { used: ++used }, $metadata: {} });
    }
    if (cmd instanceof GetCommand) {
      counts.get++;
      const k = cmd.input.Key as { pk: string };
      if (k.pk.startsWith('KEY#'))
        return Promise.resolve({
          Item: {
            id: 'key_bench',
            workspace_id: 'ws_bench',
            type: 'publishable',
            name: 'bench',
            last4: key.slice(-4),
            allowed_domains: ['127.0.0.1', 'localhost'],
            created_at: new Date().toISOString(),
          },
        });
      if (k.pk.startsWith('WS#'))
        return Promise.resolve({
          Item: { id: 'ws_bench', name: 'bench', monthly_quota: 1e12, created_at: new Date().toISOString() },
        });
      if (k.pk.startsWith('AV#'))
        return Promise.resolve({
          Item: {
            id,
            profile,
            version: 'v1',
            kind: 'photo',
            variants: ['128.webp'],
            fetched_at: new Date().toISOString(),
          },
        });
    }
    counts.other++;
    return Promise.resolve({});
  },
  destroy() {},
};
const rt = createRuntime({ dynamo: stub as unknown as DynamoDBDocumentClient });
const handler = createHandler(rt);

const ctx = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
function event(i: number) {
  return buildEventV2(
    {
      method: 'GET',
      url: `/v1/avatar?key=${key}&linkedin_url=${encodeURIComponent(`https://www.linkedin.com/in/bench-known`)}&size=128`,
      rawHeaders: [
        'host',
        '127.0.0.1:3000',
        'referer',
        'http://127.0.0.1:5173/',
        'sec-fetch-dest',
        'image',
        'accept',
        'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8',
        'user-agent',
        'Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/156.0.0.0 Safari/537.36',
      ],
      body: Buffer.alloc(0),
      sourceIp: '127.0.0.1',
      httpVersion: '1.1',
    },
    { routeKey: 'GET /v1/avatar' },
    { requestId: `bench-${i}`, now: new Date() },
  );
}

const bare = httpHandler(rt.log, async () => ({
  statusCode: 302,
  headers: { location: 'https://cdn.example/a/x/v1/128.webp', 'cache-control': 'public, max-age=3600' },
  body: '',
}));

async function cpuOf(fn: (i: number) => Promise<unknown>, n: number): Promise<number> {
  const events = Array.from({ length: n }, (_, i) => i);
  const t = process.cpuUsage();
  for (const i of events) await fn(i);
  const d = process.cpuUsage(t);
  return (d.user + d.system) / n;
}

(async () => {
  // warm: JIT, key cache, avatar cache, hmac secret
  for (let i = 0; i < 2000; i++) {
    const r = (await handler(event(i), ctx)) as { statusCode: number; headers: Record<string, string> };
    if (r.statusCode !== 302)
      throw new Error(`warm-up answered ${r.statusCode} ${r.headers['x-avtrz-error']}`);
  }
  const evs = Array.from({ length: iterations }, (_, i) => event(i));
  const before = { ...counts };
  const handlerUs = await cpuOf((i) => handler(evs[i], ctx), iterations);
  const callsPerReq = {
    get: (counts.get - before.get) / iterations,
    update: (counts.update - before.update) / iterations,
  };
  const upd = new UpdateCommand({
    TableName: 't',
    Key: { pk: 'x', sk: 'y' },
    UpdateExpression: 'ADD a :one',
  });
  const getc = new GetCommand({ TableName: 't', Key: { pk: 'AV#x', sk: 'AV' } });
  const stubUs = await cpuOf(async () => {
    for (let k = 0; k < callsPerReq.update; k++) await stub.send(upd);
    for (let k = 0; k < Math.round(callsPerReq.get); k++) await stub.send(getc);
  }, iterations);
  const bareEvs = Array.from({ length: iterations }, (_, i) => event(i));
  const bareUs = await cpuOf((i) => bare(bareEvs[i], ctx), iterations);
  writeFileSync(
    out,
    JSON.stringify({
      iterations,
      handler_us_gross: handlerUs,
      stub_us: stubUs,
      bare_us: bareUs,
      calls_per_request: callsPerReq,
    }),
  );
})().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
