/**
 * The usage answer (spec section 7) for the caller's own workspace (GET /v1/usage, secret key)
 * and for an operator (GET /v1/admin/workspaces/{ws}/usage): the same shape, per key per hour,
 * with each key's requests refused as domain_blocked and, for `?from=&to=` in the last 48 hours,
 * its 5-minute points (core/usage.ts parseWindow). Not counted against the quota.
 */
import { AvtrzError } from '../core/errors';
import { monthOf, quotaHeaders } from '../core/quota';
import type { KeyRecord, WorkspaceRecord } from '../core/records';
import {
  invalidMonth,
  type KeyBlocked,
  type MinuteCount,
  type MonthUsage,
  parseMonth,
  parseWindow,
  shapeUsage,
  type UsageResponse,
  type UsageWindow,
} from '../core/usage';
import { type AuthRequest, authenticate } from './authenticate';
import type { AppDeps } from './ports';
import { currentQuotaHeaders, withQuotaHeaders } from './quota-headers';

type UsageDeps = Pick<AppDeps, 'store'>;

/** Everything the usage answer is shaped from; undefined for an unknown workspace. */
async function loadUsage(
  deps: UsageDeps,
  workspaceId: string,
  month: string,
  asked: ReturnType<typeof parseWindow>,
): Promise<
  | {
      workspace: WorkspaceRecord;
      usage: MonthUsage | undefined;
      minutely?: { window?: UsageWindow; points: Map<string, MinuteCount[]> };
      blocked: Map<string, KeyBlocked>;
      keys: KeyRecord[];
    }
  | undefined
> {
  const [workspace, usage, blocked, keys, points] = await Promise.all([
    deps.store.workspaces.getWorkspace(workspaceId, { consistent: true }),
    deps.store.usage.getMonthUsage(workspaceId, month),
    deps.store.usage.getMonthBlocked(workspaceId, month),
    deps.store.keys.listKeys(workspaceId),
    asked && !asked.empty
      ? deps.store.usage.getMinutely(workspaceId, asked.window)
      : Promise.resolve(new Map<string, MinuteCount[]>()),
  ]);
  if (!workspace) return undefined;
  const minutely = asked ? { window: asked.empty ? undefined : asked.window, points } : undefined;
  return { workspace, usage, blocked, keys, minutely };
}

/** `?from=&to=` of either usage route (400 naming the parameter when malformed). */
type UsageQuery = { month?: string; from?: string; to?: string } | null | undefined;

/** GET /v1/usage: publishable keys are refused (403 forbidden) by authenticate. */
export async function usageOfCaller(
  deps: AppDeps,
  request: AuthRequest,
): Promise<{ usage: UsageResponse; quota: Record<string, string> }> {
  const now = deps.now();
  const auth = await authenticate(deps, request, 'usage', now);
  const q = request.queryStringParameters;
  const month = parseMonth(q?.month, now);
  if (!month) {
    throw await withQuotaHeaders(deps, invalidMonth(), auth.workspaceId, auth.monthlyQuota, now);
  }
  let asked: ReturnType<typeof parseWindow>;
  try {
    asked = parseWindow(q?.from, q?.to, now);
  } catch (e) {
    throw await withQuotaHeaders(deps, e as AvtrzError, auth.workspaceId, auth.monthlyQuota, now);
  }
  const data = await loadUsage(deps, auth.workspaceId, month, asked);
  // the key authenticated, so its workspace exists; a race with deletion is the only way here
  if (!data) throw new AvtrzError('invalid_key');
  const shaped = shapeUsage({ ...data, month, now });
  // x-quota-* describe the current month whatever ?month= asks for (spec section 3); when that is
  // the month just read, its buckets already hold the count (no second read)
  const quota =
    month === monthOf(now)
      ? quotaHeaders({ limit: auth.monthlyQuota, used: data.usage?.used ?? 0 }, now)
      : await currentQuotaHeaders(deps, auth.workspaceId, auth.monthlyQuota, now);
  return { usage: shaped, quota };
}

/** The operator's view of a workspace's usage; undefined for an unknown workspace. */
export async function usageOfWorkspace(
  deps: Pick<AppDeps, 'store' | 'now'>,
  workspaceId: string,
  query: UsageQuery | string | undefined,
): Promise<UsageResponse | undefined> {
  const now = deps.now();
  // a bare string is `?month=` alone (callers written before the 5-minute window)
  const q = typeof query === 'string' ? { month: query } : query;
  const month = parseMonth(q?.month, now);
  if (!month) throw invalidMonth();
  const asked = parseWindow(q?.from, q?.to, now);
  const data = await loadUsage(deps, workspaceId, month, asked);
  return data ? shapeUsage({ ...data, month, now }) : undefined;
}
