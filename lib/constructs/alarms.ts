/**
 * The stack's alarms (docs/operations.md "Alarms"): a small set that each means "someone should
 * look", all publishing to one SNS topic the operator subscribes to (output AlarmTopicArn):
 *  - the HTTP API answered 5xx (503 unavailable or 500 internal_error: never a quota, key or
 *    validation answer, those are 4xx);
 *  - the resolver function failed (an uncaught error or a timeout; provider failures are
 *    answers, not function errors);
 *  - a message waits in the resolver failure queue (a background refresh failed for good).
 * No traffic is not an alarm (missing data is not breaching).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface AlarmsProps {
  httpApi: apigw.HttpApi;
  resolver: lambda.IFunction;
  resolverFailures: sqs.IQueue;
}

/** thresholds, in one place (the docs quote them) */
export const ALARM_THRESHOLDS = {
  /** 5xx answers of the API in 5 minutes */
  api5xx: 5,
  /** failed resolver invocations in 5 minutes */
  resolverErrors: 5,
  /** messages visible in the resolver failure queue */
  failureQueueMessages: 1,
} as const;

export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly api5xx: cloudwatch.Alarm;
  readonly resolverErrors: cloudwatch.Alarm;
  readonly failureQueue: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'avtrz alarms', enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'The topic carries CloudWatch alarm notifications only (alarm name, state, metric), no customer data. CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer-managed KMS key for alarm state changes would add a monthly key charge to every deployment.',
    });
    const period = Duration.minutes(5);
    const common = {
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };

    this.api5xx = new cloudwatch.Alarm(this, 'Api5xx', {
      ...common,
      alarmDescription: `avtrz: the API answered ${ALARM_THRESHOLDS.api5xx} or more 5xx in 5 minutes (docs/operations.md)`,
      metric: props.httpApi.metricServerError({ period, statistic: cloudwatch.Stats.SUM }),
      threshold: ALARM_THRESHOLDS.api5xx,
    });
    this.resolverErrors = new cloudwatch.Alarm(this, 'ResolverErrors', {
      ...common,
      alarmDescription: `avtrz: the photo resolver failed ${ALARM_THRESHOLDS.resolverErrors} or more times in 5 minutes (docs/operations.md)`,
      metric: props.resolver.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
      threshold: ALARM_THRESHOLDS.resolverErrors,
    });
    this.failureQueue = new cloudwatch.Alarm(this, 'ResolverFailureQueue', {
      ...common,
      alarmDescription:
        'avtrz: a background refresh failed after its retries and waits in the resolver failure queue (docs/operations.md)',
      metric: props.resolverFailures.metricApproximateNumberOfMessagesVisible({
        period,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: ALARM_THRESHOLDS.failureQueueMessages,
    });
    const action = new actions.SnsAction(this.topic);
    for (const a of [this.api5xx, this.resolverErrors, this.failureQueue]) {
      a.addAlarmAction(action);
      a.addOkAction(action);
    }
  }
}
