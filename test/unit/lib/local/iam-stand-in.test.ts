/**
 * The local stand-in for API Gateway's IAM authorizer on the admin routes: the admin token as a
 * bearer token. Like IAM it ignores API keys; the admin handlers refuse them and flag a secret key
 * in the URL (lambdas/http/admin.ts). Pure: no servers.
 */
import { adminAuthorized } from '../../../../lib/local/iam-stand-in';

describe('adminAuthorized (the IAM authorizer stand-in)', () => {
  const token = 'admin-token-123';
  const ev = (headers: Record<string, string>, query?: Record<string, string>) =>
    ({ headers, queryStringParameters: query }) as unknown as Parameters<typeof adminAuthorized>[0];

  test('only the exact bearer token; the handler refuses (and flags) API keys, as behind IAM', () => {
    expect(adminAuthorized(ev({ authorization: `Bearer ${token}` }), token)).toBe(true);
    expect(adminAuthorized(ev({ authorization: `bearer ${token}` }), token)).toBe(true);
    expect(adminAuthorized(ev({}), token)).toBe(false);
    expect(adminAuthorized(ev({ authorization: `Bearer ${token}x` }), token)).toBe(false);
    expect(adminAuthorized(ev({ authorization: token }), token)).toBe(false);
    expect(adminAuthorized(ev({ authorization: 'Bearer ' }), token)).toBe(false);
    expect(adminAuthorized(ev({ authorization: `Bearer ${token}`, 'x-api-key': 'sk_live_x' }), token)).toBe(
      true,
    );
    expect(adminAuthorized(ev({ authorization: `Bearer ${token}` }, { key: 'sk_live_x' }), token)).toBe(true);
    expect(adminAuthorized(ev({ 'x-api-key': 'sk_live_x' }), token)).toBe(false);
    expect(adminAuthorized(ev({ authorization: 'Bearer ' }), '')).toBe(false);
  });
});
