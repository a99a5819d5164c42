/**
 * POST /v1/admin/workspaces/{ws}/keys/{id}/roll {overlap_seconds?} → 201 the new key (with `key`)
 * and `previous` (the old key with `expires_at`). overlap 0 revokes the old key now.
 */
import { rollKeyOf } from '../app/keys';
import { adminWorkspace, keyIdOrNotFound, parseRoll } from '../core/admin-validation';
import { adminHandler } from '../http/admin';
import { parseJsonBody } from '../http/request';
import { json } from '../http/responses';
import { createRuntime, type Runtime } from '../runtime';

export function createHandler(rt: Runtime) {
  return adminHandler(rt, async (event, { log }) => {
    const wsId = adminWorkspace(event);
    const keyId = keyIdOrNotFound(event.pathParameters?.id);
    const { overlap_seconds } = parseRoll(event.body ? parseJsonBody(event) : undefined);
    return json(201, await rollKeyOf({ store: rt.store, now: rt.now, log }, wsId, keyId, overlap_seconds));
  });
}

export const handler = createHandler(createRuntime());
