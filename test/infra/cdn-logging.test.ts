// biome-ignore-all lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
/**
 * CloudFront standard logging (legacy) cannot deliver to S3 buckets in opt-in regions, and the
 * logs bucket is in the stack's region. So `cdnLogging` is on by default, off by default in an
 * opt-in region (with a cdk-nag acknowledgement saying why), and `cdnLogging=true` there is
 * refused before anything is built. Synthesised without bundling; cdk-nag runs on each synth.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../../bin/app';
import type { AvtrzStack } from '../../lib/avtrz-stack';
import { Cdn } from '../../lib/constructs/cdn';
import { ContextError, OPT_IN_REGIONS } from '../../lib/context';

function synth(region: string, context: Record<string, string> = {}) {
  const app = new App({ context: { stage: 'prod', ...context, 'aws:cdk:bundling-stacks': [] } });
  const stack = buildApp(app, { account: '123456789012', region });
  app.synth(); // throws on any unacknowledged cdk-nag finding
  return { app, stack, json: Template.fromStack(stack).toJSON() as any };
}
const distConfig = (s: { stack: AvtrzStack; json: any }) =>
  s.json.Resources[s.stack.resolve((s.stack.cdn.distribution.node.defaultChild as any).logicalId)].Properties
    .DistributionConfig;
function cfr3Reason(s: { stack: AvtrzStack }): string | undefined {
  for (const m of s.stack.cdn.distribution.node.metadata) {
    if (m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
      // recorded as `Annotation::AwsSolutions-CFR3`
      for (const [id, reason] of Object.entries(m.data as Record<string, string>))
        if (id.endsWith('AwsSolutions-CFR3')) return reason;
    }
  }
  return undefined;
}

it('knows the opt-in regions the issue names', () => {
  for (const r of ['af-south-1', 'ap-east-1', 'ap-south-2', 'ap-southeast-3', 'eu-south-1', 'me-south-1']) {
    expect(OPT_IN_REGIONS).toContain(r);
  }
  expect(OPT_IN_REGIONS).not.toContain('eu-west-1');
});

describe('in a default region (eu-west-1)', () => {
  it('logs to the logs bucket under cdn/ by default, with no CFR3 acknowledgement', () => {
    const s = synth('eu-west-1');
    expect(distConfig(s).Logging).toEqual({
      Bucket: {
        'Fn::GetAtt': [
          s.stack.resolve((s.stack.data.logsBucket.node.defaultChild as any).logicalId),
          'RegionalDomainName',
        ],
      },
      Prefix: 'cdn/',
    });
    expect(cfr3Reason(s)).toBeUndefined();
  });

  it('turns logging off with cdnLogging=false, acknowledged as the operator choice', () => {
    const s = synth('eu-west-1', { cdnLogging: 'false' });
    expect(distConfig(s).Logging).toBeUndefined();
    expect(cfr3Reason(s)).toMatch(/cdnLogging=false/);
    expect(new AwsSolutionsChecks(s.app).validateScope(s.app).violations).toEqual([]);
  });
});

describe('in an opt-in region (af-south-1)', () => {
  it('has no standard logging by default, and the cdk-nag acknowledgement says why', () => {
    const s = synth('af-south-1');
    expect(distConfig(s).Logging).toBeUndefined();
    expect(cfr3Reason(s)).toMatch(/not delivered to S3 buckets in opt-in regions such as af-south-1/);
    expect(new AwsSolutionsChecks(s.app).validateScope(s.app).violations).toEqual([]);
  });

  it('accepts cdnLogging=false', () => {
    expect(distConfig(synth('af-south-1', { cdnLogging: 'false' })).Logging).toBeUndefined();
  });

  it('refuses cdnLogging=true with a message naming the region and the way out', () => {
    const app = new App({ context: { stage: 'prod', cdnLogging: 'true', 'aws:cdk:bundling-stacks': [] } });
    let err: unknown;
    try {
      buildApp(app, { account: '123456789012', region: 'af-south-1' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ContextError);
    expect((err as ContextError).problems).toEqual([
      expect.stringMatching(
        /^cdnLogging=true is not possible in af-south-1: CloudFront standard logs .* set it to false$/,
      ),
    ]);
    expect(app.node.children).toHaveLength(0);
  });
});

describe('the acknowledgement is what lets the synth pass', () => {
  it('cdk-nag reports CFR3 for a distribution without logging', () => {
    const app = new App();
    const stack = new Stack(app, 'Bare', { env: { account: '123456789012', region: 'af-south-1' } });
    new cloudfront.Distribution(stack, 'D', {
      defaultBehavior: { origin: new origins.HttpOrigin('example.com') },
    });
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-CFR3');
  });

  it('the CDN construct refuses to go without logs and without a reason', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'af-south-1' } });
    expect(() => new Cdn(stack, 'Cdn', { bucket: new s3.Bucket(stack, 'B') })).toThrow(
      /no logsBucket and no loggingOffReason/,
    );
  });
});
