/**
 * The time budget of the avatar and batch functions: one deadline per invocation, taken from the
 * Lambda context at handler start, that every dependency call of the request shares
 * (runtime/deadline.ts: the runtime's clients abort each SDK call at it), so the handler itself answers,
 * with the result or the catalogue's 503 `unavailable` (an SVG for image loads), before Lambda
 * ends the invocation and API Gateway answers a bare 500.
 *
 * Why one deadline and not per-call bounds: the per-call bounds (shared/clients.ts) let ONE
 * call to a frozen dependency take ≈ 6.5 s (runtime/clients.ts), and a miss makes up to six calls in a row, then
 * waits for the resolver. Without a shared deadline the avatar route's worst case was
 *     Secrets Manager read (a container's first request; SDK defaults: no timeout)   unbounded
 *   + key GetItem + workspace GetItem + avatar GetItem + usage UpdateItem          4 × 6.5 s
 *   + resolver wait (RESOLVER_WAIT_MS)                                                  7 s
 *   + initials PutObject after the resolver failed                                    6.5 s
 * ≫ 10 s; even with DynamoDB and the secret healthy, a silent resolver and a stalled S3 made
 * 7 + 6.5 = 13.5 s. Now T = context.getRemainingTimeInMillis() at handler start (a cold start's
 * init ran before it; the lazy SDK imports of a first request are paid from it), and:
 *
 *   avatar (T = 10 000 ms)
 *     deadline D = T − RESPONSE_MARGIN_MS                          = 10 000 − 500   =  9 500
 *     secret, key, workspace, avatar record, usage write           each aborted at D
 *     resolver wait ≤ min(RESOLVER_WAIT_MS, D − FALLBACK_RESERVE_MS − elapsed)
 *                                                                  ends by 9 500 − 1 000 = 8 500
 *     initials PutObject                                           aborted at D (≥ 1 000 ms for it)
 *     anything still running at D: abandoned, answer 503 unavailable (beforeDeadline)
 *     worst case = D + RESPONSE_MARGIN_MS                          = 9 500 + 500    = 10 000 = T
 *
 *   batch (T = 29 000 ms)
 *     deadline D = T − BATCH_RESPONSE_MARGIN_MS                    = 29 000 − 1 000 = 28 000
 *     items start until min(budgetMs, D − ITEM_RESERVE_MS)         = min(20 000, 28 000 − 8 000) = 20 000
 *     an item started then: resolver wait ends by 20 000 + 7 000 = 27 000 (≤ D − 1 000),
 *       initials by D; one still running at D − ITEM_ASSEMBLY_MS (27 700) answers `unavailable`
 *     worst case = D + BATCH_RESPONSE_MARGIN_MS                    = 28 000 + 1 000 = 29 000 = T
 *
 * (middy, around the handler, rejects with TimeoutError 5 ms before T, which Lambda reports as
 * a function error and API Gateway answers 500: D comes first.)
 * Without a Lambda context (in-process tools and tests that pass none) there is no deadline and
 * only the per-call bounds apply. The handlers wrap themselves in it (http/budget.ts withinBudget);
 * the use cases read what is left through their Deadline port.
 */
import { AvtrzError } from '../core/errors';
import { FALLBACK_RESERVE_MS, RESOLVER_WAIT_MS } from '../core/resolver-contract';
import type { Deadline } from './ports';

/** Kept after the avatar deadline to render the answer and hand it back to Lambda. */
export const RESPONSE_MARGIN_MS = 500;
/** The same for a batch: up to 100 results to serialise. */
export const BATCH_RESPONSE_MARGIN_MS = 1000;
/** A batch item may start only while a full resolver wait and the initials write still fit. */
export const ITEM_RESERVE_MS = RESOLVER_WAIT_MS + FALLBACK_RESERVE_MS;
/** Items still running this long before the batch deadline are answered `unavailable`. */
export const ITEM_ASSEMBLY_MS = 300;

/**
 * `work`, or `onLate()` once only `reserveMs` is left before the request's deadline, whichever
 * comes first. `work` is not stopped (its SDK calls abort at the deadline on their own); a
 * later failure of it is not reported twice.
 */
export function beforeDeadline<T>(
  deadline: Deadline,
  work: Promise<T>,
  reserveMs = 0,
  onLate: () => T | Promise<T> = () => {
    throw new AvtrzError('unavailable');
  },
): Promise<T> {
  const left = deadline.msLeft(reserveMs);
  if (!Number.isFinite(left)) return work;
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => Promise.resolve().then(onLate).then(resolve, reject), Math.max(0, left));
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
