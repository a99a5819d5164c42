/** GET /v1/admin/workspaces/{ws}/usage?month=YYYY-MM[&from=…&to=…] → the same answer as GET /v1/usage. */
import { usageOfWorkspace } from '../app/usage';
import { adminWorkspace, workspaceNotFound } from '../core/admin-validation';
import { adminHandler } from '../http/admin';
import { json } from '../http/responses';
import { createRuntime, type Runtime } from '../runtime';

export function createHandler(rt: Runtime) {
  return adminHandler(rt, async (event) => {
    const wsId = adminWorkspace(event);
    const usage = await usageOfWorkspace(rt, wsId, event.queryStringParameters);
    if (!usage) throw workspaceNotFound();
    return json(200, usage);
  });
}

export const handler = createHandler(createRuntime());
