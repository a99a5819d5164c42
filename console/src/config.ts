/**
 * The console's settings, read at start from `config.json` next to index.html: written at deploy
 * time in AWS (lib/constructs/console.ts), served by the local stack locally. Nothing about the
 * deployment is compiled into the bundle, so one bundle serves every stage.
 */
export interface ConsoleConfig {
  /** OIDC issuer (Cognito user pool, or the local stack's issuer stand-in) */
  issuer: string;
  /** app client id (no secret: the SPA uses PKCE) */
  clientId: string;
  /** space-separated scopes; must include the API's scope (avtrz/console) */
  scope: string;
  /** base URL of the avtrz API, no trailing slash */
  apiBase: string;
  /** where the issuer sends the browser back: <origin>/console/ */
  redirectUri: string;
  /** endpoints when known; otherwise read from the issuer's discovery document */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  /** sign-out (Cognito's /logout: client_id + logout_uri); absent = sign out in this tab only */
  endSessionEndpoint?: string;
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const res = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json answered ${res.status}: the console is not deployed completely.`);
  const c = (await res.json()) as ConsoleConfig;
  for (const f of ['issuer', 'clientId', 'scope', 'apiBase', 'redirectUri'] as const) {
    if (typeof c[f] !== 'string' || !c[f]) throw new Error(`config.json has no ${f}.`);
  }
  return { ...c, apiBase: c.apiBase.replace(/\/+$/, '') };
}
