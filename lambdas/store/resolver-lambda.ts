/**
 * The resolver port over Lambda: the avatar and batch functions reach the photo resolver without
 * bundling it. The resolver is its own Lambda (lambdas/routes.ts RESOLVER), invoked through
 * @aws-sdk/client-lambda, which the runtime imports lazily so the avatar hot path (a known
 * variant) never loads it.
 *
 * - `invoke(req)`: RequestResponse; the caller waits for the stored object's key.
 * - `refreshInBackground(req)`: InvocationType 'Event'; returns once Lambda accepted the event,
 *   never throws, and asks at most once per profile per REFRESH_DEDUPE_MS in this runtime.
 *
 * Both wait at most what the request's deadline leaves (app/budget.ts): a synchronous wait keeps
 * FALLBACK_RESERVE_MS of it for the initials write that follows a failure, so the caller can
 * still answer an image in time.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Deadline, Logger, ResolverPort } from '../app/ports';
import {
  FALLBACK_RESERVE_MS,
  RESOLVER_WAIT_MS,
  type ResolverRequest,
  type ResolverResult,
} from '../core/resolver-contract';

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

/**
 * The signal a synchronous resolver wait ends at: RESOLVER_WAIT_MS, and never into the last
 * FALLBACK_RESERVE_MS before the request's deadline. Throws ResolverError when no time is left.
 */
export function resolverWait(deadline: Deadline): AbortSignal {
  if (deadline.msLeft(FALLBACK_RESERVE_MS) <= 0)
    throw new ResolverError('no time left in the request for the resolver');
  return deadline.signal(FALLBACK_RESERVE_MS, RESOLVER_WAIT_MS) as AbortSignal;
}

/** `p`, or ResolverError once `signal` aborts (for a resolver that takes no signal: in-process). */
export function until<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const late = () => reject(new ResolverError('resolver did not answer in time'));
    if (signal.aborted) return late();
    signal.addEventListener('abort', late, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', late));
  });
}

export interface ResolverLambdaContext {
  functionName: string;
  lambda(): Promise<{
    client: LambdaClient;
    InvokeCommand: typeof import('@aws-sdk/client-lambda').InvokeCommand;
  }>;
  log: Logger;
  now(): Date;
  deadline: Deadline;
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
      const wait = resolverWait(ctx.deadline);
      const { client, InvokeCommand } = await ctx.lambda();
      const out = await client.send(
        new InvokeCommand({
          FunctionName: ctx.functionName,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(req)),
        }),
        { abortSignal: wait },
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
      if (ctx.deadline.msLeft() <= 0) return false;
      if (!claimRefresh(ctx.refreshAsked, req.id, ctx.now().getTime())) return false;
      try {
        const { client, InvokeCommand } = await ctx.lambda();
        await client.send(
          new InvokeCommand({
            FunctionName: ctx.functionName,
            InvocationType: 'Event',
            Payload: new TextEncoder().encode(JSON.stringify(req)),
          }),
          { abortSignal: ctx.deadline.signal(0, EVENT_WAIT_MS) },
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
