/**
 * The caller of a management route, from what API Gateway put in the event: on `/v1/console/…`
 * the JWT authorizer's verified claims (`requestContext.authorizer.jwt.claims`); on
 * `/v1/admin/…` an operator, since only IAM-signed requests (the admin token locally) reach the
 * function there. A console route without verified claims means the route lost its authorizer:
 * it is refused, never treated as an operator.
 */
import { type Caller, callerFromClaims } from '../core/caller';
import { AvtrzError } from '../core/errors';
import type { HttpEvent } from './request';

const CONSOLE_PREFIX = '/v1/console/';

interface JwtAuthorizerContext {
  jwt?: { claims?: Record<string, unknown>; scopes?: string[] | null };
}

export function callerOf(event: HttpEvent): Caller {
  const rc = event.requestContext as unknown as { authorizer?: JwtAuthorizerContext } | undefined;
  const claims = rc?.authorizer?.jwt?.claims;
  if (claims && typeof claims === 'object') return callerFromClaims(claims);
  const path = event.rawPath ?? event.requestContext?.http?.path ?? '';
  if (path.startsWith(CONSOLE_PREFIX)) throw new AvtrzError('unauthorized');
  return { kind: 'operator', subject: 'iam' };
}
