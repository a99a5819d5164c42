/** GET /v1/admin/workspaces/{ws} → 200 the workspace. */
import { adminWorkspace } from '../core/admin-validation';
import { AvtrzError } from '../core/errors';
import { httpHandler, json } from '../shared/http';
import { getWorkspace } from '../store/workspaces';

export const handler = httpHandler(async (event) => {
  const wsId = adminWorkspace(event);
  const ws = await getWorkspace(wsId, { consistent: true });
  if (!ws) throw new AvtrzError('not_found', 'Workspace not found.');
  return json(200, ws);
});
