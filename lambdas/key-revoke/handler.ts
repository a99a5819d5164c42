/** DELETE /v1/admin/workspaces/{ws}/keys/{id} → 200 the key, status revoked. Idempotent. */
import { revokeKeyOf } from '../app/keys';
import { adminWorkspace, keyIdOrNotFound } from '../core/admin-validation';
import { adminHandler } from '../http/admin';
import { json } from '../http/responses';
import { createRuntime, type Runtime } from '../runtime';

export function createHandler(rt: Runtime) {
  return adminHandler(rt, async (event, { log }) => {
    const wsId = adminWorkspace(event);
    const keyId = keyIdOrNotFound(event.pathParameters?.id);
    return json(200, await revokeKeyOf({ store: rt.store, now: rt.now, log }, wsId, keyId));
  });
}

export const handler = createHandler(createRuntime());
