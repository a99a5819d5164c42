import { keyStatus } from '../../../../lambdas/core/keys/status';

const now = new Date('2026-11-28T12:00:00Z');

it('revoked wins, expired at or after expires_at', () => {
  expect(keyStatus({}, now)).toBe('active');
  expect(keyStatus({ expires_at: '2026-11-28T12:00:01Z' }, now)).toBe('active');
  expect(keyStatus({ expires_at: '2026-11-28T12:00:00Z' }, now)).toBe('expired');
  expect(keyStatus({ expires_at: '2026-11-29T00:00:00Z', revoked_at: '2026-11-01T00:00:00Z' }, now)).toBe(
    'revoked',
  );
});
