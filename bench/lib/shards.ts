/**
 * Budget shards (docs/scaling.md) under a per-item write limit. DynamoDB throttles one item at
 * about 1,000 writes/s whatever the table's capacity; here a throttling proxy on 127.0.0.1 in
 * front of an in-memory DynamoDB Local enforces W writes/s per item (scaled down) and answers
 * `ProvisionedThroughputExceededException` (HTTP 400, as DynamoDB does) above it. It reads the
 * JSON-1.0 target and the item keys of UpdateItem / PutItem / TransactWriteItems.
 *
 * For S = 1, 4, 16 the real counter (store/usage-counter.ts countRequest, the SDK's retries as
 * deployed) runs with a quota that is never reached for THROUGHPUT seconds (admitted/s), then an
 * exactness run: quota EXACT_Q, EXACT_N new lookups answered → admitted must be EXACT_Q exactly
 * (the bound on refusing early is 0). Bounded: fixed durations and counts, loopback only.
 */
import http from 'node:http';
import os from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CountInput } from '../../lambdas/app/ports';
import { TtlCache } from '../../lambdas/core/ttl-cache';
import type { StoreContext } from '../../lambdas/store/context';
import { countRequest } from '../../lambdas/store/usage-counter';
import {
  ensureTable,
  freePort,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  startDynamo,
} from '../../lib/local/services';
import { round } from './stats';

/** writes per second one item takes (DynamoDB: ~1,000; scaled down so 16 shards fit this machine) */
export const W = 15;
const SHARDS = [1, 4, 16];
const IN_FLIGHT = 64;
const EXACT_Q = 200;
const EXACT_N = 600;
const TABLE = 'bench-shards';

type Key = { pk?: { S?: string }; sk?: { S?: string } };

/** The items a write touches, as `pk|sk`. */
function writtenItems(target: string, body: Record<string, unknown>): string[] {
  const k = (key: Key | undefined) => `${key?.pk?.S}|${key?.sk?.S}`;
  if (target.endsWith('.UpdateItem')) return [k(body.Key as Key)];
  if (target.endsWith('.PutItem')) return [k(body.Item as Key)];
  if (target.endsWith('.TransactWriteItems')) {
    const items = (body.TransactItems ?? []) as Record<string, { Key?: Key; Item?: Key }>[];
    return items.map((t) => {
      const op = t.Update ?? t.Put ?? t.Delete ?? t.ConditionCheck;
      return k(op?.Key ?? op?.Item);
    });
  }
  return [];
}

/** The throttling proxy: W writes per item per 1-second window, everything else passed through. */
async function startThrottle(
  upstream: URL,
): Promise<{ url: string; throttled: () => number; close(): Promise<void> }> {
  const windows = new Map<string, { second: number; n: number }>();
  let throttled = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      let items: string[] = [];
      try {
        items = writtenItems(target, JSON.parse(raw.toString('utf8') || '{}'));
      } catch {
        items = [];
      }
      const second = Math.floor(Date.now() / 1000);
      const over = items.some((it) => {
        const w = windows.get(it);
        return w !== undefined && w.second === second && w.n >= W;
      });
      if (over) {
        throttled++;
        const msg = JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: 'The level of configured provisioned throughput for the table was exceeded.',
        });
        res.writeHead(400, {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': Buffer.byteLength(msg),
        });
        res.end(msg);
        return;
      }
      for (const it of items) {
        const w = windows.get(it);
        if (w && w.second === second) w.n++;
        else windows.set(it, { second, n: 1 });
      }
      const up = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
          agent,
        },
        (ur) => {
          res.writeHead(ur.statusCode ?? 500, ur.headers);
          ur.pipe(res);
        },
      );
      up.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      up.end(raw);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    throttled: () => throttled,
    close: () =>
      new Promise<void>((r) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function context(endpoint: string): { ctx: StoreContext; destroy(): void } {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    // the deployed client's retries (lambdas/runtime/clients.ts): throttling is retried with backoff
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000 },
  });
  const ctx: StoreContext = {
    dynamo: () => DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    s3: () => Promise.reject(new Error('no S3 here')),
    tableName: TABLE,
    bucketName: 'none',
    now: () => new Date(),
    avatarCache: new TtlCache(10),
    lookups: new TtlCache(1000),
  };
  return { ctx, destroy: () => client.destroy() };
}

