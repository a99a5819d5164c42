/**
 * POST /v1/avatars/batch (spec section 6), secret keys only: 1–100 items, results in input order.
 * Each item is handled like one GET /v1/avatar: validated, counted once by the same quota write
 * (a new lookup is refused at the quota with `plan_limit` for that item only), then served from
 * the record or through the resolver. Items run at most BATCH_CONCURRENCY at a time, which bounds
 * the load on the photo provider.
 */
import type { AuthContext } from '../core/auth';
import { locationFor } from '../core/avatar-location';
import { parseAvatarItem } from '../core/avatar-params';
import { AvtrzError, type ErrorBody } from '../core/errors';
import { profileId } from '../core/profile-id';
import { quotaHeaders } from '../core/quota';
import { BatchBody } from '../core/schemas/avatar';
import { parseWith } from '../core/schemas/validate';
import { type AuthRequest, authenticate } from './authenticate';
import { beforeDeadline, ITEM_ASSEMBLY_MS, ITEM_RESERVE_MS } from './budget';
import type { AppDeps } from './ports';
import { currentQuotaHeaders, withQuotaHeaders } from './quota-headers';
import { serveAvatar } from './serve-avatar';

export const BATCH_CONCURRENCY = 8;
/**
 * Time budget for starting items. 100 new lookups against a slow provider (3 s each, 8 at a time)
 * would outlast the function's 29 s; items not started within the budget answer `unavailable`
 * (retry them) and are not counted. The invocation's deadline (./budget.ts) can shorten it: an
 * item starts only while a full resolver wait and the initials write still fit before the
 * deadline, and an item still running just before the deadline answers `unavailable` too.
 */
export const BATCH_BUDGET_MS = 20_000;

export type ItemError = Omit<ErrorBody['error'], 'request_id'>;
/** What the item named its profile with, echoed as given (`linkedin_url: null` when neither). */
export type ItemProfile = { linkedin_url?: unknown; username?: unknown };
export type BatchResult =
  | (ItemProfile & { status: 'ok'; url: string })
  | (ItemProfile & { status: 'error'; error: ItemError });

function echo(item: Record<string, unknown>): ItemProfile {
  const out: ItemProfile = {};
  if (item.linkedin_url !== undefined) out.linkedin_url = item.linkedin_url;
  if (item.username !== undefined) out.username = item.username;
  return 'linkedin_url' in out || 'username' in out ? out : { linkedin_url: null };
}

/** The body's items (BatchBody: 1–100); an item that is not an object is answered as one without a profile. */
function parseItems(body: unknown): Record<string, unknown>[] {
  return parseWith(BatchBody, body, { rootParam: 'items' }).items.map(
    (it: unknown) =>
      (it && typeof it === 'object' && !Array.isArray(it) ? it : {}) as Record<string, unknown>,
  );
}

interface BatchRun {
  deps: AppDeps;
  auth: AuthContext;
  secret: string;
  now: Date;
  used: { max: number; counted: boolean };
  /** the same profile twice in one batch: the second waits for the first (one provider lookup) */
  sameProfile: Map<string, Promise<void>>;
}

async function serveItem(item: Record<string, unknown>, run: BatchRun): Promise<string> {
  const { profile, size, format } = parseAvatarItem(item);
  const id = profileId(run.secret, profile);
  const prior = run.sameProfile.get(id);
  let done = () => {};
  run.sameProfile.set(id, new Promise<void>((r) => (done = r)));
  try {
    if (prior) await prior;
    const served = await serveAvatar(run.deps, { id, profile, size, format, auth: run.auth, now: run.now });
    run.used.max = Math.max(run.used.max, served.used);
    run.used.counted = true;
    if (!served.record) throw new AvtrzError('plan_limit');
    return locationFor(run.deps.config.cdnUrl, served.record, size, format);
  } finally {
    done();
  }
}

/** Run `fn` over `items` with at most `limit` in flight; results keep the input order. */
async function mapBounded<T, R>(
  items: T[],
  limit: number,
  fn: (t: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface BatchInput extends AuthRequest {
  /** the request body, parsed only after the key is accepted (a refusal then carries x-quota-*) */
  body(): unknown;
  /** the catalogue's error object for a failed item (the request id belongs to the whole answer) */
  itemError(e: unknown): ItemError;
}

export async function avatarBatch(
  deps: AppDeps,
  input: BatchInput,
): Promise<{ results: BatchResult[]; quota: Record<string, string> }> {
  const now = deps.now();
  const auth = await authenticate(deps, input, 'batch', now);
  let items: Record<string, unknown>[];
  try {
    items = parseItems(input.body());
  } catch (e) {
    throw await withQuotaHeaders(deps, e, auth.workspaceId, auth.monthlyQuota, now);
  }
  const run: BatchRun = {
    deps,
    auth,
    secret: await deps.hmacSecret(),
    now,
    used: { max: 0, counted: false },
    sameProfile: new Map(),
  };
  // elapsed time, not the time of day: a monotonic timer, whatever the runtime's clock says
  const startBy =
    performance.now() +
    Math.min(deps.batchBudgetMs ?? BATCH_BUDGET_MS, deps.deadline.msLeft(ITEM_RESERVE_MS));
  const notInTime = (given: ItemProfile): BatchResult => {
    const err = new AvtrzError('unavailable', 'This item was not processed in time; retry it.');
    return { ...given, status: 'error', error: input.itemError(err) };
  };
  const results = await mapBounded(items, BATCH_CONCURRENCY, async (item): Promise<BatchResult> => {
    const given = echo(item);
    if (performance.now() > startBy) return notInTime(given);
    const served = serveItem(item, run).then(
      (url): BatchResult => ({ ...given, status: 'ok', url }),
      (e): BatchResult => ({ ...given, status: 'error', error: input.itemError(e) }),
    );
    return beforeDeadline(deps.deadline, served, ITEM_ASSEMBLY_MS, () => notInTime(given));
  });
  // from the counter when an item reached it; a batch of only invalid items counts nothing: read
  const quota = run.used.counted
    ? quotaHeaders({ limit: auth.monthlyQuota, used: run.used.max }, now)
    : await currentQuotaHeaders(deps, auth.workspaceId, auth.monthlyQuota, now);
  return { results, quota };
}
