/**
 * Paging of `GET /v1/admin/workspaces` (newest first). The cursor is opaque to clients: the
 * base64url JSON of the last workspace's `created_at` and `id`, the position in the newest-first
 * order after which the next page starts. It is validated like any input (a bad one is
 * `400 invalid_request` naming `cursor`) and carries nothing a caller could not already see.
 */
import { invalidParam } from './errors';
import type { WorkspaceRecord } from './records';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;
const WS_ID = /^ws_[0-9A-Za-z]{16}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const MAX_CURSOR_CHARS = 200;

/** A position in the newest-first order: strictly after it come older workspaces. */
export interface WorkspaceCursor {
  created_at: string;
  id: string;
}

export interface WorkspacePageQuery {
  limit: number;
  after?: WorkspaceCursor;
}

export function encodeCursor(c: WorkspaceCursor): string {
  return Buffer.from(JSON.stringify({ c: c.created_at, i: c.id }), 'utf8').toString('base64url');
}

function decodeCursor(raw: string): WorkspaceCursor {
  const bad = () => invalidParam('cursor', 'cursor is not valid: pass the next_cursor of a previous page.');
  if (!raw || raw.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(raw)) throw bad();
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const o = v as { c?: unknown; i?: unknown } | null;
  if (!o || typeof o !== 'object' || typeof o.c !== 'string' || typeof o.i !== 'string') throw bad();
  if (!ISO.test(o.c) || Number.isNaN(Date.parse(o.c)) || !WS_ID.test(o.i)) throw bad();
  return { created_at: o.c, id: o.i };
}

export function parseWorkspacePageQuery(
  query: Record<string, string | undefined> | undefined,
): WorkspacePageQuery {
  const q = query ?? {};
  let limit = DEFAULT_PAGE_SIZE;
  if (q.limit !== undefined) {
    if (!/^\d{1,3}$/.test(q.limit) || Number(q.limit) < 1 || Number(q.limit) > MAX_PAGE_SIZE) {
      throw invalidParam(
        'limit',
        `limit must be an integer from 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).`,
      );
    }
    limit = Number(q.limit);
  }
  return q.cursor === undefined ? { limit } : { limit, after: decodeCursor(q.cursor) };
}

/** The sort key of the newest-first order; equal `created_at` are ordered by id. */
export function pageOrderKey(w: Pick<WorkspaceRecord, 'created_at' | 'id'>): string {
  return `${w.created_at}#${w.id}`;
}

/** Newest first, then the page after `after` (for a list already in memory). */
export function pageOf(all: readonly WorkspaceRecord[], query: WorkspacePageQuery) {
  const sorted = [...all].sort((a, b) => (pageOrderKey(a) < pageOrderKey(b) ? 1 : -1));
  const start = query.after ? pageOrderKey(query.after) : undefined;
  const rest = start === undefined ? sorted : sorted.filter((w) => pageOrderKey(w) < start);
  const workspaces = rest.slice(0, query.limit);
  const more = rest.length > query.limit;
  const last = workspaces[workspaces.length - 1];
  return more && last ? { workspaces, next: { created_at: last.created_at, id: last.id } } : { workspaces };
}
