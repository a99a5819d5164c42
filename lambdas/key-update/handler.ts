/**
 * PATCH /v1/admin/workspaces/{ws}/keys/{id} {name?, allowed_domains?} → 200 the key.
 * Takes effect on every instance within the key-cache TTL.
 */
import { adminWorkspace, keyIdOrNotFound, parseKeyUpdate } from '../core/admin-validation';
import { normaliseDomainEntry } from '../core/domains';
import { AvtrzError, invalidParam } from '../core/errors';
import { keyView } from '../core/usage-shape';
import { httpHandler, json, parseJsonBody } from '../shared/http';
import { getKey, updateKey } from '../store/keys';

export const handler = httpHandler(async (event, { log }) => {
  const wsId = adminWorkspace(event);
  const keyId = keyIdOrNotFound(event.pathParameters?.id);
  const patch = parseKeyUpdate(parseJsonBody(event), normaliseDomainEntry);
  if (patch.allowed_domains?.length === 0) {
    // the type never changes, so reading it first cannot race
    const current = await getKey(wsId, keyId);
    if (!current) throw new AvtrzError('not_found', 'Key not found.');
    if (current.type === 'publishable') {
      throw invalidParam('allowed_domains', 'A publishable key needs at least one allowed domain.');
    }
  }
  const rec = await updateKey(wsId, keyId, patch);
  if (!rec) throw new AvtrzError('not_found', 'Key not found.');
  log.info('key updated', { workspace_id: wsId, key_id: keyId, fields: Object.keys(patch) });
  return json(200, keyView(rec, new Date()));
});
