/** POST /v1/admin/workspaces/{ws}/keys → 201 the key, the only time the full key is shown. */
import { adminWorkspace, parseKeyCreate, workspaceNotFound } from '../core/admin-validation';
import { normaliseDomainEntry } from '../core/domains';
import { createdKeyView } from '../core/usage-shape';
import { httpHandler, json, parseJsonBody } from '../shared/http';
import { createKey } from '../store/keys';
import { getWorkspace } from '../store/workspaces';

export const handler = httpHandler(async (event, { log }) => {
  const wsId = adminWorkspace(event);
  const input = parseKeyCreate(parseJsonBody(event), normaliseDomainEntry);
  if (!(await getWorkspace(wsId, { consistent: true }))) throw workspaceNotFound();
  const { record, key } = await createKey({ workspace_id: wsId, ...input });
  log.info('key created', { workspace_id: wsId, key_id: record.id, type: record.type });
  return json(201, createdKeyView(record, key));
});
