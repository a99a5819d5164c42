/**
 * The Cognito user pool of the template, as far as the API sees it: an issuer (the pool's
 * ProviderURL) with an RS256 key, whose access tokens look like Cognito's (`client_id` = the
 * template's app client, `scope` = the client's AllowedOAuthScopes, `cognito:groups`,
 * `token_use: access`) and carry what the pool's pre-token-generation trigger adds: the trigger
 * is the template's own function (LambdaConfig.PreTokenGenerationConfig), invoked with a V2_0
 * event as Cognito invokes it. The API Gateway stand-in verifies these tokens with the template's
 * JwtConfiguration (aws-standins.ts).
 */
import { randomUUID } from 'node:crypto';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWTPayload,
  type JWTVerifyGetKey,
  SignJWT,
} from 'jose';
import type { FunctionHost } from './function-host';
import { type IntrinsicContext, resolve } from './intrinsics';
import type { Assembly, Cfn } from './template';

export interface PoolUser {
  email: string;
  groups?: string[];
  /** the custom attribute `workspaces` (comma-separated ids) */
  workspaces?: string;
}

export interface UserPoolStandIn {
  issuer: string;
  clientId: string;
  jwks: JWTVerifyGetKey;
  /** an access token for `user`, through the template's trigger; `claims` override any claim */
  accessToken(user: PoolUser, claims?: JWTPayload): Promise<string>;
}

/** The one user pool of the template (and its one app client), or undefined if there is none. */
export async function userPoolOf(
  asm: Assembly,
  ictx: IntrinsicContext,
  hostFor: (functionLogicalId: string) => FunctionHost | undefined,
): Promise<UserPoolStandIn | undefined> {
  const res = asm.template.Resources;
  const pools = Object.entries(res).filter(([, r]) => r.Type === 'AWS::Cognito::UserPool');
  if (pools.length === 0) return undefined;
  if (pools.length > 1) throw new Error('more than one user pool is not modelled');
  const [poolId, pool] = pools[0];
  const clients = Object.values(res).filter(
    (r) => r.Type === 'AWS::Cognito::UserPoolClient' && r.Properties.UserPoolId?.Ref === poolId,
  );
  if (clients.length !== 1) throw new Error(`expected one app client of ${poolId}, found ${clients.length}`);
  const clientProps = clients[0].Properties;
  const clientLogicalId = Object.entries(res).find(([, r]) => r === clients[0])?.[0] as string;
  const trigger = pool.Properties.LambdaConfig?.PreTokenGenerationConfig;
  if (trigger && trigger.LambdaVersion !== 'V2_0') throw new Error('only the V2_0 token trigger is modelled');
  const triggerFn: string | undefined = trigger?.LambdaArn?.['Fn::GetAtt']?.[0];

  const issuer = resolve({ 'Fn::GetAtt': [poolId, 'ProviderURL'] }, ictx);
  const clientId = resolve({ Ref: clientLogicalId }, ictx);
  const scope = (clientProps.AllowedOAuthScopes as Cfn[]).map((s) => resolve(s, ictx)).join(' ');
  const kid = randomUUID();
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwks = createLocalJWKSet({
    keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }],
  });

  return {
    issuer,
    clientId,
    jwks,
    async accessToken(user, claims = {}) {
      const sub = randomUUID();
      let added: Record<string, string> = {};
      if (triggerFn) {
        const host = hostFor(triggerFn);
        if (!host) throw new Error(`the token trigger ${triggerFn} was not started`);
        const out = await host.invoke({
          version: '2',
          triggerSource: 'TokenGeneration_HostedAuth',
          region: ictx.region,
          userPoolId: resolve({ Ref: poolId }, ictx),
          userName: sub,
          callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId },
          request: {
            userAttributes: {
              sub,
              email: user.email,
              email_verified: 'true',
              ...(user.workspaces ? { 'custom:workspaces': user.workspaces } : {}),
            },
            groupConfiguration: {
              groupsToOverride: user.groups ?? [],
              iamRolesToOverride: [],
              preferredRole: null,
            },
            scopes: scope.split(' '),
          },
          response: { claimsAndScopeOverrideDetails: null },
        });
        if (out.error) throw new Error(`the token trigger failed: ${out.error.errorMessage}`);
        const payload = out.payload as {
          response?: {
            claimsAndScopeOverrideDetails?: {
              accessTokenGeneration?: { claimsToAddOrOverride?: Record<string, string> };
            };
          };
        };
        added =
          payload.response?.claimsAndScopeOverrideDetails?.accessTokenGeneration?.claimsToAddOrOverride ?? {};
      }
      const t = Math.floor(Date.now() / 1000);
      return new SignJWT({
        sub,
        ...(user.groups?.length ? { 'cognito:groups': user.groups } : {}),
        ...added,
        iss: issuer,
        version: 2,
        client_id: clientId,
        origin_jti: randomUUID(),
        event_id: randomUUID(),
        token_use: 'access',
        scope,
        auth_time: t,
        exp: t + 3600,
        iat: t,
        jti: randomUUID(),
        username: sub,
        ...claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid })
        .sign(privateKey);
    },
  };
}
