/** What the JWT authorizer adds to a payload-v2 event (lib/local/apigw-event.ts), as API Gateway does. */
import { addJwtAuthorizer, renderJwtClaims } from '../../../../lib/local/apigw-event';
import { makeEvent } from '../../../support/events';

test('claims become strings: lists as "[a b]", numbers as text, null left out', () => {
  expect(
    renderJwtClaims({
      sub: 'u1',
      'cognito:groups': ['avtrz-operators', 'b'],
      exp: 1767225600,
      email_verified: true,
      gone: null,
      nested: { a: 1 },
    }),
  ).toEqual({
    sub: 'u1',
    'cognito:groups': '[avtrz-operators b]',
    exp: '1767225600',
    email_verified: 'true',
    nested: '{"a":1}',
  });
});

test('requestContext.authorizer.jwt carries the claims and the token scopes', () => {
  const event = makeEvent({ path: '/v1/console/workspaces' });
  addJwtAuthorizer(event, { sub: 'u1', scope: 'openid email avtrz/console' });
  expect((event.requestContext as unknown as { authorizer: unknown }).authorizer).toEqual({
    jwt: {
      claims: { sub: 'u1', scope: 'openid email avtrz/console' },
      scopes: ['openid', 'email', 'avtrz/console'],
    },
  });
});
