/** POST /v1/admin/workspaces → 201 the workspace. */
import { createWorkspace } from '../app/workspaces';
import { parseWorkspaceCreate, refuseApiKey } from '../core/admin-validation';
import { adminHandler } from '../http/admin';
import { parseJsonBody } from '../http/request';
import { json } from '../http/responses';
import { createRuntime, type Runtime } from '../runtime';

export function createHandler(rt: Runtime) {
  return adminHandler(rt, async (event, { caller }) => {
    refuseApiKey(event.headers, event.queryStringParameters);
    return json(201, await createWorkspace(rt, caller, parseWorkspaceCreate(parseJsonBody(event))));
  });
}

export const handler = createHandler(createRuntime());
