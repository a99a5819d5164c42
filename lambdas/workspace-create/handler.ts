/** POST /v1/admin/workspaces → 201 the workspace. */
import { parseWorkspaceCreate, refuseApiKey } from '../core/admin-validation';
import { httpHandler, json, parseJsonBody } from '../shared/http';
import { createWorkspace } from '../store/workspaces';

export const handler = httpHandler(async (event) => {
  refuseApiKey(event.headers, event.queryStringParameters);
  const input = parseWorkspaceCreate(parseJsonBody(event));
  const ws = await createWorkspace(input);
  return json(201, ws);
});
