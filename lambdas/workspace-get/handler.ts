/** GET /v1/admin/workspaces/{ws} → 200 the workspace. */
import { adminWorkspace, workspaceNotFound } from '../core/admin-validation';
import { httpHandler, json } from '../shared/http';
import { getWorkspace } from '../store/workspaces';

export const handler = httpHandler(async (event) => {
  const wsId = adminWorkspace(event);
  const ws = await getWorkspace(wsId, { consistent: true });
  if (!ws) throw workspaceNotFound();
  return json(200, ws);
});