interface Run {
  admitted: number;
  refused: number;
  errors: number;
  /** the failed attempts by error name: what a caller would have been answered 503 for */
  errorKinds: Record<string, number>;
  seconds: number;
}

/**
 * Requests `IN_FLIGHT` at a time until `total` were answered (admitted or refused) or `seconds`
 * passed. A request that failed (throttled past the SDK's retries: a 503 to its caller) is made
 * again, as a client would, and counted in `errors`.
 */
async function drive(
  ctx: StoreContext,
  input: () => CountInput,
  total: number,
  seconds: number,
): Promise<Run> {
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const r: Run = { admitted: 0, refused: 0, errors: 0, errorKinds: {}, seconds: 0 };
  const worker = async () => {
    while (r.admitted + r.refused < total && performance.now() < end) {
      try {
        const c = await countRequest(ctx, input());
        if (c.counted) r.admitted++;
        else r.refused++;
      } catch (err) {
        r.errors++;
        const kind = (err as Error).name || 'Error';
        r.errorKinds[kind] = (r.errorKinds[kind] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  r.seconds = (performance.now() - t0) / 1000;
  return r;
}

export async function shardsSection(quick: boolean): Promise<Record<string, unknown>> {
  const dynamo = await startDynamo(await freePort());
  const proxy = await startThrottle(new URL(dynamo.endpoint));
  const { ctx, destroy } = context(proxy.url);
  const throughputS = quick ? 3 : 6;
  const loadStart = os.loadavg().map((x) => round(x, 2));
  try {
    await ensureTable(dynamo.endpoint, TABLE);
    const rows: Record<string, unknown>[] = [];
    let base = 0;
    for (const shards of SHARDS) {
      const stamp = `${Date.now().toString(36)}${shards}`;
      const input = (ws: string, quota: number) => (): CountInput => ({
        workspaceId: ws,
        keyId: 'key_bench',
        now: new Date(),
        quota,
        enforceQuota: true,
        shards,
      });
      // a warm-up second (the month's chains opened, the first slices handed out), then the rate
      await drive(ctx, input(`ws_t${stamp}`, 1e9), 1e6, 1);
      const before = proxy.throttled();
      const t = await drive(ctx, input(`ws_t${stamp}`, 1e9), 1e6, throughputS);
      const rps = t.admitted / t.seconds;
      if (shards === 1) base = rps;
      const e = await drive(ctx, input(`ws_e${stamp}`, EXACT_Q), EXACT_N, 90);
      const answered = e.admitted + e.refused;
      const row = {
        shards,
        admitted_per_s: round(rps, 1),
        ratio_to_1: round(rps / base, 2),
        target_ratio: round(0.8 * shards, 1),
        throttled_answers: proxy.throttled() - before,
        throughput_503s: t.errors,
        exact_quota: EXACT_Q,
        exact_requests: EXACT_N,
        exact_admitted: e.admitted,
        over_admitted: Math.max(0, e.admitted - EXACT_Q),
        refused_early: Math.max(0, EXACT_Q - e.admitted),
        refused_early_bound: 0,
        exact_answered: answered,
        exact_retried_503s: e.errors,
        exact_503s_by_error: e.errorKinds,
      };
      rows.push(row);
      process.stdout.write(
        `   S=${shards}: ${row.admitted_per_s} admitted/s (×${row.ratio_to_1} of S=1, target ×${row.target_ratio}); ` +
          `exactness: ${e.admitted}/${EXACT_Q} admitted of ${EXACT_N}, over ${row.over_admitted}, refused early ${row.refused_early} (bound 0), ${answered} answered, ${e.errors} failed attempts retried ${JSON.stringify(e.errorKinds)}\n`,
      );
    }
    return {
      write_limit_per_item_per_s: W,
      in_flight: IN_FLIGHT,
      throughput_seconds: throughputS,
      load_average_start: loadStart,
      rows,
    };
  } finally {
    destroy();
    await proxy.close();
    await dynamo.stop();
  }
}
