/**
 * The console's settings on the local stack: what `/console/config.json` answers (the deploy-time
 * config.json in AWS has the same fields, from lib/constructs/console-auth.ts `settings`).
 */
import type { ConsoleConfig as SpaConsoleConfig } from '../../console/src/config';
import { CONSOLE_SCOPES, type OidcIssuer } from './oidc';

/** config.json as the console reads it (console/src/config.ts), every field given locally */
export type ConsoleConfig = Required<SpaConsoleConfig>;

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
