/** GET /v1/admin/workspaces/{ws}/keys → 200 {keys:[…]}: never the key, never its hash. */
import { adminWorkspace, workspaceNotFound } from '../core/admin-validation';
import { monthOf } from '../core/quota';
import { keyView } from '../core/usage-shape';
import { httpHandler, json } from '../shared/http';
import { listKeys } from '../store/keys';
import { lastUsedAt } from '../store/usage-read';
import { getWorkspace } from '../store/workspaces';

export const handler = httpHandler(async (event) => {
  const wsId = adminWorkspace(event);
  const now = new Date();
  const [ws, keys] = await Promise.all([getWorkspace(wsId, { consistent: true }), listKeys(wsId)]);
  if (!ws) throw workspaceNotFound();
  const used = await lastUsedAt(wsId, keys, monthOf(now));
  return json(200, { keys: keys.map((k) => keyView(k, now, used.get(k.id) ?? null)) });
});
