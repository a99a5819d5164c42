/** POST /v1/admin/workspaces/{ws}/keys → 201 the key, the only time the full key is shown. */
import { createKeyIn } from '../app/keys';
import { adminWorkspace, parseKeyCreate } from '../core/admin-validation';
import { normaliseDomainEntry } from '../core/domains';
import { adminHandler } from '../http/admin';
import { parseJsonBody } from '../http/request';
import { json } from '../http/responses';
import { createRuntime, type Runtime } from '../runtime';

export function createHandler(rt: Runtime) {
  return adminHandler(rt, async (event, { log }) => {
    const wsId = adminWorkspace(event);
    const input = parseKeyCreate(parseJsonBody(event), normaliseDomainEntry);
    return json(
      201,
      await createKeyIn({ store: rt.store, now: rt.now, log }, { workspace_id: wsId, ...input }),
    );
  });
}

export const handler = createHandler(createRuntime());
