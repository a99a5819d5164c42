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
  return ws;
}

export async function updateWorkspace(
  deps: WorkspaceDeps,
  id: string,
  patch: { name?: string; monthly_quota?: number },
): Promise<WorkspaceRecord> {
  const ws = await deps.store.workspaces.updateWorkspace(id, patch);
  if (!ws) throw workspaceNotFound();
  return ws;
}
