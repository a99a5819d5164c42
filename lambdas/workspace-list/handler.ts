/**
 * GET /v1/admin/workspaces (and /v1/console/workspaces) → 200 {workspaces:[…], next_cursor?}:
 * newest first, `?limit=` 1–100 (default 50), `?cursor=` the previous page's next_cursor. A
 * console member gets only the workspaces of their claim (app/workspaces.ts listWorkspaces).
 */
import { listWorkspaces } from '../app/workspaces';
import { refuseApiKey } from '../core/admin-validation';
import { parseWorkspacePageQuery } from '../core/workspace-page';
import { adminHandler } from '../http/admin';
import { json } from '../http/responses';
import { createRuntime, type Runtime } from '../runtime';

export function createHandler(rt: Runtime) {
  return adminHandler(rt, async (event, { caller }) => {
    refuseApiKey(event.headers, event.queryStringParameters);
    return json(200, await listWorkspaces(rt, caller, parseWorkspacePageQuery(event.queryStringParameters)));
  });
}

export const handler = createHandler(createRuntime());
