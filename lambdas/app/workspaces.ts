/** Workspace management (spec section 8), for operators. */
import { workspaceNotFound } from '../core/admin-validation';
import type { WorkspaceRecord } from '../core/records';
import type { AppDeps } from './ports';

type WorkspaceDeps = Pick<AppDeps, 'store'>;

export function createWorkspace(
  deps: WorkspaceDeps,
  input: { name: string; monthly_quota: number },
): Promise<WorkspaceRecord> {
  return deps.store.workspaces.createWorkspace(input);
}

export async function getWorkspace(deps: WorkspaceDeps, id: string): Promise<WorkspaceRecord> {
  const ws = await deps.store.workspaces.getWorkspace(id, { consistent: true });
  if (!ws) throw workspaceNotFound();
  // `shards` (docs/scaling.md) is in the answer once an operator set it; absent means 1
  return ws;
}

/** The PATCH answer: the workspace, and when a quota change has reached every avatar request. */
export interface WorkspaceUpdated extends WorkspaceRecord {
  /**
   * Only when the patch set monthly_quota. Avatar functions hold each key's workspace quota in
   * their key cache (app/authenticate.ts) for AVTRZ_KEY_CACHE_SECONDS, so until this time some
   * requests are still checked against (and report in x-quota-limit) the previous quota.
   */
  monthly_quota_applies_by?: string;
  monthly_quota_applies_within_seconds?: number;
}

/**
 * The quota change is announced rather than applied at once: applying it at once would need the
 * workspace read on every avatar request (two DynamoDB calls on the hot path instead of one) or
 * the quota carried in the contended usage counter; it takes effect on the same terms as a key's
 * revocation or allow-list change (spec section 1, "within the key-cache TTL").
 */
export async function updateWorkspace(
  deps: WorkspaceDeps & Pick<AppDeps, 'config' | 'now'>,
  id: string,
  patch: { name?: string; monthly_quota?: number; shards?: number },
): Promise<WorkspaceUpdated> {
  // like the quota, a new shard count reaches the avatar functions with their key cache
  const ws = await deps.store.workspaces.updateWorkspace(id, patch);
  if (!ws) throw workspaceNotFound();
  if (patch.monthly_quota === undefined) return ws;
  const seconds = deps.config.keyCacheSeconds;
  return {
    ...ws,
    monthly_quota_applies_by: new Date(deps.now().getTime() + seconds * 1000).toISOString(),
    monthly_quota_applies_within_seconds: seconds,
  };
}
