/**
 * The console's authorization rules (spec section 11), applied by every management use case:
 * an operator reaches every workspace; a member only the workspaces of their claim, and any other
 * workspace answers exactly like a missing one (`404 not_found`), so ids cannot be probed.
 * Operator-only actions (creating a workspace, changing a quota) answer `403 forbidden`: the
 * route exists for members too, and the answer reveals nothing about any workspace.
 */
import { workspaceNotFound } from '../core/admin-validation';
import { type Caller, mayAccessWorkspace, OPERATORS_GROUP } from '../core/caller';
import { AvtrzError } from '../core/errors';

export type { Caller } from '../core/caller';

/** The workspace id, if the caller may see it; else the same 404 as an unknown workspace. */
export function workspaceOfCaller(caller: Caller, workspaceId: string): string {
  if (!mayAccessWorkspace(caller, workspaceId)) throw workspaceNotFound();
  return workspaceId;
}

export function requireOperator(caller: Caller, action: string): void {
  if (caller.kind !== 'operator') {
    throw new AvtrzError('forbidden', `Only operators (the group ${OPERATORS_GROUP}) may ${action}.`);
  }
}
