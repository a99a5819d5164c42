/**
 * POST /v1/avatars/batch (spec section 6), secret keys only: 1–100 items, results in input order.
 * Each item is handled like one GET /v1/avatar: validated, counted once by the same quota write
 * (countRequest; a new lookup is refused at the quota with `plan_limit` for that item only), then
 * served from the record or through the resolver. Items run at most BATCH_CONCURRENCY at a time,
 * which bounds the load on the photo provider.
 */

import {
  BATCH_RESPONSE_MARGIN_MS,
  beforeDeadline,
  ITEM_ASSEMBLY_MS,
  ITEM_RESERVE_MS,
  withinBudget,
} from '../avatar/budget';
import { locationFor } from '../avatar/location';
import { serveAvatar } from '../avatar/serve';
import { AvtrzError, type ErrorBody, errorBody, invalidParam } from '../core/errors';
import { profileId } from '../core/hmac';
import { parseProfile } from '../core/profile';
import { quotaHeaders } from '../core/quota';
import { type Format, parseFormat, parseSize } from '../core/size';
import { type AuthContext, authenticate } from '../shared/auth';
import { msLeft } from '../shared/clients';
import { config } from '../shared/config';
import {
  type HttpEvent,
  type HttpResult,
  httpHandler,
  json,
  parseJsonBody,
  type RequestCtx,
  toAvtrzError,
} from '../shared/http';
import { currentQuotaHeaders, withQuotaHeaders } from '../shared/quota-headers';
import { hmacSecret } from '../shared/secret';

export const MAX_ITEMS = 100;
export const BATCH_CONCURRENCY = 8;
/**
 * Time budget for starting items. 100 new lookups against a slow provider (3 s each, 8 at a time)
 * would outlast the function's 29 s; items not started within the budget answer `unavailable`
 * (retry them) and are not counted. The invocation's deadline (avatar/budget.ts) can shorten it:
 * an item starts only while a full resolver wait and the initials write still fit before the
 * deadline, and an item still running just before the deadline answers `unavailable` too.
 */
export const batchSettings = { budgetMs: 20_000 };

type ItemError = Omit<ErrorBody['error'], 'request_id'>;
export type BatchResult =
  | { linkedin_url: unknown; status: 'ok'; url: string }
  | { linkedin_url: unknown; status: 'error'; error: ItemError };

function parseItems(body: unknown): Record<string, unknown>[] {
  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items) || items.length < 1 || items.length > MAX_ITEMS) {
    throw invalidParam('items', `items must be an array of 1 to ${MAX_ITEMS} objects.`);
  }
  return items.map(
    (it) => (it && typeof it === 'object' && !Array.isArray(it) ? it : {}) as Record<string, unknown>,
  );
}

/** `size` may be a JSON number or a numeric string; parseSize validates the string form. */
function sizeParam(raw: unknown): unknown {
  return typeof raw === 'number' && Number.isInteger(raw) ? String(raw) : raw;
}

async function serveItem(
  item: Record<string, unknown>,
  auth: AuthContext,
  secret: string,
  now: Date,
  used: { max: number; counted: boolean },
  sameProfile: Map<string, Promise<void>>,
): Promise<string> {
  const profile = parseProfile(item.linkedin_url);
  const size = parseSize(sizeParam(item.size));
  const format = parseFormat(item.format);
  const id = profileId(secret, profile);
  // the same profile twice in one batch: the second waits for the first (one provider lookup)
  const prior = sameProfile.get(id);
  let done = () => {};
  sameProfile.set(id, new Promise<void>((r) => (done = r)));
  try {
    if (prior) await prior;
    return await serveKnownOrNew(id, profile, size, format, auth, now, used);
  } finally {
    done();
  }
}

async function serveKnownOrNew(
  id: string,
  profile: string,
  size: number,
  format: Format,
  auth: AuthContext,
  now: Date,
  used: { max: number; counted: boolean },
): Promise<string> {
  const served = await serveAvatar({ id, profile, size, format, auth, now });
  used.max = Math.max(used.max, served.used);
  used.counted = true;
  if (!served.record) throw new AvtrzError('plan_limit');
  return locationFor(config().cdnUrl, served.record, size, format);
}

/** The catalogue's error object for one item (the request id belongs to the whole response). */
function itemError(e: unknown, ctx: RequestCtx): ItemError {
  const { request_id: _id, ...error } = errorBody(toAvtrzError(e, ctx.log), ctx.requestId).error;
  return error;
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

async function batch(event: HttpEvent, ctx: RequestCtx): Promise<HttpResult> {
  const method = event.requestContext?.http?.method ?? 'POST';
  if (method !== 'POST') throw new AvtrzError('method_not_allowed', undefined, undefined, { allow: 'POST' });
  const now = new Date();
  const auth = await authenticate(event, { route: 'batch', now });
  let items: Record<string, unknown>[];
  try {
    items = parseItems(parseJsonBody(event));
  } catch (e) {
    throw await withQuotaHeaders(e, auth.workspaceId, auth.monthlyQuota, now);
  }
  const secret = await hmacSecret();
  const used = { max: 0, counted: false };
  const sameProfile = new Map<string, Promise<void>>();
  const startBy = Date.now() + Math.min(batchSettings.budgetMs, msLeft(ITEM_RESERVE_MS));
  const notInTime = (linkedin_url: unknown): BatchResult => {
    const err = new AvtrzError('unavailable', 'This item was not processed in time; retry it.');
    return { linkedin_url, status: 'error', error: itemError(err, ctx) };
  };
  const results = await mapBounded(items, BATCH_CONCURRENCY, async (item): Promise<BatchResult> => {
    const linkedin_url = item.linkedin_url ?? null;
    if (Date.now() > startBy) return notInTime(linkedin_url);
    const served = serveItem(item, auth, secret, now, used, sameProfile).then(
      (url): BatchResult => ({ linkedin_url, status: 'ok', url }),
      (e): BatchResult => ({ linkedin_url, status: 'error', error: itemError(e, ctx) }),
    );
    return beforeDeadline(served, ITEM_ASSEMBLY_MS, () => notInTime(linkedin_url));
  });
  // from the counter when an item reached it; a batch of only invalid items counts nothing: read
  const headers = used.counted
    ? quotaHeaders({ limit: auth.monthlyQuota, used: used.max }, now)
    : await currentQuotaHeaders(auth.workspaceId, auth.monthlyQuota, now);
  return json(200, { results }, headers);
}

export const handler = withinBudget(
  httpHandler((event, ctx) => beforeDeadline(batch(event, ctx))),
  BATCH_RESPONSE_MARGIN_MS,
);
