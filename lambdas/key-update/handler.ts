/**
 * PATCH /v1/admin/workspaces/{ws}/keys/{id} {name?, allowed_domains?} → 200 the key.
 * Takes effect on every instance within the key-cache TTL.
 */
import {
  adminWorkspace,
  keyIdOrNotFound,
  keyNotFound,
  parseKeyUpdate,
  publishableNeedsDomain,
} from '../core/admin-validation';
import { normaliseDomainEntry } from '../core/domains';
import { keyView } from '../core/usage-shape';
import { httpHandler, json, parseJsonBody } from '../shared/http';
import { getKey, updateKey } from '../store/keys';

export const handler = httpHandler(async (event, { log }) => {
  const wsId = adminWorkspace(event);
  const keyId = keyIdOrNotFound(event.pathParameters?.id);
  const patch = parseKeyUpdate(parseJsonBody(event), normaliseDomainEntry);
  const rec = await updateKey(wsId, keyId, patch);
  if (!rec) {
    // the write itself refuses to empty a publishable key's list; only then is a read needed to
    // tell that refusal (400) from an unknown key (404). The type never changes, so this cannot race.
    if (patch.allowed_domains?.length === 0 && (await getKey(wsId, keyId))?.type === 'publishable') {
      throw publishableNeedsDomain();
    }
    throw keyNotFound();
  }
  log.info('key updated', { workspace_id: wsId, key_id: keyId, fields: Object.keys(patch) });
  return json(200, keyView(rec, new Date()));
});
