/**
 * How the avatar and batch functions reach the photo resolver, without bundling it: the resolver
 * is its own Lambda (lib/routes.ts RESOLVER), invoked through @aws-sdk/client-lambda, which is
 * imported lazily so the avatar hot path (a known variant) never loads it.
 *
 * - `invokeResolver(req)`: RequestResponse; the caller waits for the stored object's key.
 * - `refreshInBackground(req)`: InvocationType 'Event'; returns once Lambda accepted the event,
 *   never throws, and asks at most once per profile per REFRESH_DEDUPE_MS in this container.
 *
 * Both wait at most what the request's deadline leaves (shared/clients.ts runWithDeadline):
 * a synchronous wait keeps FALLBACK_RESERVE_MS of it for the initials write that follows a
 * failure, so the caller can still answer an image in time.
 *
 * Without AVTRZ_RESOLVER_FUNCTION (in-process tests, tools) the resolver module is imported
 * in-process instead, with the same wait. Its path is deliberately not a literal, so esbuild cannot follow it into
 * the avatar bundle; in a deployed function the variable is always set and that branch is dead.
 */
import type { AvatarRecord } from '../core/records';
import type { Format } from '../core/size';
import { deadlineSignal, msLeft } from './clients';
import { config } from './config';
import { logger } from './logger';

export type ResolverRequest =
  /** a profile never looked up: provider → original → variant → record (initials on any failure) */
  | { op: 'lookup'; id: string; profile: string; size: number; format: Format }
  /** a known photo lacks `<size>.<format>`: render it from the stored original */
  | { op: 'variant'; id: string; profile: string; version: string; size: number; format: Format }
  /** a stale record: look the profile up again; a failure keeps what is stored */
  | { op: 'refresh'; id: string; profile: string };

export interface ResolverResult {
  /**
   * What to serve: the stored record, except when a stored photo could not be rendered, where it
   * is an initials stand-in for this one request (the stored record is left as it was).
   */
  record: AvatarRecord;
  /** S3 key of the object to redirect to (the variant, or initials.svg); absent for refresh */
  key?: string;
}

type InProcess = { resolve(req: ResolverRequest): Promise<ResolverResult> };
// not a literal: keeps the resolver (sharp, fetching) out of the avatar bundle
const IN_PROCESS_MODULE = ['..', 'resolver', 'resolve'].join('/');

async function inProcess(): Promise<InProcess> {
  return (await import(IN_PROCESS_MODULE)) as InProcess;
}

let lambda:
  | { client: import('@aws-sdk/client-lambda').LambdaClient; endpoint: string | undefined }
  | undefined;
async function lambdaClient() {
  const mod = await import('@aws-sdk/client-lambda');
  // one client per container; a local stack restarted in the same process may move the endpoint
  const endpoint = process.env.AWS_ENDPOINT_URL_LAMBDA;
  if (!lambda || lambda.endpoint !== endpoint)
    // no per-attempt request timeout: a resolver may legitimately work for seconds without a
    // byte; each call's own signal bounds it instead
    lambda = {
      client: new mod.LambdaClient({ maxAttempts: 2, requestHandler: { connectionTimeout: 1000 } }),
      endpoint,
    };
  return { client: lambda.client, InvokeCommand: mod.InvokeCommand };
}

/**
 * How long a caller waits for a synchronous resolver answer: the provider's 3 s deadline plus
 * decoding, resizing and two S3 writes, within the avatar function's 10 s timeout. Past it the
 * caller serves the initials for this request (and stores nothing, so the next one retries).
 */
export const RESOLVER_WAIT_MS = 7000;
/**
 * What a synchronous wait leaves of the request's deadline: enough for the initials PutObject
 * (one small object, normally well under 100 ms) that answers when the resolver did not.
 */
export const FALLBACK_RESERVE_MS = 1000;
/** An async (Event) invoke is only queued by Lambda; never hold a request longer than this for it. */
const EVENT_WAIT_MS = 1500;

class ResolverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResolverError';
  }
}

/** `p`, or ResolverError once `signal` aborts (the in-process resolver takes no signal). */
function until<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const late = () => reject(new ResolverError('resolver did not answer in time'));
    if (signal.aborted) return late();
    signal.addEventListener('abort', late, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', late));
  });
}

/**
 * Run the resolver and wait for its answer: at most RESOLVER_WAIT_MS, and never into the last
 * FALLBACK_RESERVE_MS before the request's deadline. Throws ResolverError when it failed, did
 * not answer in time, or there was no time left to ask.
 */
export async function invokeResolver(req: ResolverRequest): Promise<ResolverResult> {
  if (msLeft(FALLBACK_RESERVE_MS) <= 0)
    throw new ResolverError('no time left in the request for the resolver');
  const wait = deadlineSignal(FALLBACK_RESERVE_MS, RESOLVER_WAIT_MS) as AbortSignal;
  const fn = config().resolverFunction;
  if (!fn)
    return until(
      inProcess().then((m) => m.resolve(req)),
      wait,
    );
  const { client, InvokeCommand } = await lambdaClient();
  const out = await client.send(
    new InvokeCommand({
      FunctionName: fn,
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
}

const REFRESH_DEDUPE_MS = 10 * 60_000;
const asked = new Map<string, number>();

/** Tests: forget which refreshes this container already asked for. */
export function resetRefreshDedupe(): void {
  asked.clear();
}

/**
 * Ask for a background refresh of a stale profile. Resolves quickly (an async Lambda invoke, or
 * nothing to wait for in-process) and never throws: a refresh is best effort.
 * Returns whether a refresh was requested (false when this container asked recently).
 */
export async function refreshInBackground(
  req: Extract<ResolverRequest, { op: 'refresh' }>,
): Promise<boolean> {
  const now = Date.now();
  if (msLeft() <= 0) return false;
  const last = asked.get(req.id);
  if (last !== undefined && now - last < REFRESH_DEDUPE_MS) return false;
  if (asked.size >= 10_000) asked.clear();
  asked.set(req.id, now);
  const fn = config().resolverFunction;
  try {
    if (!fn) {
      // in-process: not awaited, so the request is not delayed
      void inProcess()
        .then((m) => m.resolve(req))
        .catch((e) => logger.warn('background refresh failed', { err: e as Error }));
      return true;
    }
    const { client, InvokeCommand } = await lambdaClient();
    await client.send(
      new InvokeCommand({
        FunctionName: fn,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(req)),
      }),
      { abortSignal: deadlineSignal(0, EVENT_WAIT_MS) },
    );
    return true;
  } catch (e) {
    asked.delete(req.id);
    logger.warn('could not request a refresh', { err: e as Error });
    return false;
  }
}
