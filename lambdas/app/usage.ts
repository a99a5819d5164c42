/**
 * The usage answer (spec section 7) for the caller's own workspace (GET /v1/usage, secret key)
 * and for an operator (GET /v1/admin/workspaces/{ws}/usage): the same shape, per key per hour,
 * with each key's requests refused as domain_blocked. Not counted against the quota.
 */
import { AvtrzError } from '../core/errors';
import { monthOf, quotaHeaders } from '../core/quota';
import type { KeyRecord, WorkspaceRecord } from '../core/records';
import {
  invalidMonth,
  type KeyBlocked,
  type MonthUsage,
  parseMonth,
  shapeUsage,
  type UsageResponse,
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
): Promise<
  | {
      workspace: WorkspaceRecord;
      usage: MonthUsage | undefined;
      blocked: Map<string, KeyBlocked>;
      keys: KeyRecord[];
    }
  | undefined
> {
  const [workspace, usage, blocked, keys] = await Promise.all([
    deps.store.workspaces.getWorkspace(workspaceId, { consistent: true }),
    deps.store.usage.getMonthUsage(workspaceId, month),
    deps.store.usage.getMonthBlocked(workspaceId, month),
    deps.store.keys.listKeys(workspaceId),
  ]);
  return workspace ? { workspace, usage, blocked, keys } : undefined;
}

/** GET /v1/usage: publishable keys are refused (403 forbidden) by authenticate. */
export async function usageOfCaller(
  deps: AppDeps,
  request: AuthRequest,
): Promise<{ usage: UsageResponse; quota: Record<string, string> }> {
  const now = deps.now();
  const auth = await authenticate(deps, request, 'usage', now);
  const month = parseMonth(request.queryStringParameters?.month, now);
  if (!month) {
    throw await withQuotaHeaders(deps, invalidMonth(), auth.workspaceId, auth.monthlyQuota, now);
  }
  const data = await loadUsage(deps, auth.workspaceId, month);
  // the key authenticated, so its workspace exists; a race with deletion is the only way here
  if (!data) throw new AvtrzError('invalid_key');
  // x-quota-* describe the current month whatever ?month= asks for (spec section 3); when that is
  // the month just read, its buckets already hold the count (no second read)
  const quota =
    month === monthOf(now)
      ? quotaHeaders({ limit: auth.monthlyQuota, used: data.usage?.used ?? 0 }, now)
      : await currentQuotaHeaders(deps, auth.workspaceId, auth.monthlyQuota, now);
  return { usage: shapeUsage({ ...data, month, now }), quota };
}

/** The operator's view of a workspace's usage; undefined for an unknown workspace. */
export async function usageOfWorkspace(
  deps: Pick<AppDeps, 'store' | 'now'>,
  workspaceId: string,
  rawMonth: string | undefined,
): Promise<UsageResponse | undefined> {
  const now = deps.now();
  const month = parseMonth(rawMonth, now);
  if (!month) throw invalidMonth();
  const data = await loadUsage(deps, workspaceId, month);
  return data ? shapeUsage({ ...data, month, now }) : undefined;
}
