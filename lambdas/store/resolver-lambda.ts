/**
 * The resolver port over Lambda: the avatar and batch functions reach the photo resolver without
 * bundling it. The resolver is its own Lambda (lambdas/routes.ts RESOLVER), invoked through
 * @aws-sdk/client-lambda, which the runtime imports lazily so the avatar hot path (a known
 * variant) never loads it.
 *
 * - `invoke(req)`: RequestResponse; the caller waits for the stored object's key.
 * - `refreshInBackground(req)`: InvocationType 'Event'; returns once Lambda accepted the event,
 *   never throws, and asks at most once per profile per REFRESH_DEDUPE_MS in this runtime.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Logger, ResolverPort } from '../app/ports';
import type { ResolverRequest, ResolverResult } from '../core/resolver-contract';

/**
 * How long a caller waits for a synchronous resolver answer: the provider's 3 s deadline plus
 * decoding, resizing and two S3 writes, within the avatar function's 10 s timeout. Past it the
 * caller serves the initials for this request (and stores nothing, so the next one retries).
 */
export const RESOLVER_WAIT_MS = 7000;
/** An async (Event) invoke is only queued by Lambda; never hold a request longer than this for it. */
const EVENT_WAIT_MS = 1500;
const REFRESH_DEDUPE_MS = 10 * 60_000;
const MAX_REMEMBERED = 10_000;

class ResolverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResolverError';
  }
}

export interface ResolverLambdaContext {
  functionName: string;
  lambda(): Promise<{
    client: LambdaClient;
    InvokeCommand: typeof import('@aws-sdk/client-lambda').InvokeCommand;
  }>;
  log: Logger;
  now(): Date;
  /** profile id → when this runtime last asked for its refresh */
  refreshAsked: Map<string, number>;
}

/**
 * Refresh dedupe, shared by the Lambda port and the in-process one: true when `id` may be asked
 * for now (and it is then remembered as asked).
 */
export function claimRefresh(asked: Map<string, number>, id: string, now: number): boolean {
  const last = asked.get(id);
  if (last !== undefined && now - last < REFRESH_DEDUPE_MS) return false;
  if (asked.size >= MAX_REMEMBERED) asked.clear();
  asked.set(id, now);
  return true;
}

export function resolverLambda(ctx: ResolverLambdaContext): ResolverPort {
  return {
    async invoke(req: ResolverRequest): Promise<ResolverResult> {
      const { client, InvokeCommand } = await ctx.lambda();
      const out = await client.send(
        new InvokeCommand({
          FunctionName: ctx.functionName,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(req)),
        }),
        { abortSignal: AbortSignal.timeout(RESOLVER_WAIT_MS) },
      );
      const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
      if (out.FunctionError) throw new ResolverError(`resolver ${out.FunctionError}`);
      try {
        const res = JSON.parse(text) as ResolverResult;
        if (!res?.record?.version) throw new Error('no record');
        return res;
      } catch {
        throw new ResolverError('resolver answered something unreadable');
      }
    },
    async refreshInBackground(req) {
      if (!claimRefresh(ctx.refreshAsked, req.id, ctx.now().getTime())) return false;
      try {
        const { client, InvokeCommand } = await ctx.lambda();
        await client.send(
          new InvokeCommand({
            FunctionName: ctx.functionName,
            InvocationType: 'Event',
            Payload: new TextEncoder().encode(JSON.stringify(req)),
          }),
          { abortSignal: AbortSignal.timeout(EVENT_WAIT_MS) },
        );
        return true;
      } catch (e) {
        ctx.refreshAsked.delete(req.id);
        ctx.log.warn('could not request a refresh', { err: e as Error });
        return false;
      }
    },
  };
}
