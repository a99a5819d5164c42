/** Paging of GET /v1/admin/workspaces (core/workspace-page.ts): limits, the opaque cursor, the order. */
import type { WorkspaceRecord } from '../../../lambdas/core/records';
import { encodeCursor, pageOf, parseWorkspacePageQuery } from '../../../lambdas/core/workspace-page';

const ws = (n: number, created_at: string): WorkspaceRecord => ({
  id: `ws_${String(n).padStart(16, '0')}`,
  name: `w${n}`,
  monthly_quota: 1,
  created_at,
});

describe('parseWorkspacePageQuery', () => {
  test('defaults to 50, takes 1..100', () => {
    expect(parseWorkspacePageQuery(undefined)).toEqual({ limit: 50 });
    expect(parseWorkspacePageQuery({ limit: '1' })).toEqual({ limit: 1 });
    expect(parseWorkspacePageQuery({ limit: '100' })).toEqual({ limit: 100 });
  });

  test.each(['0', '101', '-1', '1.5', 'ten', '', '0100'])('limit %p → 400 naming limit', (limit) => {
    expect(() => parseWorkspacePageQuery({ limit })).toThrow(
      expect.objectContaining({ status: 400, param: 'limit' }),
    );
  });

  test('a cursor round-trips', () => {
    const c = { created_at: '2026-12-01T10:00:00.000Z', id: 'ws_0123456789abcdef' };
    expect(parseWorkspacePageQuery({ cursor: encodeCursor(c) })).toEqual({ limit: 50, after: c });
  });

  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  test.each([
    ['not base64', '!!!'],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['no id', b64({ c: '2026-12-01T10:00:00.000Z' })],
    ['a bad id', b64({ c: '2026-12-01T10:00:00.000Z', i: 'ws_x' })],
    ['a bad time', b64({ c: 'yesterday', i: 'ws_0123456789abcdef' })],
    ['an injected key', b64({ c: '2026-12-01T10:00:00.000Z', i: 'ws_0123456789abcdef#x' })],
    ['too long', 'A'.repeat(500)],
    ['empty', ''],
  ])('cursor %s → 400 naming cursor', (_name, cursor) => {
    expect(() => parseWorkspacePageQuery({ cursor })).toThrow(
      expect.objectContaining({ status: 400, param: 'cursor' }),
    );
  });
});

describe('pageOf (a member’s workspaces, in memory)', () => {
  const all = [
    ws(1, '2026-01-01T00:00:00.000Z'),
    ws(3, '2026-03-01T00:00:00.000Z'),
    ws(2, '2026-02-01T00:00:00.000Z'),
  ];

  test('newest first, then the page after the cursor, no cursor on the last page', () => {
    const first = pageOf(all, { limit: 2 });
    expect(first.workspaces.map((w) => w.name)).toEqual(['w3', 'w2']);
    expect(first.next).toEqual({ created_at: '2026-02-01T00:00:00.000Z', id: ws(2, '').id });
    const second = pageOf(all, { limit: 2, after: first.next });
    expect(second.workspaces.map((w) => w.name)).toEqual(['w1']);
    expect(second.next).toBeUndefined();
    expect(pageOf(all, { limit: 3 }).next).toBeUndefined();
  });
});
