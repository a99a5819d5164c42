// biome-ignore-all lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
/**
 * The resolver has a reserved concurrency (context resolverConcurrency), and its asynchronous
 * invocations (background refreshes) that fail after their retries, or wait out their event age
 * while throttled, go to an encrypted SQS queue instead of vanishing. The resolver may only send
 * to that queue. Synthesised without bundling; cdk-nag runs on each synth.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../../bin/app';
import type { AvtrzStack } from '../../lib/avtrz-stack';
import { DEFAULTS } from '../../lib/context';

function synth(context: Record<string, string> = {}) {
  const app = new App({ context: { stage: 'prod', ...context, 'aws:cdk:bundling-stacks': [] } });
  const stack = buildApp(app, { account: '123456789012', region: 'eu-west-1' });
  app.synth(); // throws on any unacknowledged cdk-nag finding
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON() as any };
}
const idOf = (stack: AvtrzStack, c: { node: { defaultChild?: unknown } }) =>
  stack.resolve((c.node.defaultChild as { logicalId: string }).logicalId) as string;

describe('defaults', () => {
  const s = synth();
  const resolverId = idOf(s.stack, s.stack.resolver.fn);
  const queueId = idOf(s.stack, s.stack.resolverFailures);

  it(`reserves ${DEFAULTS.resolverConcurrency} concurrent executions for the resolver, and only for it`, () => {
    expect(DEFAULTS.resolverConcurrency).toBe(10);
    const fns = Object.entries(s.json.Resources as Record<string, any>).filter(
      ([, r]) =>
        r.Type === 'AWS::Lambda::Function' && r.Properties.ReservedConcurrentExecutions !== undefined,
    );
    expect(fns.map(([id, r]) => [id, r.Properties.ReservedConcurrentExecutions])).toEqual([[resolverId, 10]]);
  });

  it('sends failed async invocations to the queue, after one retry and at most an hour', () => {
    const configs = Object.values(s.json.Resources as Record<string, any>).filter(
      (r) => r.Type === 'AWS::Lambda::EventInvokeConfig',
    );
    expect(configs).toHaveLength(1);
    expect(configs[0].Properties).toEqual({
      FunctionName: { Ref: resolverId },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it('keeps the queue encrypted (SSE-SQS), SSL-only, for 14 days', () => {
    expect(s.json.Resources[queueId].Properties).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sqs:*',
            Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
        Version: '2012-10-17',
      },
    });
  });

  it('lets the resolver send to the queue and do nothing else with it; no other role touches it', () => {
    const resolverRole = idOf(s.stack, s.stack.resolver.role);
    const sqsStatements: [string, any][] = [];
    for (const r of Object.values(s.json.Resources as Record<string, any>)) {
      if (r.Type !== 'AWS::IAM::Policy') continue;
      for (const st of r.Properties.PolicyDocument.Statement) {
        const actions = [st.Action].flat() as string[];
        if (actions.some((a) => a.startsWith('sqs:')) || JSON.stringify(st.Resource).includes(queueId))
          sqsStatements.push([r.Properties.Roles[0].Ref, st]);
      }
    }
    expect(sqsStatements).toEqual([
      [
        resolverRole,
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      ],
    ]);
  });

  it('has the grant in place before Lambda checks the destination (the config follows the function)', () => {
    const policyId = idOf(s.stack, s.stack.resolver.role.node.findChild('DefaultPolicy') as any);
    expect(s.json.Resources[resolverId].DependsOn).toContain(policyId);
  });

  it('outputs the queue URL and name', () => {
    expect(s.json.Outputs.ResolverFailureQueueUrl.Value).toEqual({ Ref: queueId });
    expect(s.json.Outputs.ResolverFailureQueueName.Value).toEqual({ 'Fn::GetAtt': [queueId, 'QueueName'] });
  });

  it('adds no unacknowledged cdk-nag finding', () => {
    expect(new AwsSolutionsChecks(s.app).validateScope(s.app).violations).toEqual([]);
  });
});

it('takes resolverConcurrency from context', () => {
  const s = synth({ resolverConcurrency: '25' });
  const fn = s.json.Resources[idOf(s.stack, s.stack.resolver.fn)];
  expect(fn.Properties.ReservedConcurrentExecutions).toBe(25);
});

it('refuses resolverConcurrency=0 before building anything', () => {
  const app = new App({ context: { stage: 'prod', resolverConcurrency: '0' } });
  expect(() => buildApp(app, { account: '123456789012', region: 'eu-west-1' })).toThrow(
    /resolverConcurrency must be at least 1: 0 throttles every invocation/,
  );
  expect(app.node.children).toHaveLength(0);
});
