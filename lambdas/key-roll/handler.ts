/**
 * POST /v1/admin/workspaces/{ws}/keys/{id}/roll {overlap_seconds?} → 201 the new key (with `key`)
 * and `previous` (the old key with `expires_at`). overlap 0 revokes the old key now.
 */
import { adminWorkspace, keyIdOrNotFound, keyNotFound, parseRoll } from '../core/admin-validation';
import { invalidParam } from '../core/errors';
import { createdKeyView, keyView } from '../core/usage-shape';
import { httpHandler, json, parseJsonBody } from '../shared/http';
import { rollKey } from '../store/keys';

export const handler = httpHandler(async (event, { log }) => {
  const wsId = adminWorkspace(event);
  const keyId = keyIdOrNotFound(event.pathParameters?.id);
  const { overlap_seconds } = parseRoll(event.body ? parseJsonBody(event) : undefined);
  const now = new Date();
  const res = await rollKey(wsId, keyId, overlap_seconds, now);
  if (!res.ok) {
    if (res.reason === 'not_found') throw keyNotFound();
    throw invalidParam(
      'id',
      `This key is already ${res.reason} and cannot be rolled; create a new key instead.`,
    );
  }
  log.info('key rolled', {
    workspace_id: wsId,
    key_id: keyId,
    new_key_id: res.record.id,
    expires_at: res.previous.expires_at,
  });
  return json(201, { ...createdKeyView(res.record, res.key), previous: keyView(res.previous, now) });
});
