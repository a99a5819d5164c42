/** GET /v1/admin/workspaces/{ws}/usage?month=YYYY-MM → the same answer as GET /v1/usage. */
import { adminWorkspace, workspaceNotFound } from '../core/admin-validation';
import { invalidMonth, parseMonth, shapeUsage } from '../core/usage-shape';
import { httpHandler, json } from '../shared/http';
import { loadUsage } from '../store/usage-read';

export const handler = httpHandler(async (event) => {
  const wsId = adminWorkspace(event);
  const now = new Date();
  const month = parseMonth(event.queryStringParameters?.month, now);
  if (!month) throw invalidMonth();
  const data = await loadUsage(wsId, month);
  if (!data) throw workspaceNotFound();
  return json(200, shapeUsage({ ...data, month, now }));
});
