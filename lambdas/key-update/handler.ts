/** PATCH /v1/admin/workspaces/{ws}/keys/{id} {name?, allowed_domains?} → 200 the key. */
import { updateKeyOf } from '../app/keys';
import { adminWorkspace, keyIdOrNotFound, parseKeyUpdate } from '../core/admin-validation';
import { normaliseDomainEntry } from '../core/domains';
import { adminHandler } from '../http/admin';
import { parseJsonBody } from '../http/request';
import { json } from '../http/responses';
import { createRuntime, type Runtime } from '../runtime';

export function createHandler(rt: Runtime) {
  return adminHandler(rt, async (event, { log }) => {
    const wsId = adminWorkspace(event);
    const keyId = keyIdOrNotFound(event.pathParameters?.id);
    const patch = parseKeyUpdate(parseJsonBody(event), normaliseDomainEntry);
    return json(200, await updateKeyOf({ store: rt.store, now: rt.now, log }, wsId, keyId, patch));
  });
}

export const handler = createHandler(createRuntime());
