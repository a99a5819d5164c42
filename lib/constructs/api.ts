/**
 * The HTTP API, generated from THE route table (lambdas/routes.ts): one Lambda per route, built by
 * the one function construct, with exactly the grants its `access` entry names.
 *
 * - `auth: 'admin'` routes use IAM (SigV4) authorization at API Gateway.
 * - `auth: 'console'` routes (the `/v1/console/…` twins of the admin routes) use the JWT
 *   authorizer of the console's user pool and require the scope `avtrz/console`; each twin
 *   integrates with its admin route's function (one Lambda per handler).
 * - `auth: 'key'` routes are open at API Gateway; the handler authenticates the avtrz key.
 * - CORS for the console's origins (it is served from CloudFront and calls the API cross-origin):
 *   API Gateway answers the preflights and adds the headers; only Authorization and Content-Type.
 * - Access logs go to a log group as JSON. They never include the query string, where a
 *   publishable key travels (`?key=`).
 * - The $default stage is throttled (rate/burst from context).
 * - A custom domain is regional and dual-stack; with a hosted zone, A and AAAA alias records
 *   point it at the domain's regional endpoint. Without one the operator sets DNS (README).
 */
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { CONSOLE_SCOPE, functionIdOf, type Route } from '../../lambdas/routes';
import type { CustomDomain } from '../context';
import type { AvtrzFunction } from './function';

/** Fields of each access log line. No $context.path query, no headers: keys must not reach logs. */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  method: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
};

export interface ApiProps {
  routes: readonly Route[];
  /** builds the function of one route; the caller applies the route's grants */
  functionFor: (route: Route) => AvtrzFunction;
  /** answers every request that matches no route (the `$default` route): catalogue 404/405 */
  fallback: AvtrzFunction;
  throttle: { rateLimit: number; burstLimit: number };
  logRetention: logs.RetentionDays;
  logRemovalPolicy: RemovalPolicy;
  domain?: CustomDomain;
  /** where the alias records of `domain` go; ignored without a domain */
  zone?: route53.IHostedZone;
  /** the JWT authorizer of the console routes (lib/constructs/console-auth.ts); required if any */
  consoleAuthorizer?: apigw.IHttpRouteAuthorizer;
  /** the console's origins (`https://<cdn domain>`), allowed by the API's CORS configuration */
  consoleOrigins?: string[];
}

/** The API's CORS configuration for the console (the local gateway's CONSOLE_CORS is the same). */
export const CONSOLE_CORS_HEADERS = ['authorization', 'content-type'];

export class Api extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;
  /** by function id (lambdas/routes.ts functionIdOf): a console twin shares its admin route's */
  readonly functions = new Map<string, AvtrzFunction>();
  /** the custom domain, when one is configured: its regional name is what DNS points at */
  readonly domainName?: apigw.DomainName;
  /** https://<custom domain or execute-api endpoint>, no trailing slash */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);

    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'avtrz avatar API',
      createDefaultStage: false,
      corsPreflight: props.consoleOrigins?.length
        ? {
            allowOrigins: props.consoleOrigins,
            allowHeaders: CONSOLE_CORS_HEADERS,
            allowMethods: [
              apigw.CorsHttpMethod.GET,
              apigw.CorsHttpMethod.POST,
              apigw.CorsHttpMethod.PATCH,
              apigw.CorsHttpMethod.DELETE,
            ],
            maxAge: Duration.minutes(10),
          }
        : undefined,
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    let domainName: apigw.DomainName | undefined;
    if (props.domain) {
      domainName = new apigw.DomainName(this, 'Domain', {
        domainName: props.domain.domainName,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
        securityPolicy: apigw.SecurityPolicy.TLS_1_2,
        // IPv6 as well, so an AAAA record for the name (ours below, or the operator's) answers
        ipAddressType: apigw.IpAddressType.DUAL_STACK,
      });
      this.domainName = domainName;
      if (props.zone) {
        const target = route53.RecordTarget.fromAlias(
          new targets.ApiGatewayv2DomainProperties(
            domainName.regionalDomainName,
            domainName.regionalHostedZoneId,
          ),
        );
        const recordName = props.domain.domainName;
        new route53.ARecord(this, 'AliasA', { zone: props.zone, recordName, target });
        new route53.AaaaRecord(this, 'AliasAaaa', { zone: props.zone, recordName, target });
      }
    }

    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
      domainMapping: domainName ? { domainName } : undefined,
    });

    const iamAuthorizer = new HttpIamAuthorizer();
    const authorizerOf = (route: Route): apigw.IHttpRouteAuthorizer | undefined => {
      if (route.auth === 'admin') return iamAuthorizer;
      if (route.auth !== 'console') return undefined;
      if (!props.consoleAuthorizer) throw new Error(`${route.id}: a console route needs consoleAuthorizer`);
      return props.consoleAuthorizer;
    };
    for (const route of props.routes) {
      // one function per handler: a twin (functionOf) integrates with its admin route's function
      const fnId = functionIdOf(route);
      let fn = this.functions.get(fnId);
      if (!fn) {
        if (route.functionOf)
          throw new Error(`${route.id}: its function ${fnId} is not in the route list before it`);
        fn = props.functionFor(route);
        this.functions.set(fnId, fn);
      }
      const [created] = this.httpApi.addRoutes({
        path: route.path,
        methods: [route.method as apigw.HttpMethod],
        integration: new HttpLambdaIntegration(`${route.id}Integration`, fn.fn),
        authorizer: authorizerOf(route),
        authorizationScopes: route.auth === 'console' ? [CONSOLE_SCOPE] : undefined,
      });
      if (route.auth === 'key') {
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} is called with an avtrz API key (x-api-key or ?key=), which the handler verifies (hash lookup, revocation, domain allow-list, quota) before doing anything; API Gateway has no authorizer that understands these keys.`,
        });
      }
    }

    // Without a $default route API Gateway answers unmatched requests itself with
    // {"message":"Not Found"}; the fallback answers the catalogue's 404 / 405 instead.
    const fallbackRoute = new apigw.HttpRoute(this, 'DefaultRoute', {
      httpApi: this.httpApi,
      routeKey: apigw.HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration('FallbackIntegration', props.fallback.fn),
    });
    Validations.of(fallbackRoute).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The $default route only receives requests that match no route and answers them 404/405 without reading any data; it has no table, bucket or secret access to protect.',
    });

    this.url = domainName ? `https://${props.domain?.domainName}` : (this.httpApi.apiEndpoint as string);
  }
}
