/**
 * What the user pool's pre-token-generation trigger adds to an access token. Cognito puts custom
 * attributes in ID tokens only, but the API's JWT authorizer is given the ACCESS token (it is the
 * one that carries the `avtrz/console` scope), so the trigger copies the member's workspaces into
 * it. Groups (`cognito:groups`, where `avtrz-operators` lives) are in access tokens already.
 */
import { WORKSPACES_CLAIM } from './caller';

const WS_LIST = /^ws_[0-9A-Za-z]{16}(,ws_[0-9A-Za-z]{16})*$/;

/** The claims to add to the access token, from the user's attributes (only a well-formed list). */
export function accessTokenClaims(
  userAttributes: Record<string, string | undefined>,
): Record<string, string> {
  const raw = (userAttributes[WORKSPACES_CLAIM] ?? '').replace(/\s+/g, '');
  return WS_LIST.test(raw) ? { [WORKSPACES_CLAIM]: raw } : {};
}
