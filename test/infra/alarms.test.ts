// biome-ignore-all lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
/**
 * The stack's alarms (lib/constructs/alarms.ts, docs/operations.md): 5xx on the API, resolver
 * errors, and messages in the resolver failure queue, each on the right resource and metric,
 * telling one SSL-only SNS topic (output AlarmTopicArn) when it fires and when it recovers.
 * Synthesised without bundling; cdk-nag runs on the synth.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../bin/app';
import type { AvtrzStack } from '../../lib/avtrz-stack';
import { ALARM_THRESHOLDS } from '../../lib/constructs/alarms';

const app = new App({ context: { stage: 'prod', 'aws:cdk:bundling-stacks': [] } });
const stack = buildApp(app, { account: '123456789012', region: 'eu-west-1' });
app.synth(); // throws on any unacknowledged cdk-nag finding
const json = Template.fromStack(stack).toJSON() as any;
const idOf = (s: AvtrzStack, c: { node: { defaultChild?: unknown } }) =>
  s.resolve((c.node.defaultChild as { logicalId: string }).logicalId) as string;
const alarms = Object.entries(json.Resources as Record<string, any>).filter(
  ([, r]) => r.Type === 'AWS::CloudWatch::Alarm',
);
const topicId = idOf(stack, stack.alarms.topic);

describe('alarms', () => {
  it('are exactly three, each notifying the topic on alarm and on recovery, quiet without data', () => {
    expect(alarms).toHaveLength(3);
    for (const [, a] of alarms) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(a.Properties.OKActions).toEqual([{ Ref: topicId }]);
      expect(a.Properties).toMatchObject({
        TreatMissingData: 'notBreaching',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        Period: 300,
      });
    }
  });

  const byId = (c: { node: { defaultChild?: unknown } }) => json.Resources[idOf(stack, c)].Properties;

  it('5xx: the HTTP API answered 5xx', () => {
    const p = byId(stack.alarms.api5xx);
    expect(p).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Statistic: 'Sum',
      Threshold: ALARM_THRESHOLDS.api5xx,
    });
    expect(p.Dimensions).toEqual([{ Name: 'ApiId', Value: { Ref: idOf(stack, stack.api.httpApi) } }]);
  });

  it('resolver errors: the resolver function, not the API functions', () => {
    const p = byId(stack.alarms.resolverErrors);
    expect(p).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Threshold: ALARM_THRESHOLDS.resolverErrors,
    });
    expect(p.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: idOf(stack, stack.resolver.fn) } }]);
  });

  it('failure queue: one visible message is enough', () => {
    const p = byId(stack.alarms.failureQueue);
    expect(p).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Threshold: 1,
    });
    expect(p.Dimensions).toEqual([
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(stack, stack.resolverFailures), 'QueueName'] } },
    ]);
  });

  it('the topic refuses publishing without TLS and is the AlarmTopicArn output', () => {
    const policies = Object.values(json.Resources as Record<string, any>).filter(
      (r) => r.Type === 'AWS::SNS::TopicPolicy',
    );
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.Topics).toEqual([{ Ref: topicId }]);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ]),
    );
    expect(json.Outputs.AlarmTopicArn.Value).toEqual({ Ref: topicId });
  });
});
