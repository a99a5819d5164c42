/** GET /v1/admin/workspaces/{ws} → 200 the workspace. */
import { getWorkspace } from '../app/workspaces';
import { adminWorkspace } from '../core/admin-validation';
import { adminHandler } from '../http/admin';
import { json } from '../http/responses';
import { createRuntime, type Runtime } from '../runtime';

export function createHandler(rt: Runtime) {
  return adminHandler(rt, async (event, { caller }) =>
    json(200, await getWorkspace(rt, caller, adminWorkspace(event))),
  );
}

export const handler = createHandler(createRuntime());
