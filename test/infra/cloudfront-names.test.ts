// biome-ignore-all lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
/**
 * CloudFront resources are global: a response headers policy, origin access control, function or
 * cache policy name must be unique in the account, whatever region its stack is in. The same stage
 * (same stack name) deployed in two regions of one account must therefore name them differently.
 * Two such stacks are synthesised in one app (without bundling) and every CloudFront name compared.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AvtrzStack } from '../../lib/avtrz-stack';
import { CLOUDFRONT_NAME_MAX, cloudFrontName } from '../../lib/constructs/cdn';
import { parseStackOptions } from '../../lib/context';

const REGIONS = ['eu-west-1', 'us-east-1'] as const;

/** [type, name] of every named CloudFront resource, wherever CloudFormation keeps the name. */
function cloudFrontNames(stack: Stack): { type: string; name: unknown }[] {
  const out: { type: string; name: unknown }[] = [];
  for (const r of Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, any>)) {
    if (!r.Type.startsWith('AWS::CloudFront::')) continue;
    const p = r.Properties;
    const config = Object.entries(p).find(
      ([k]) => k.endsWith('Config') && k !== 'FunctionConfig',
    )?.[1] as any;
    const name = p.Name ?? config?.Name;
    if (name !== undefined) out.push({ type: r.Type, name });
    else if (r.Type !== 'AWS::CloudFront::Distribution') throw new Error(`${r.Type}: where is its name?`);
  }
  return out;
}

describe('the same stage in two regions of one account', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = REGIONS.map((region) => {
    const options = parseStackOptions((k) => ({ stage: 'prod' })[k as 'stage'], region);
    // the construct ids differ only because one app needs that; the stack NAME is the stage's, as
    // `cdk deploy` in each region would make it
    return new AvtrzStack(app, `avtrz-prod-${region}`, {
      stackName: 'avtrz-prod',
      options,
      env: { account: '123456789012', region },
    });
  });
  const names = stacks.map(cloudFrontNames);

  it("names the response headers policies, origin access control, functions and the console's cache policy", () => {
    for (const n of names) {
      expect(n.map((x) => x.type).sort()).toEqual([
        'AWS::CloudFront::CachePolicy',
        'AWS::CloudFront::Function',
        'AWS::CloudFront::Function',
        'AWS::CloudFront::OriginAccessControl',
        'AWS::CloudFront::ResponseHeadersPolicy',
        'AWS::CloudFront::ResponseHeadersPolicy',
      ]);
    }
  });

  it('gives every CloudFront name the stack name and the region, so none collides', () => {
    const all = names.flat().map((x) => `${x.type} ${x.name}`);
    expect(new Set(all).size).toBe(all.length);
    REGIONS.forEach((region, i) => {
      for (const { name } of names[i]) {
        expect(typeof name).toBe('string');
        expect(name).toMatch(new RegExp(`^avtrz-prod-${region}-[a-z-]+$`));
      }
    });
  });

  it('differs between the regions only in the region: the construct path is no help in real deploys', () => {
    // two real deploys have the same construct path too, so path-derived names would collide;
    // with the region taken out the two sets must be identical
    const strip = (i: number) =>
      names[i].map((x) => `${x.type} ${String(x.name).replace(REGIONS[i], '<r>')}`);
    expect(strip(0)).toEqual(strip(1));
  });

  it('keeps within the CloudFront name limits', () => {
    const max: Record<string, number> = {
      'AWS::CloudFront::ResponseHeadersPolicy': CLOUDFRONT_NAME_MAX.responseHeadersPolicy,
      'AWS::CloudFront::OriginAccessControl': CLOUDFRONT_NAME_MAX.originAccessControl,
      'AWS::CloudFront::Function': CLOUDFRONT_NAME_MAX.function,
      'AWS::CloudFront::CachePolicy': CLOUDFRONT_NAME_MAX.cachePolicy,
    };
    for (const { type, name } of names.flat()) expect(String(name).length).toBeLessThanOrEqual(max[type]);
  });
});

describe('cloudFrontName', () => {
  const inRegion = (stackName: string, region?: string) =>
    new Stack(new App(), 'S', { stackName, env: region ? { account: '123456789012', region } : undefined });

  it('cuts a long stack name to the limit, keeping the whole region and a hash of the name', () => {
    const long = `avtrz-${'x'.repeat(120)}`;
    const a = cloudFrontName(inRegion(`${long}a`, 'ap-southeast-5'), 'oac', 64);
    const b = cloudFrontName(inRegion(`${long}b`, 'ap-southeast-5'), 'oac', 64);
    expect(a.length).toBeLessThanOrEqual(64);
    expect(a).toMatch(/^avtrz-x+-[0-9a-f]{8}-ap-southeast-5-oac$/);
    expect(a).not.toBe(b); // same first 40-odd characters, different hashes
  });

  it('leaves a short name as it is', () => {
    expect(cloudFrontName(inRegion('avtrz-dev', 'eu-west-1'), 'headers', 128)).toBe(
      'avtrz-dev-eu-west-1-headers',
    );
  });

  it('uses the AWS::Region token when the stack has no region, within the limit of the longest region', () => {
    const stack = inRegion(`avtrz-${'y'.repeat(100)}`);
    const name = cloudFrontName(stack, 'not-found', 64);
    const resolved = stack.resolve(name);
    expect(JSON.stringify(resolved)).toContain('"Ref":"AWS::Region"');
    const literal = (resolved['Fn::Join'][1] as unknown[]).filter((x) => typeof x === 'string').join('');
    expect(literal.length + 'ap-southeast-5'.length).toBeLessThanOrEqual(64);
  });
});
