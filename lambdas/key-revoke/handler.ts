/** DELETE /v1/admin/workspaces/{ws}/keys/{id} → 200 the key, status revoked. Idempotent. */
import { adminWorkspace, keyIdOrNotFound, keyNotFound } from '../core/admin-validation';
import { keyView } from '../core/usage-shape';
import { httpHandler, json } from '../shared/http';
import { revokeKey } from '../store/keys';

export const handler = httpHandler(async (event, { log }) => {
  const wsId = adminWorkspace(event);
  const keyId = keyIdOrNotFound(event.pathParameters?.id);
  const rec = await revokeKey(wsId, keyId);
  if (!rec) throw keyNotFound();
  log.info('key revoked', { workspace_id: wsId, key_id: keyId, revoked_at: rec.revoked_at });
  return json(200, keyView(rec, new Date()));
});
