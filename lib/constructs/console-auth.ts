/**
 * The console's sign-in in AWS (spec section 11): a Cognito user pool and everything the console
 * and the API's JWT authorizer need from it.
 *
 * - No self sign-up: operators invite users (`npx avtrz users invite`). Sign-in by email, a strong
 *   password policy, MFA (TOTP) optional, or required with `-c consoleMfa=required`.
 * - Feature plan Plus with standard threat protection enforced (cdk-nag AwsSolutions-COG8): the
 *   console manages API keys, so compromised-credential and risky sign-in detection is worth it.
 * - Group `avtrz-operators` (every workspace); custom attribute `workspaces` (comma-separated
 *   ids) for everyone else, copied into the access token by the pre-token-generation trigger
 *   (lambdas/token-claims), since Cognito puts custom attributes in ID tokens only. The app client
 *   may not write it: a user cannot grant themselves a workspace.
 * - A resource server `avtrz` with the scope `console`; an app client without a secret
 *   (authorization code + PKCE), callback and logout URL = the console on the CDN; a managed-login
 *   domain (prefix from the stack name and an account/region hash) with the Cognito-provided style.
 * - `authorizer`: the HTTP API JWT authorizer (issuer = the pool, audience = the app client);
 *   every console route requires the scope `avtrz/console` (lib/constructs/api.ts).
 */

import { createHash } from 'node:crypto';
import { Duration, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { ConsoleConfig } from '../../console/src/config';
import { OPERATORS_GROUP } from '../../lambdas/core/caller';
import { CONSOLE_SCOPE } from '../../lambdas/routes';

export type ConsoleMfa = 'optional' | 'required';
export const CONSOLE_RESOURCE_SERVER = 'avtrz';
export const CONSOLE_SCOPE_NAME = 'console';
export const CONSOLE_OAUTH_SCOPES = `openid email ${CONSOLE_SCOPE}`;

export interface ConsoleAuthProps {
  prod: boolean;
  mfa: ConsoleMfa;
  /** the console's URLs (`https://<cdn domain>/console/`, and the custom domain's): callback + logout */
  consoleUrls: string[];
  /** the pre-token-generation trigger (lambdas/token-claims) */
  tokenClaims: lambda.IFunction;
}

/** What the console's config.json needs from the user pool: all of it but apiBase (console/src/config.ts). */
export type ConsoleSettings = Omit<Required<ConsoleConfig>, 'apiBase'>;

export class ConsoleAuth extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  readonly resourceServer: cognito.UserPoolResourceServer;
  readonly operators: cognito.CfnUserPoolGroup;
  readonly authorizer: HttpJwtAuthorizer;
  /** `https://cognito-idp.<region>.amazonaws.com/<pool id>`: the tokens' `iss` */
  readonly issuer: string;
  /** the managed-login base URL (`https://<prefix>.auth.<region>.amazoncognito.com`) */
  readonly loginUrl: string;
  readonly settings: ConsoleSettings;

  constructor(scope: Construct, id: string, props: ConsoleAuthProps) {
    super(scope, id);
    const required = props.mfa === 'required';

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        workspaces: new cognito.StringAttribute({ minLen: 0, maxLen: 2048, mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 5,
      },
      mfa: required ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: props.prod,
      removalPolicy: props.prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      userInvitation: {
        emailSubject: 'Your avtrz console account',
        emailBody:
          'You have been invited to the avtrz console. Sign in with {username} and the temporary password {####}; you will choose your own password.',
      },
    });
    if (!required) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason:
          'MFA (TOTP) is optional by default so an invited user can sign in before enrolling an authenticator; operators who want it enforced deploy with -c consoleMfa=required, which sets the pool to MFA REQUIRED.',
      });
    }
    this.userPool.addTrigger(
      cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
      props.tokenClaims,
      cognito.LambdaVersion.V2_0,
    );

    this.operators = new cognito.CfnUserPoolGroup(this, 'Operators', {
      userPoolId: this.userPool.userPoolId,
      groupName: OPERATORS_GROUP,
      description: 'avtrz operators: every workspace in the console',
    });

    const consoleScope = new cognito.ResourceServerScope({
      scopeName: CONSOLE_SCOPE_NAME,
      scopeDescription: 'Use the avtrz console API (/v1/console/…)',
    });
    this.resourceServer = this.userPool.addResourceServer('ResourceServer', {
      identifier: CONSOLE_RESOURCE_SERVER,
      scopes: [consoleScope],
    });

    this.client = this.userPool.addClient('ConsoleClient', {
      generateSecret: false,
      // SRP (the password never leaves the browser) and refresh only: no plain-password or
      // custom-challenge flow (left unset, Cognito would also allow ALLOW_CUSTOM_AUTH)
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [
          cognito.OAuthScope.OPENID,
          cognito.OAuthScope.EMAIL,
          cognito.OAuthScope.resourceServer(this.resourceServer, consoleScope),
        ],
        callbackUrls: props.consoleUrls,
        logoutUrls: props.consoleUrls,
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true })
        .withCustomAttributes('workspaces'),
      // never custom:workspaces: a user must not grant themselves a workspace
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true }),
    });

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: domainPrefix(this) },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    // managed login (v2) shows its pages only with a style assigned to the client
    new cognito.CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    }).node.addDependency(this.domain);

    this.issuer = this.userPool.userPoolProviderUrl;
    this.loginUrl = this.domain.baseUrl();
    this.authorizer = new HttpJwtAuthorizer('ConsoleAuthorizer', this.issuer, {
      jwtAudience: [this.client.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });
    this.settings = {
      issuer: this.issuer,
      clientId: this.client.userPoolClientId,
      authorizationEndpoint: `${this.loginUrl}/oauth2/authorize`,
      tokenEndpoint: `${this.loginUrl}/oauth2/token`,
      endSessionEndpoint: `${this.loginUrl}/logout`,
      scope: CONSOLE_OAUTH_SCOPES,
      redirectUri: props.consoleUrls[0],
    };
  }
}

/**
 * A managed-login domain prefix unique to this stack: the stack name and a hash of its account and
 * region, or (environment-agnostic synth) the tail of the stack's id. Cognito refuses prefixes
 * containing "aws", "amazon" or "cognito".
 */
function domainPrefix(scope: Construct): string {
  const stack = Stack.of(scope);
  const name = stack.stackName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/aws|amazon|cognito/g, 'x')
    .slice(0, 40);
  if (!Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region)) {
    const hash = createHash('sha256').update(`${stack.account}/${stack.region}`).digest('hex').slice(0, 10);
    return `${name}-${hash}`;
  }
  // arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>: the uuid's last group
  const uuid = Fn.select(2, Fn.split('/', stack.stackId));
  return `${name}-${Fn.select(4, Fn.split('-', uuid))}`;
}
