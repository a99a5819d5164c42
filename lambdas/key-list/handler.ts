/** GET /v1/admin/workspaces/{ws}/keys → 200 {keys:[…]}: never the key, never its hash. */
import { listKeysOf } from '../app/keys';
import { adminWorkspace } from '../core/admin-validation';
import { adminHandler } from '../http/admin';
import { json } from '../http/responses';
import { createRuntime, type Runtime } from '../runtime';

export function createHandler(rt: Runtime) {
  return adminHandler(rt, async (event) => json(200, await listKeysOf(rt, adminWorkspace(event))));
}

export const handler = createHandler(createRuntime());
