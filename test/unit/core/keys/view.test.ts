import { keyView } from '../../../../lambdas/core/keys/view';

it('key view never carries key material', () => {
  const now = new Date('2026-11-28T12:00:00Z');
  const rec = { id: 'key_a', workspace_id: 'ws_a', type: 'secret' as const, name: 'n', last4: 'abcd' };
  const stored = {
    ...rec,
    allowed_domains: [],
    created_at: 'x',
    key_hash: 'deadbeef',
    key: 'sk_live_secret',
  };
  const v = keyView(stored, now, null);
  expect(JSON.stringify(v)).not.toMatch(/deadbeef|sk_live_secret/);
  expect(v.last_used_at).toBeNull();
  expect('last_used_at' in keyView(stored, now)).toBe(false);
});
