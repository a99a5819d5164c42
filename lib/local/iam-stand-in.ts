/**
 * API Gateway's IAM authorizer on the admin routes, locally: SigV4 needs real AWS credentials, so
 * the local stack takes `Authorization: Bearer $AVTRZ_ADMIN_TOKEN` instead. Like IAM it ignores
 * API keys: an authorised request reaches the handler, which refuses API keys and flags a secret
 * key in the URL (lambdas/http/admin.ts), as it does in AWS.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { API_KEY_ON_ADMIN_MESSAGE } from '../../lambdas/core/admin-validation';
import { AvtrzError } from '../../lambdas/core/errors';

function sameSecret(a: string, b: string): boolean {
  // compare digests: constant time and independent of the lengths
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** An API key in either place a caller may send one (x-api-key, ?key=). */
function carriesApiKey(event: APIGatewayProxyEventV2): boolean {
  return event.headers?.['x-api-key'] !== undefined || 'key' in (event.queryStringParameters ?? {});
}

/** The bearer admin token (an API key is no credential here, and no reason to refuse either). */
export function adminAuthorized(event: APIGatewayProxyEventV2, adminToken: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(event.headers?.authorization ?? '');
  if (!m || !adminToken) return false;
  return sameSecret(m[1], adminToken);
}

/** Why adminAuthorized refused: an API key, or no/wrong admin token (say which credential works). */
function adminRefusal(event: APIGatewayProxyEventV2): string {
  if (carriesApiKey(event)) return API_KEY_ON_ADMIN_MESSAGE;
  return (
    'The management API needs Authorization: Bearer <admin token> on the local stack ' +
    '(AVTRZ_ADMIN_TOKEN, printed by npm run dev); in AWS it uses IAM (SigV4).'
  );
}

/**
 * The authorizer's decision on an admin route's event: the 403 to answer, or undefined after
 * adding to the event what the IAM authorizer adds for a signed caller.
 */
export function authorizeAdmin(event: APIGatewayProxyEventV2, adminToken: string): AvtrzError | undefined {
  if (!adminAuthorized(event, adminToken)) return new AvtrzError('forbidden', adminRefusal(event));
  (event.requestContext as unknown as Record<string, unknown>).authorizer = {
    iam: {
      accessKey: 'LOCAL',
      accountId: '000000000000',
      callerId: 'local-admin',
      principalOrgId: null,
      userArn: 'arn:aws:iam::000000000000:user/local-admin',
      userId: 'local-admin',
      cognitoIdentity: null,
    },
  };
  return undefined;
}
