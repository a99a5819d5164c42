/**
 * Workspace management (spec sections 8 and 11): operators manage every workspace; a console
 * member sees and renames only the workspaces of their claim (app/access.ts), and neither creates
 * workspaces nor changes a quota (the quota is what the operator bills against).
 */
import { workspaceNotFound } from '../core/admin-validation';
import type { WorkspaceRecord } from '../core/records';
import { encodeCursor, pageOf, type WorkspacePageQuery } from '../core/workspace-page';
import { type Caller, requireOperator, workspaceOfCaller } from './access';
import type { AppDeps } from './ports';

type WorkspaceDeps = Pick<AppDeps, 'store'>;

export function createWorkspace(
  deps: WorkspaceDeps,
  caller: Caller,
  input: { name: string; monthly_quota: number },
): Promise<WorkspaceRecord> {
  requireOperator(caller, 'create workspaces');
  return deps.store.workspaces.createWorkspace(input);
}

export interface WorkspacePage {
  workspaces: WorkspaceRecord[];
  next_cursor?: string;
}

/**
 * The workspaces the caller may see, newest first: for an operator a page of the index of every
 * workspace; for a member the workspaces of their claim (at most 100, read by id), paged in the
 * same order with the same cursor.
 */
export async function listWorkspaces(
  deps: WorkspaceDeps,
  caller: Caller,
  query: WorkspacePageQuery,
): Promise<WorkspacePage> {
  const page =
    caller.kind === 'operator'
      ? await deps.store.workspaces.listWorkspaces(query)
      : pageOf(await deps.store.workspaces.getWorkspaces(caller.workspaces), query);
  return page.next
    ? { workspaces: page.workspaces, next_cursor: encodeCursor(page.next) }
    : { workspaces: page.workspaces };
}

export async function getWorkspace(
  deps: WorkspaceDeps,
  caller: Caller,
  id: string,
): Promise<WorkspaceRecord> {
  const ws = await deps.store.workspaces.getWorkspace(workspaceOfCaller(caller, id), { consistent: true });
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
  caller: Caller,
  id: string,
  patch: { name?: string; monthly_quota?: number; shards?: number },
): Promise<WorkspaceUpdated> {
  workspaceOfCaller(caller, id);
  if (patch.monthly_quota !== undefined) requireOperator(caller, "change a workspace's monthly quota");
  // budget shards cost items and transactions (docs/scaling.md): an operator's decision too; like
  // the quota, a new shard count reaches the avatar functions with their key cache
  if (patch.shards !== undefined) requireOperator(caller, "change a workspace's budget shards");
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
