/** PATCH /v1/admin/workspaces/{ws} {name?, monthly_quota?} → 200 the workspace. */
import { updateWorkspace } from '../app/workspaces';
import { adminWorkspace, parseWorkspaceUpdate } from '../core/admin-validation';
import { adminHandler } from '../http/admin';
import { parseJsonBody } from '../http/request';
import { json } from '../http/responses';
import { createRuntime, type Runtime } from '../runtime';

export function createHandler(rt: Runtime) {
  return adminHandler(rt, async (event, { caller }) => {
    const wsId = adminWorkspace(event);
    return json(200, await updateWorkspace(rt, caller, wsId, parseWorkspaceUpdate(parseJsonBody(event))));
  });
}

export const handler = createHandler(createRuntime());
