// biome-ignore-all lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
/**
 * The console's sign-in in the synthesized stack (spec section 11): the user pool's settings, the
 * app client, the managed-login domain, and the HTTP API's JWT authorizer on every console route
 * and on no other. Synthesized without bundling (the template does not depend on it), with the
 * cdk-nag plugin as `cdk synth` runs it.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../../bin/app';
import { OPERATORS_GROUP } from '../../lambdas/core/caller';
import { CONSOLE_SCOPE, functionIdOf, ROUTES } from '../../lambdas/routes';
import { ContextError, type ContextKey } from '../../lib/context';

const CDN_CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/66666666-7777-8888-9999-000000000000';

function synth(context: Partial<Record<ContextKey, string>>) {
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const stack = buildApp(app, { account: '123456789012', region: 'eu-west-1' });
  app.synth();
  const json = Template.fromStack(stack).toJSON() as {
    Resources: Record<string, { Type: string; Properties: any }>;
    Outputs: any;
  };
  return { app, stack, json, nag: new AwsSolutionsChecks(app).validateScope(app) };
}
type Synth = ReturnType<typeof synth>;

const id = (s: Synth, c: { node: { defaultChild?: unknown } }) =>
  s.stack.resolve((c.node.defaultChild as { logicalId: string }).logicalId) as string;
const ofType = (s: Synth, type: string) =>
  Object.entries(s.json.Resources).filter(([, r]) => r.Type === type) as [string, any][];
const one = (s: Synth, type: string) => {
  const all = ofType(s, type);
  expect(all).toHaveLength(1);
  return all[0][1].Properties;
};

let dev: Synth;
let prod: Synth;
beforeAll(() => {
  dev = synth({ stage: 'dev' });
  prod = synth({ stage: 'prod', cdnDomainName: 'img.avatars.example.com', cdnCertificateArn: CDN_CERT });
}, 120_000);

describe('the console user pool', () => {
  test('no self sign-up, email sign-in, a strong password policy, TOTP MFA optional by default', () => {
    const p = one(dev, 'AWS::Cognito::UserPool');
    expect(p.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(p.UsernameAttributes).toEqual(['email']);
    expect(p.Policies.PasswordPolicy).toEqual({
      MinimumLength: 12,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
      TemporaryPasswordValidityDays: 3,
      PasswordHistorySize: 5,
    });
    expect(p.MfaConfiguration).toBe('OPTIONAL');
    expect(p.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
  });

  test('-c consoleMfa=required makes MFA required; a wrong value is refused', () => {
    const s = synth({ stage: 'dev', consoleMfa: 'required' });
    expect(one(s, 'AWS::Cognito::UserPool').MfaConfiguration).toBe('ON');
    expect(s.nag.violations).toEqual([]);
    expect(() => synth({ stage: 'dev', consoleMfa: 'sometimes' })).toThrow(ContextError);
  });

  test('the Plus plan with threat protection enforced (cdk-nag AwsSolutions-COG8), prod protected from deletion', () => {
    const p = one(prod, 'AWS::Cognito::UserPool');
    expect(p.UserPoolTier).toBe('PLUS');
    expect(p.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
    expect(p.DeletionProtection).toBe('ACTIVE');
  });

  test('the group avtrz-operators, the custom attribute workspaces, the V2_0 token trigger', () => {
    expect(one(dev, 'AWS::Cognito::UserPoolGroup').GroupName).toBe(OPERATORS_GROUP);
    const p = one(dev, 'AWS::Cognito::UserPool');
    expect(p.Schema).toContainEqual({
      AttributeDataType: 'String',
      Mutable: true,
      Name: 'workspaces',
      StringAttributeConstraints: { MaxLength: '2048', MinLength: '0' },
    });
    expect(p.LambdaConfig.PreTokenGenerationConfig).toEqual({
      LambdaArn: { 'Fn::GetAtt': [id(dev, dev.stack.tokenClaims.fn), 'Arn'] },
      LambdaVersion: 'V2_0',
    });
  });

  test('the app client: no secret, code flow only, the avtrz/console scope, the console URLs; it cannot write custom:workspaces', () => {
    const c = one(prod, 'AWS::Cognito::UserPoolClient');
    expect(c.GenerateSecret).toBe(false);
    expect(c.AllowedOAuthFlows).toEqual(['code']);
    expect(c.AllowedOAuthScopes).toEqual([
      'openid',
      'email',
      prod.stack.resolve(`${prod.stack.consoleAuth.resourceServer.userPoolResourceServerId}/console`),
    ]);
    const distribution = { 'Fn::GetAtt': [id(prod, prod.stack.cdn.distribution), 'DomainName'] };
    const urls = [
      'https://img.avatars.example.com/console/',
      { 'Fn::Join': ['', ['https://', distribution, '/console/']] },
    ];
    expect(c.CallbackURLs).toEqual(urls);
    expect(c.LogoutURLs).toEqual(urls);
    expect(c.WriteAttributes).not.toContain('custom:workspaces');
    expect(c.ReadAttributes).toContain('custom:workspaces');
    expect(c.ExplicitAuthFlows).toEqual(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
    const rs = one(prod, 'AWS::Cognito::UserPoolResourceServer');
    expect(rs).toMatchObject({
      Identifier: 'avtrz',
      Scopes: [{ ScopeName: 'console', ScopeDescription: expect.any(String) }],
    });
  });

  test('a managed-login domain (v2) named after the stack and its account/region, with the Cognito style', () => {
    const d = one(dev, 'AWS::Cognito::UserPoolDomain');
    expect(d.ManagedLoginVersion).toBe(2);
    expect(d.Domain).toMatch(/^avtrz-dev-[0-9a-f]{10}$/);
    expect(d.Domain).not.toMatch(/aws|amazon|cognito/);
    expect(one(dev, 'AWS::Cognito::ManagedLoginBranding').UseCognitoProvidedValues).toBe(true);
  });

  test('outputs what the console config and `avtrz users invite` need', () => {
    const o = dev.json.Outputs;
    expect(o.ConsoleUserPoolId.Value).toEqual({ Ref: id(dev, dev.stack.consoleAuth.userPool) });
    expect(o.ConsoleUserPoolClientId.Value).toEqual({ Ref: id(dev, dev.stack.consoleAuth.client) });
    expect(o.ConsoleIssuer.Value).toEqual({
      'Fn::GetAtt': [id(dev, dev.stack.consoleAuth.userPool), 'ProviderURL'],
    });
    expect(JSON.stringify(o.ConsoleLoginDomain.Value)).toContain('amazoncognito.com');
  });
});

describe('the JWT authorizer on the console routes', () => {
  test('issuer = the pool, audience = the app client, the bearer in Authorization', () => {
    const a = one(dev, 'AWS::ApiGatewayV2::Authorizer');
    expect(a).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: { 'Fn::GetAtt': [id(dev, dev.stack.consoleAuth.userPool), 'ProviderURL'] },
        Audience: [{ Ref: id(dev, dev.stack.consoleAuth.client) }],
      },
    });
  });

  test.each(['dev', 'prod'] as const)(
    '%s: every console route has it with the scope, no other route has it',
    (stage) => {
      const s = stage === 'dev' ? dev : prod;
      const [[authorizerId]] = ofType(s, 'AWS::ApiGatewayV2::Authorizer');
      const routes = ofType(s, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
      const consoleRoutes = routes.filter((r) => r.RouteKey.includes(' /v1/console/'));
      expect(consoleRoutes.length).toBe(ROUTES.filter((r) => r.auth === 'admin').length);
      for (const r of consoleRoutes) {
        expect({
          key: r.RouteKey,
          type: r.AuthorizationType,
          authorizer: r.AuthorizerId,
          scopes: r.AuthorizationScopes,
        }).toEqual({
          key: r.RouteKey,
          type: 'JWT',
          authorizer: { Ref: authorizerId },
          scopes: [CONSOLE_SCOPE],
        });
      }
      for (const r of routes.filter((x) => !consoleRoutes.includes(x))) {
        expect({ key: r.RouteKey, type: r.AuthorizationType }).not.toEqual({ key: r.RouteKey, type: 'JWT' });
        if (r.RouteKey.includes(' /v1/admin/')) expect(r.AuthorizationType).toBe('AWS_IAM');
      }
    },
  );

  test('each console route integrates with its admin route’s function (one Lambda per handler)', () => {
    const target = (routeKey: string) => {
      const r = ofType(dev, 'AWS::ApiGatewayV2::Route').find(
        ([, x]) => x.Properties.RouteKey === routeKey,
      )?.[1];
      const integration = dev.json.Resources[r?.Properties.Target['Fn::Join'][1][1].Ref];
      return integration.Properties.IntegrationUri;
    };
    for (const route of ROUTES.filter((r) => r.auth === 'console')) {
      const admin = ROUTES.find((r) => r.id === functionIdOf(route));
      expect(admin?.auth).toBe('admin');
      expect(target(`${route.method} ${route.path}`)).toEqual(target(`${admin?.method} ${admin?.path}`));
    }
  });

  test('CORS for the console origins: Authorization and Content-Type, the methods the console uses', () => {
    const api = one(prod, 'AWS::ApiGatewayV2::Api');
    const distribution = { 'Fn::GetAtt': [id(prod, prod.stack.cdn.distribution), 'DomainName'] };
    expect(api.CorsConfiguration).toEqual({
      AllowOrigins: ['https://img.avatars.example.com', { 'Fn::Join': ['', ['https://', distribution]] }],
      AllowHeaders: ['authorization', 'content-type'],
      AllowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
      MaxAge: 600,
    });
  });

  test('cdk-nag AwsSolutions: zero unacknowledged findings, and every acknowledgement has a reason', () => {
    for (const s of [dev, prod]) {
      expect(s.nag.violations).toEqual([]);
      const pool = s.stack.consoleAuth.userPool.node.defaultChild as { node: { metadata: { data: any }[] } };
      const acks = JSON.stringify(pool.node.metadata.map((m) => m.data));
      if (acks.includes('AwsSolutions-COG2')) expect(acks).toMatch(/consoleMfa=required/);
    }
  });
});
