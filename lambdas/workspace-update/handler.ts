/** PATCH /v1/admin/workspaces/{ws} {name?, monthly_quota?} → 200 the workspace. */
import { adminWorkspace, parseWorkspaceUpdate, workspaceNotFound } from '../core/admin-validation';
import { httpHandler, json, parseJsonBody } from '../shared/http';
import { updateWorkspace } from '../store/workspaces';

export const handler = httpHandler(async (event) => {
  const wsId = adminWorkspace(event);
  const patch = parseWorkspaceUpdate(parseJsonBody(event));
  const ws = await updateWorkspace(wsId, patch);
  if (!ws) throw workspaceNotFound();
  return json(200, ws);
});
