/**
 * The console's settings on the local stack: what `/console/config.json` answers (the deploy-time
 * config.json in AWS has the same fields, from lib/constructs/console-auth.ts `settings`).
 */
import { CONSOLE_SCOPES, type OidcIssuer } from './oidc';

export interface ConsoleConfig {
  /** the token issuer (`iss`): the local stand-in, or the Cognito user pool */
  issuer: string;
  /** the app client (no secret): authorization code + PKCE */
  clientId: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** sign-out: `?client_id=…&logout_uri=<redirectUri>` (Cognito's /logout) */
  endSessionEndpoint: string;
  /** space-separated scopes to ask for; the API requires `avtrz/console` */
  scope: string;
  /** the API's base URL, no trailing slash: the console calls `${apiBase}/v1/console/…` */
  apiBase: string;
  /** where the issuer sends the code back: the console's own URL (registered) */
  redirectUri: string;
}

/**
 * The config for a console loaded from `origin` (the page's own origin, e.g. the request's
 * `http://localhost:3000`), if it is one of the registered console origins; otherwise the
 * 127.0.0.1 one. The issuer stays the same whichever origin the console is opened on.
 */
export function localConsoleConfig(
  oidc: Pick<OidcIssuer, 'issuer' | 'clientId' | 'consoleOrigins'>,
  origin?: string,
): ConsoleConfig {
  const base = origin && oidc.consoleOrigins.includes(origin) ? origin : oidc.consoleOrigins[0];
  return {
    issuer: oidc.issuer,
    clientId: oidc.clientId,
    authorizationEndpoint: `${oidc.issuer}/authorize`,
    tokenEndpoint: `${oidc.issuer}/token`,
    endSessionEndpoint: `${oidc.issuer}/logout`,
    scope: CONSOLE_SCOPES,
    apiBase: base,
    redirectUri: `${base}/console/`,
  };
}
