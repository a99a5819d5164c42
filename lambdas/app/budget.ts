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
 *     deadline D = T − RESPONSE_MARGIN_MS                          = 10 000 − 1 500 =  8 500
 *     secret, key, workspace, avatar record                        each aborted at D
 *     the counted write starts only while COUNT_RESERVE_MS (+ FALLBACK_RESERVE_MS for a new
 *       lookup) is left, and its attempt may run until what follows it still fits (no 2 s cut)
 *     resolver wait ≤ min(RESOLVER_WAIT_MS, D − FALLBACK_RESERVE_MS − elapsed)
 *                                                                  ends by 8 500 − 1 000 = 7 500
 *     initials PutObject                                           aborted at D (≥ 1 000 ms for it)
 *     anything still running at D: abandoned, answer 503 unavailable (beforeDeadline)
 *     answer by D + timer lateness + rendering                     ≤ 10 000 − ANSWER_MARGIN_MS
 *
 *   batch (T = 29 000 ms)
 *     deadline D = T − BATCH_RESPONSE_MARGIN_MS                    = 29 000 − 2 000 = 27 000
 *     items start until min(budgetMs, D − ITEM_RESERVE_MS)         = min(20 000, 27 000 − 8 000) = 19 000
 *     an item started then: resolver wait ends by 19 000 + 7 000 = 26 000 (≤ D − 1 000),
 *       initials by D; one still running at D − ITEM_ASSEMBLY_MS (26 700) answers `unavailable`
 *     answer by D + timer lateness + serialising                   ≤ 29 000 − ANSWER_MARGIN_MS
 *
 * Why RESPONSE_MARGIN_MS is 1.5 s and not the few ms rendering takes: "at D" is a timer, and a
 * timer fires late by as long as the process gets no CPU (a starved event loop). On this project's
 * 2-core machine with two CPU burners and 150 concurrent new lookups in one process, answers due at
 * D came up to ≈ 1.3 s late; with a 0.5 s margin they landed after T: Lambda's timeout (API
 * Gateway: a bare 500), or, in the local gateway, whose per-request timeout timers share one
 * timer list and so can run before a later request's own deadline timer, `500 internal_error`.
 * TIMER_LATENESS_MS of the margin is for that; ANSWER_MARGIN_MS is what an answer still leaves
 * of the function's time (test/faults/avatar-deadline.margin.test.ts asserts it, through the
 * Lambda context's remaining time).
 *
 * Charged and not served — what remains. The counted write is the request's commit point
 * (app/serve-avatar.ts): a request is charged exactly when it is answered as served, except
 *  - its counted write was sent and its answer did not arrive in time (DynamoDB stalled, or the
 *    process starved past the write's budget): the write may have been applied, the request
 *    answers 503. At most ONE count per such request (the write's retry token), and only for
 *    requests whose write was in flight when their time ran out;
 *  - a new lookup was counted, the resolver failed or was too slow, and the initials write that
 *    stands in for it failed inside its FALLBACK_RESERVE_MS too (S3 down or starved): 503.
 * Each such request logs `counted, not served` (warn): per fault, charged-not-served ≤ the
 * requests that log it, and no other request is charged without a 302 (test/faults/
 * cpu-overload.test.ts). Nothing else is charged and not served: a request that has less than
 * the write's reserve left is answered 503 before it is counted.
 *
 * (middy, around the handler, rejects with TimeoutError 5 ms before T, which Lambda reports as
 * a function error and API Gateway answers 500: D comes first, and its timer is due
 * RESPONSE_MARGIN_MS earlier than middy's, so it runs first even on a starved loop.)
 * Without a Lambda context (in-process tools and tests that pass none) there is no deadline and
 * only the per-call bounds apply. The handlers wrap themselves in it (http/budget.ts withinBudget);
 * the use cases read what is left through their Deadline port.
 */
import { AvtrzError } from '../core/errors';
import { FALLBACK_RESERVE_MS, RESOLVER_WAIT_MS } from '../core/resolver-contract';
import type { Deadline } from './ports';

/** How late a deadline timer may fire on a starved event loop and the answer still be in time. */
export const TIMER_LATENESS_MS = 1000;
/** What an answer leaves of the function's time (rendering, handing it back to Lambda). */
export const ANSWER_MARGIN_MS = 500;
/** Kept after the avatar deadline: the answer is due at D, and may come that late. */
export const RESPONSE_MARGIN_MS = TIMER_LATENESS_MS + ANSWER_MARGIN_MS;
/** The same for a batch: up to 100 results to serialise. */
export const BATCH_RESPONSE_MARGIN_MS = TIMER_LATENESS_MS + 1000;
/**
 * The counted write starts only while this much is left (after what must follow it: the initials
 * write of a new lookup): a write that cannot be answered in time is not started, so it does not
 * charge a request that then answers 503.
 */
export const COUNT_RESERVE_MS = 500;
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
